/* mergedata: what a segment's result.json carries beyond any other result, so that
 * `loadgate merge` can rebuild the run's metrics and judge every threshold on the
 * merged data with the gate's own code: each step's tags and its requests per
 * status with their histograms, each second's histogram, the open model's lag and
 * wait histograms (docs/merge.md). */
#include <stdlib.h>
#include <string.h>

#include "outcome.h"
#include "util.h"

static char *enc_or_null(const struct lg_hist *h)
{
    return h && h->total_count > 0 ? lg_hist_encode(h) : NULL;
}

static int cmp_cell(const void *a, const void *b)
{
    const struct lg_result_cell *x = a, *y = b;
    return (x->status > y->status) - (x->status < y->status);
}

static void step_data(const struct lg_step *st, const struct lg_step_metrics *sm,
                      struct lg_result_step *out)
{
    out->n_tags = st->n_tags;
    out->tags = st->n_tags ? lg_calloc(st->n_tags, sizeof(*out->tags)) : NULL;
    for (size_t i = 0; i < st->n_tags; i++) {
        out->tags[i].name = lg_strdup(st->tags[i].name);
        out->tags[i].value = lg_strdup(st->tags[i].value);
    }
    out->n_cells = sm->n_cells;
    out->cells = sm->n_cells ? lg_calloc(sm->n_cells, sizeof(*out->cells)) : NULL;
    for (size_t i = 0; i < sm->n_cells; i++) {
        const struct lg_cell *c = &sm->cells[i];
        struct lg_result_cell *o = &out->cells[i];
        o->status = c->status;
        o->requests = c->requests;
        o->errors = c->errors;
        for (int e = 1; e < LG_ERRC__COUNT; e++) {
            if (!c->errors_by_class[e])
                continue;
            o->error_classes =
                lg_realloc(o->error_classes, (o->n_error_classes + 1) * sizeof(*o->error_classes));
            o->error_classes[o->n_error_classes++] =
                (struct lg_count){lg_strdup(lg_errclass_name(e)), c->errors_by_class[e]};
        }
        o->latency = enc_or_null(c->latency);
        o->latency_uncorrected = enc_or_null(c->latency_uncorrected);
        o->ttfb = enc_or_null(c->ttfb);
        o->dns = enc_or_null(c->dns);
        o->connect = enc_or_null(c->connect);
        o->tls = enc_or_null(c->tls);
    }
    if (out->n_cells > 1)
        qsort(out->cells, out->n_cells, sizeof(*out->cells), cmp_cell);
}

void lg_outcome_add_merge_data(struct lg_result *r, const struct lg_suite *s,
                               const struct lg_run_report *rep)
{
    const struct lg_metrics *m = &rep->metrics;
    r->started_unix_ms = rep->started_wall_ms;
    for (size_t i = 0; i < r->n_steps && i < s->n_steps && i < m->n_steps; i++)
        if (!r->steps[i].cells && !r->steps[i].tags)
            step_data(s->steps[i], &m->steps[i], &r->steps[i]);
    for (size_t i = 0; i < r->n_series && i < m->n_series; i++)
        if (!r->series[i].histogram && m->series[i].hist)
            r->series[i].histogram = lg_strdup(m->series[i].hist);
    if (r->schedule.open && !r->schedule.lag_histogram) {
        r->schedule.lag_histogram = enc_or_null(m->lag);
        r->schedule.wait_histogram = enc_or_null(m->wait);
    }
}
