/* merge: rebuilds each segment's metrics from its result.json (the cells, tags and
 * per-second histograms a segment result carries, mergedata.c), merges them with
 * the workers' own lossless merge, and builds the merged result with the run's
 * outcome code over a suite rebuilt from the results' names, so that thresholds,
 * rules and verdict are those a single machine would have given (docs/merge.md). */
#include "merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "outcome.h"
#include "threshold.h"
#include "util.h"

/* ---- the suite the thresholds are judged against ---- */

/* What the gate and the outcome read of a suite: scenario and step names, each
 * step's scenario, tags and check labels. Nothing here is ever run. */
struct judge_suite {
    struct lg_suite s;
    struct lg_step *steps; /* s.steps points into these */
};

static size_t scenario_index(struct lg_suite *s, const char *name)
{
    for (size_t i = 0; i < s->n_scenarios; i++)
        if (!strcmp(s->scenarios[i].name, name))
            return i;
    /* a step whose scenario the result does not list (an old or hand-made one) */
    s->scenarios = lg_realloc(s->scenarios, (s->n_scenarios + 1) * sizeof(*s->scenarios));
    memset(&s->scenarios[s->n_scenarios], 0, sizeof(s->scenarios[0]));
    s->scenarios[s->n_scenarios].name = lg_strdup(name);
    s->scenarios[s->n_scenarios].index = (uint32_t)s->n_scenarios;
    return s->n_scenarios++;
}

static void judge_suite_init(struct judge_suite *j, const struct lg_result *r)
{
    memset(j, 0, sizeof(*j));
    struct lg_suite *s = &j->s;
    s->name = lg_strdup(r->suite ? r->suite : "");
    s->n_scenarios = r->n_scenarios;
    s->scenarios = lg_calloc(r->n_scenarios + 1, sizeof(*s->scenarios));
    for (size_t i = 0; i < r->n_scenarios; i++) {
        s->scenarios[i].name = lg_strdup(r->scenarios[i].name);
        s->scenarios[i].index = (uint32_t)i;
    }
    s->n_steps = r->n_steps;
    s->steps = lg_calloc(r->n_steps + 1, sizeof(*s->steps));
    j->steps = lg_calloc(r->n_steps + 1, sizeof(*j->steps));
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *rs = &r->steps[i];
        struct lg_step *st = &j->steps[i];
        st->name = lg_strdup(rs->name);
        st->id = (uint32_t)i;
        st->scenario = (uint32_t)scenario_index(s, rs->scenario);
        st->n_checks = rs->n_checks;
        st->checks = lg_calloc(rs->n_checks + 1, sizeof(*st->checks));
        for (size_t k = 0; k < rs->n_checks; k++)
            st->checks[k].label = lg_strdup(rs->checks[k].label);
        st->n_tags = rs->n_tags;
        st->tags = lg_calloc(rs->n_tags + 1, sizeof(*st->tags));
        for (size_t k = 0; k < rs->n_tags; k++) {
            st->tags[k].name = lg_strdup(rs->tags[k].name);
            st->tags[k].value = lg_strdup(rs->tags[k].value);
        }
        s->steps[i] = st;
    }
}

static void judge_suite_free(struct judge_suite *j)
{
    for (size_t i = 0; i < j->s.n_steps; i++) {
        struct lg_step *st = &j->steps[i];
        free(st->name);
        for (size_t k = 0; k < st->n_checks; k++)
            free(st->checks[k].label);
        free(st->checks);
        for (size_t k = 0; k < st->n_tags; k++) {
            free(st->tags[k].name);
            free(st->tags[k].value);
        }
        free(st->tags);
    }
    free(j->steps);
    free(j->s.steps);
    for (size_t i = 0; i < j->s.n_scenarios; i++)
        free(j->s.scenarios[i].name);
    free(j->s.scenarios);
    free(j->s.name);
}

/* ---- refusals ---- */

static bool str_eq(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* What must be equal in every segment of one run (config_hash vouches for it; this
 * keeps a hand-edited file from being merged into nonsense). NULL: all equal, else
 * what differs. */
static const char *shape_differs(const struct lg_result *a, const struct lg_result *b)
{
    if (!str_eq(a->suite, b->suite))
        return "suite";
    if (a->schedule.open != b->schedule.open)
        return "load model (open or closed)";
    if (a->n_scenarios != b->n_scenarios)
        return "scenarios";
    for (size_t i = 0; i < a->n_scenarios; i++)
        if (!str_eq(a->scenarios[i].name, b->scenarios[i].name))
            return "scenarios";
    if (a->n_steps != b->n_steps)
        return "steps";
    for (size_t i = 0; i < a->n_steps; i++) {
        const struct lg_result_step *x = &a->steps[i], *y = &b->steps[i];
        if (!str_eq(x->scenario, y->scenario) || !str_eq(x->name, y->name))
            return "steps";
        if (x->n_checks != y->n_checks)
            return "checks";
        for (size_t k = 0; k < x->n_checks; k++)
            if (!str_eq(x->checks[k].label, y->checks[k].label))
                return "checks";
        if (x->n_tags != y->n_tags)
            return "step tags";
        for (size_t k = 0; k < x->n_tags; k++)
            if (!str_eq(x->tags[k].name, y->tags[k].name) ||
                !str_eq(x->tags[k].value, y->tags[k].value))
                return "step tags";
    }
    if (a->n_thresholds != b->n_thresholds)
        return "thresholds";
    for (size_t i = 0; i < a->n_thresholds; i++) {
        const struct lg_result_threshold *x = &a->thresholds[i], *y = &b->thresholds[i];
        if (!str_eq(x->expr, y->expr) || !str_eq(x->severity, y->severity) || x->abort != y->abort)
            return "thresholds";
    }
    if (!str_eq(a->profile, b->profile))
        return "profile";
    return NULL;
}

/* Bounds that keep the alignment's arithmetic far from overflow: 9999-12-31, and a
 * run of a century. */
#define LATEST_START_MS 253402300799999LL
#define LONGEST_RUN_S (100LL * 366 * 86400)

/* A segment result as loadgate writes it: the keys `merge` needs are all there. */
static int check_segment(const struct lg_result *r, const char *file, char *err, size_t errlen)
{
    if (r->merged.has)
        return lg_errorf(err, errlen,
                         "%s: a merged result, not a segment's: merge the segments' own results",
                         file);
    if (!r->has_segment)
        return lg_errorf(
            err, errlen,
            "%s: not a segment's result (\"segment\" is null or absent): merge takes the "
            "results of `loadgate run --segment K/N`",
            file);
    if (!r->config_hash || !*r->config_hash)
        return lg_errorf(err, errlen, "%s: no \"config_hash\": cannot tell which run it belongs to",
                         file);
    if (r->started_unix_ms <= 0)
        return lg_errorf(
            err, errlen,
            "%s: no \"started_unix_ms\": its seconds cannot be aligned with the others'", file);
    if (r->started_unix_ms > LATEST_START_MS)
        return lg_errorf(err, errlen, "%s: \"started_unix_ms\" %lld is after the year 9999", file,
                         (long long)r->started_unix_ms);
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        uint64_t sum = 0, errors = 0;
        bool wrapped = false;
        for (size_t k = 0; k < s->n_cells; k++) {
            wrapped |= __builtin_add_overflow(sum, s->cells[k].requests, &sum);
            wrapped |= __builtin_add_overflow(errors, s->cells[k].errors, &errors);
        }
        if (wrapped)
            return lg_errorf(err, errlen,
                             "%s: steps[%zu] (%s/%s): its cells hold more requests than a count "
                             "holds: an edited file",
                             file, i, s->scenario, s->name);
        if (sum != s->requests)
            return lg_errorf(
                err, errlen,
                "%s: steps[%zu] (%s/%s): its cells hold %llu requests, the step %llu: "
                "no merge data (written by a loadgate without `merge`?) or an edited file",
                file, i, s->scenario, s->name, (unsigned long long)sum,
                (unsigned long long)s->requests);
        /* the merged errors are the cells': the step's own count must agree */
        if (errors != s->errors)
            return lg_errorf(
                err, errlen,
                "%s: steps[%zu] (%s/%s): its cells hold %llu errors, the step %llu: an "
                "edited file",
                file, i, s->scenario, s->name, (unsigned long long)errors,
                (unsigned long long)s->errors);
    }
    for (size_t i = 0; i < r->n_series; i++)
        if (r->series[i].t_s < 0 || r->series[i].t_s > LONGEST_RUN_S)
            return lg_errorf(err, errlen, "%s: series[%zu]: second %lld is no second of a run",
                             file, i, (long long)r->series[i].t_s);
    for (size_t i = 0; i < r->n_series; i++)
        if (!r->series[i].histogram)
            return lg_errorf(err, errlen,
                             "%s: series[%zu] has no \"histogram\": no merge data (written by a "
                             "loadgate without `merge`?)",
                             file, i);
    return 0;
}

static int cmp_by_index(const void *a, const void *b)
{
    const struct lg_result *x = *(const struct lg_result *const *)a;
    const struct lg_result *y = *(const struct lg_result *const *)b;
    return (x->segment_index > y->segment_index) - (x->segment_index < y->segment_index);
}

/* "2, 3" */
static void list_missing(struct lg_buf *b, const uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lg_buf_printf(b, "%s%u", i ? ", " : "", (unsigned)v[i]);
}

/* Every refusal; on success *missing lists the segments not given (ascending). */
static int check_inputs(struct lg_result *const *in, const char *const *files, size_t n,
                        const struct lg_merge_opts *o, uint32_t **missing, size_t *n_missing,
                        char *err, size_t errlen)
{
    int rc;
    if (n == 0)
        return lg_errorf(err, errlen, "no segment results to merge");
    for (size_t i = 0; i < n; i++)
        if ((rc = check_segment(in[i], files[i], err, errlen)))
            return rc;
    const struct lg_result *a = in[0];
    for (size_t i = 1; i < n; i++) {
        const struct lg_result *b = in[i];
        if (strcmp(a->config_hash, b->config_hash))
            return lg_errorf(err, errlen,
                             "%s and %s are not segments of one run: their config_hash differ (%s, "
                             "%s): another suite, environment, profile, variable or load flag",
                             files[0], files[i], a->config_hash, b->config_hash);
        if (a->segment_count != b->segment_count)
            return lg_errorf(
                err, errlen,
                "%s is segment %u/%u but %s is segment %u/%u: different segment counts", files[0],
                (unsigned)a->segment_index, (unsigned)a->segment_count, files[i],
                (unsigned)b->segment_index, (unsigned)b->segment_count);
        const char *what = shape_differs(a, b);
        if (what)
            return lg_errorf(err, errlen, "%s and %s differ in their %s: not segments of one run",
                             files[0], files[i], what);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (in[i]->segment_index == in[j]->segment_index)
                return lg_errorf(err, errlen, "%s and %s are both segment %u/%u", files[i],
                                 files[j], (unsigned)in[i]->segment_index,
                                 (unsigned)in[i]->segment_count);
    uint32_t count = a->segment_count;
    bool *seen = lg_calloc(count + 1, sizeof(*seen));
    for (size_t i = 0; i < n; i++)
        seen[in[i]->segment_index] = true;
    *missing = NULL;
    *n_missing = 0;
    for (uint32_t k = 1; k <= count; k++) {
        if (seen[k])
            continue;
        *missing = lg_realloc(*missing, (*n_missing + 1) * sizeof(**missing));
        (*missing)[(*n_missing)++] = k;
    }
    free(seen);
    if (*n_missing && !o->allow_partial) {
        struct lg_buf b = {0};
        list_missing(&b, *missing, *n_missing);
        rc = lg_errorf(
            err, errlen,
            "segment%s %s of %u missing: give every segment's result (or --allow-partial, "
            "whose merged result fails the gate)",
            *n_missing == 1 ? "" : "s", b.data, (unsigned)count);
        lg_buf_free(&b);
        free(*missing);
        *missing = NULL;
        *n_missing = 0;
        return rc;
    }
    return 0;
}

/* ---- a segment's metrics, rebuilt ---- */

static int errclass_by_name(const char *name)
{
    for (int e = 1; e < LG_ERRC__COUNT; e++)
        if (!strcmp(lg_errclass_name(e), name))
            return e;
    return -1;
}

static int unsent_by_name(const char *name)
{
    for (int w = 0; w < LG_UNSENT__COUNT; w++)
        if (!strcmp(lg_unsent_name(w), name))
            return w;
    return -1;
}

/* The reader checked that every encoded histogram decodes. */
static struct lg_hist *decode(const char *enc)
{
    struct lg_hist *h = NULL;
    if (enc && lg_hist_decode(enc, &h) != 0)
        h = NULL;
    return h;
}

static struct lg_hist *decode_or_new(const char *enc)
{
    struct lg_hist *h = decode(enc);
    return h ? h : lg_hist_new();
}

/* A histogram the merge can take whole: lg_hist_new's layout (lg_hist_merge refuses
 * any other, which would drop its samples unseen) and no more samples than the
 * requests (or iterations) it belongs to. A decoder accepts any valid layout, so an
 * edited or foreign file must be caught here. */
static bool hist_fits(const struct lg_hist *h, uint64_t max)
{
    return !h || (h->lowest == LG_HIST_LOWEST && h->highest == LG_HIST_HIGHEST &&
                  h->sigfigs == LG_HIST_SIGFIGS && (uint64_t)h->total_count <= max);
}

static int step_metrics(const struct lg_result_step *rs, const char *file, size_t i, bool open,
                        struct lg_step_metrics *sm, char *err, size_t errlen)
{
    for (size_t k = 0; k < rs->n_cells; k++) {
        const struct lg_result_cell *rc = &rs->cells[k];
        for (size_t j = 0; j < sm->n_cells; j++)
            if (sm->cells[j].status == rc->status)
                return lg_errorf(err, errlen, "%s: steps[%zu].cells: status %d twice", file, i,
                                 rc->status);
        uint64_t by_class = 0;
        for (size_t e = 0; e < rc->n_error_classes; e++)
            by_class += rc->error_classes[e].count;
        if (by_class != rc->errors)
            return lg_errorf(err, errlen,
                             "%s: steps[%zu].cells[%zu]: its error classes sum to %llu, not %llu "
                             "errors",
                             file, i, k, (unsigned long long)by_class,
                             (unsigned long long)rc->errors);
        LG_GROW(sm->cells, sm->n_cells + 1, sm->cap_cells);
        struct lg_cell *c = &sm->cells[sm->n_cells++];
        memset(c, 0, sizeof(*c));
        c->status = rc->status;
        c->requests = rc->requests;
        c->errors = rc->errors;
        /* the histograms first: the cell then owns them whatever fails below */
        c->latency = decode_or_new(rc->latency);
        c->ttfb = decode_or_new(rc->ttfb);
        c->latency_uncorrected = open ? decode_or_new(rc->latency_uncorrected) : NULL;
        c->dns = decode(rc->dns);
        c->connect = decode(rc->connect);
        c->tls = decode(rc->tls);
        if (!hist_fits(c->latency, rc->requests) || !hist_fits(c->ttfb, rc->requests) ||
            !hist_fits(c->latency_uncorrected, rc->requests) || !hist_fits(c->dns, rc->requests) ||
            !hist_fits(c->connect, rc->requests) || !hist_fits(c->tls, rc->requests))
            return lg_errorf(
                err, errlen,
                "%s: steps[%zu].cells[%zu]: a histogram of another layout than "
                "loadgate's, or with more samples than its %llu requests: an edited or "
                "foreign file",
                file, i, k, (unsigned long long)rc->requests);
        for (size_t e = 0; e < rc->n_error_classes; e++) {
            int ec = errclass_by_name(rc->error_classes[e].name);
            if (ec < 0)
                return lg_errorf(err, errlen,
                                 "%s: steps[%zu].cells[%zu]: unknown error class \"%s\"", file, i,
                                 k, rc->error_classes[e].name);
            c->errors_by_class[ec] += rc->error_classes[e].count;
        }
    }
    sm->unsent = rs->unsent;
    for (size_t k = 0; k < rs->n_unsent_reasons; k++) {
        int w = unsent_by_name(rs->unsent_reasons[k].name);
        if (w < 0)
            return lg_errorf(err, errlen, "%s: steps[%zu].unsent_reasons: unknown reason \"%s\"",
                             file, i, rs->unsent_reasons[k].name);
        sm->unsent_by[w] += rs->unsent_reasons[k].count;
    }
    sm->retries = rs->retries;
    sm->retries_refused = rs->retries_refused;
    for (size_t k = 0; k < rs->n_protocols; k++) {
        enum lg_proto p = lg_proto_from_name(rs->protocols[k].name);
        if (p == LG_PROTO_NONE)
            return lg_errorf(err, errlen, "%s: steps[%zu].protocols: unknown protocol \"%s\"", file,
                             i, rs->protocols[k].name);
        sm->protocols[p] += rs->protocols[k].count;
    }
    for (size_t k = 0; k < sm->n_checks && k < rs->n_checks; k++) {
        const struct lg_result_check *ck = &rs->checks[k];
        sm->check_pass[k] = ck->passed;
        sm->check_fail[k] = ck->failed;
        if (!ck->n_reasons)
            continue;
        struct lg_reasons *rr = lg_calloc(1, sizeof(*rr));
        for (size_t x = 0; x < ck->n_reasons && rr->n < LG_REASONS_PER_CHECK; x++) {
            rr->v[rr->n].count = ck->reasons[x].count;
            snprintf(rr->v[rr->n].text, sizeof(rr->v[0].text), "%s", ck->reasons[x].name);
            rr->n++;
        }
        sm->reasons[k] = rr;
    }
    return 0;
}

/* *m (initialised for s) gets r's counts and histograms, as the workers of that
 * segment's run had published them (the series aside). */
static int segment_metrics(const struct lg_result *r, const char *file, const struct lg_suite *s,
                           struct lg_metrics *m, char *err, size_t errlen)
{
    int rc;
    for (size_t i = 0; i < r->n_steps && i < m->n_steps; i++)
        if ((rc = step_metrics(&r->steps[i], file, i, m->open, &m->steps[i], err, errlen)))
            return rc;
    for (size_t i = 0; i < r->n_scenarios && i < m->n_scenarios; i++) {
        const struct lg_result_scenario *rs = &r->scenarios[i];
        struct lg_scenario_metrics *sm = &m->scenarios[i];
        sm->iterations = rs->iterations;
        sm->iterations_failed = rs->iterations_failed;
        sm->iterations_interrupted = rs->iterations_interrupted;
        if (!hist_fits(rs->histogram, UINT64_MAX) ||
            !hist_fits(rs->histogram_uncorrected, UINT64_MAX))
            return lg_errorf(err, errlen,
                             "%s: scenarios[%zu]: an iteration histogram of another layout than "
                             "loadgate's: an edited or foreign file",
                             file, i);
        if (rs->histogram)
            lg_hist_merge(sm->duration, rs->histogram);
        if (m->open && rs->histogram_uncorrected)
            lg_hist_merge(sm->duration_uncorrected, rs->histogram_uncorrected);
    }
    (void)s;
    m->dropped = r->dropped_iterations;
    m->feed_exhausted = r->feed_exhausted;
    m->paced = r->limits.paced;
    m->connections = r->connections;
    if (m->open) {
        m->scheduled = r->schedule.scheduled;
        m->waited = r->schedule.waited;
        struct lg_hist *lag = decode(r->schedule.lag_histogram);
        struct lg_hist *wait = decode(r->schedule.wait_histogram);
        if (!hist_fits(lag, UINT64_MAX) || !hist_fits(wait, UINT64_MAX)) {
            lg_hist_free(lag);
            lg_hist_free(wait);
            return lg_errorf(err, errlen,
                             "%s: schedule: a lag or wait histogram of another layout than "
                             "loadgate's: an edited or foreign file",
                             file);
        }
        if (lag)
            lg_hist_merge(m->lag, lag);
        if (wait)
            lg_hist_merge(m->wait, wait);
        lg_hist_free(lag);
        lg_hist_free(wait);
    }
    return 0;
}

/* ---- the series, aligned by wall clock ---- */

struct spoint {
    int64_t t; /* merged second */
    const struct lg_result_point *p;
};

static int cmp_spoint(const void *a, const void *b)
{
    const struct spoint *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* Second t_s of a segment that started off_s whole seconds (rounded to the nearest)
 * after the first is second t_s + off_s of the merged run; the seconds that fall
 * together are summed and their histograms merged, so each second's percentiles
 * are exact. */
static int merge_series(struct lg_result *const *in, const char *const *files, size_t n,
                        int64_t start_ms, struct lg_metrics *agg, char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += in[i]->n_series;
    if (!total)
        return 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < in[i]->n_series; j++) {
            struct lg_hist *s = decode(in[i]->series[j].histogram);
            bool ok = hist_fits(s, in[i]->series[j].requests);
            lg_hist_free(s);
            if (!ok)
                return lg_errorf(
                    err, errlen,
                    "%s: series[%zu]: a histogram of another layout than loadgate's, or "
                    "with more samples than its %llu requests: an edited or foreign file",
                    files[i], j, (unsigned long long)in[i]->series[j].requests);
        }
    struct spoint *v = lg_calloc(total, sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t off = (in[i]->started_unix_ms - start_ms + 500) / 1000;
        for (size_t j = 0; j < in[i]->n_series; j++)
            v[k++] = (struct spoint){in[i]->series[j].t_s + off, &in[i]->series[j]};
    }
    qsort(v, total, sizeof(*v), cmp_spoint);
    struct lg_hist *h = lg_hist_new();
    for (size_t i = 0; i < total;) {
        struct lg_series_point pt = {.t_s = v[i].t};
        lg_hist_reset(h);
        for (; i < total && v[i].t == pt.t_s; i++) {
            pt.requests += v[i].p->requests;
            pt.errors += v[i].p->errors;
            pt.vus += v[i].p->vus;
            struct lg_hist *s = decode(v[i].p->histogram);
            if (s)
                lg_hist_merge(h, s);
            lg_hist_free(s);
        }
        pt.p50_us = lg_hist_percentile(h, 50);
        pt.p95_us = lg_hist_percentile(h, 95);
        pt.p99_us = lg_hist_percentile(h, 99);
        LG_GROW(agg->series, agg->n_series + 1, agg->cap_series);
        agg->series[agg->n_series++] = pt;
    }
    lg_hist_free(h);
    free(v);
    return 0;
}

/* ---- the merged result ---- */

static void collect_thresholds(const struct lg_result *r, const struct lg_suite *s,
                               struct lg_threshold **out, size_t *n_out, char *err, size_t errlen,
                               int *rc, const char *file)
{
    struct lg_threshold *th = lg_calloc(r->n_thresholds + 1, sizeof(*th));
    size_t n = 0;
    *rc = 0;
    for (size_t i = 0; i < r->n_thresholds && !*rc; i++) {
        const struct lg_result_threshold *rt = &r->thresholds[i];
        char why[256];
        int off = 0;
        if (lg_threshold_parse(rt->expr, &th[n], why, sizeof(why), &off)) {
            *rc = lg_errorf(err, errlen, "%s: thresholds[%zu] \"%s\": %s", file, i, rt->expr, why);
            break;
        }
        n++;
        th[n - 1].severity = !strcmp(rt->severity, "warning") ? LG_SEV_WARNING : LG_SEV_CRITICAL;
        th[n - 1].abort = rt->abort;
        if (lg_threshold_resolve(&th[n - 1], s, why, sizeof(why)))
            *rc = lg_errorf(err, errlen, "%s: thresholds[%zu] \"%s\": %s", file, i, rt->expr, why);
    }
    *out = th;
    *n_out = n;
}

static void free_thresholds(struct lg_threshold *th, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lg_threshold_clear(&th[i]);
    free(th);
}

static void add_rule(struct lg_result *r, const char *name, bool ok, char *text)
{
    r->rules = lg_realloc(r->rules, (r->n_rules + 1) * sizeof(*r->rules));
    r->rules[r->n_rules++] = (struct lg_result_rule){lg_strdup(name), ok, text};
}

/* The regression settings a segment recorded (the suite's `regression:` block, and
 * the flags it ran with), for `compare` and `--baseline` to judge the merged run as
 * they judge a run. */
static void copy_regset(struct lg_result_regset *dst, const struct lg_result_regset *src)
{
    *dst = *src;
    if (!src->n_steps) {
        dst->steps = NULL;
        return;
    }
    dst->steps = lg_calloc(src->n_steps, sizeof(*dst->steps));
    for (size_t i = 0; i < src->n_steps; i++) {
        dst->steps[i] = src->steps[i];
        dst->steps[i].scenario = lg_strdup(src->steps[i].scenario ? src->steps[i].scenario : "");
        dst->steps[i].step = lg_strdup(src->steps[i].step ? src->steps[i].step : "");
    }
}

/* The segments' load adds up to the whole only while they all run: started hours
 * apart, each met a server carrying 1/N of the load, and thresholds kept on that
 * data say nothing of the whole. --start-at starts them within a second. */
static void check_together(struct lg_result *r, struct lg_result *const *in, const size_t *order,
                           size_t n)
{
    size_t first = order[0], last = order[0];
    double shortest = in[order[0]]->duration_s;
    for (size_t i = 0; i < n; i++) {
        const struct lg_result *g = in[order[i]];
        if (g->started_unix_ms < in[first]->started_unix_ms)
            first = order[i];
        if (g->started_unix_ms > in[last]->started_unix_ms)
            last = order[i];
        if (g->duration_s < shortest)
            shortest = g->duration_s;
    }
    double spread = (double)(in[last]->started_unix_ms - in[first]->started_unix_ms) / 1e3;
    double allowed = shortest / 10 > LG_MERGE_SPREAD_S ? shortest / 10 : LG_MERGE_SPREAD_S;
    if (spread <= allowed)
        return;
    char *text = lg_asprintf(
        "segment %u/%u started %.3f s after segment %u/%u (more than %.0f s or a tenth of "
        "the shortest segment, %.3f s): the whole load never ran at once, so the merged data "
        "cannot vouch for it; start the segments together (--start-at TIME)",
        (unsigned)in[last]->segment_index, (unsigned)in[last]->segment_count, spread,
        (unsigned)in[first]->segment_index, (unsigned)in[first]->segment_count, LG_MERGE_SPREAD_S,
        shortest);
    add_rule(r, LG_RULE_TOGETHER, false, text);
    if (r->verdict == LG_VERDICT_PASS)
        r->verdict = LG_VERDICT_FAIL;
}

static void record_merge(struct lg_result *r, struct lg_result *const *in, const char *const *files,
                         const size_t *order, size_t n, uint32_t *missing, size_t n_missing,
                         int64_t start_ms)
{
    const struct lg_result *a = in[order[0]];
    r->config_hash = lg_strdup(a->config_hash);
    r->started_unix_ms = start_ms;
    copy_regset(&r->regression, &a->regression);
    struct lg_result_merged *m = &r->merged;
    m->has = true;
    m->count = a->segment_count;
    m->n_segments = n;
    m->segments = lg_calloc(n, sizeof(*m->segments));
    for (size_t i = 0; i < n; i++) {
        const struct lg_result *g = in[order[i]];
        m->segments[i] = (struct lg_result_merged_segment){
            .index = g->segment_index,
            .file = lg_strdup(files[order[i]]),
            .verdict = g->verdict,
            .abort_reason = g->abort_reason ? lg_strdup(g->abort_reason) : NULL,
            .started_unix_ms = g->started_unix_ms,
            .duration_s = g->duration_s,
            .requests = g->requests,
        };
    }
    m->missing = missing;
    m->n_missing = n_missing;
    check_together(r, in, order, n);
    if (!n_missing)
        return;
    struct lg_buf b = {0};
    lg_buf_printf(&b, "only %zu of %u segments merged (missing: ", n, (unsigned)m->count);
    list_missing(&b, missing, n_missing);
    lg_buf_puts(&b, "): the merged data lacks their share of the load, so it cannot pass the gate");
    add_rule(r, LG_RULE_PARTIAL, false, lg_buf_take(&b));
    if (r->verdict == LG_VERDICT_PASS)
        r->verdict = LG_VERDICT_FAIL;
}

static int build(struct lg_result *const *in, const char *const *files, const size_t *order,
                 size_t n, struct lg_metrics *agg, const struct lg_suite *s,
                 const struct lg_threshold *th, size_t n_th, int64_t start_ms,
                 struct lg_result **out)
{
    const struct lg_result *a = in[order[0]];
    /* a segment records the whole schedule's peak rate (docs/segments.md) */
    struct lg_run_report rep = {.started_wall_ms = start_ms,
                                .peak_rate_per_s = a->schedule.peak_rate_per_s};
    struct lg_buf why = {0};
    uint32_t vus = 0;
    for (size_t i = 0; i < n; i++) {
        const struct lg_result *g = in[order[i]];
        double end = (double)(g->started_unix_ms - start_ms) / 1e3 + g->duration_s;
        if (end > rep.duration_s)
            rep.duration_s = end;
        vus += g->vus;
        if (g->verdict == LG_VERDICT_ABORTED) {
            rep.aborted = true;
            lg_buf_printf(&why, "%ssegment %u/%u: %s", why.len ? "; " : "",
                          (unsigned)g->segment_index, (unsigned)g->segment_count,
                          g->abort_reason ? g->abort_reason : "aborted");
        }
    }
    (void)files;
    if (rep.aborted)
        snprintf(rep.abort_reason, sizeof(rep.abort_reason), "%s", why.data);
    rep.metrics = *agg;
    struct lg_outcome_info info = {
        .file = a->file ? a->file : "",
        .env = a->env,
        .profile = a->profile,
        .base_url = a->base_url,
        .vus = vus,
        .http = a->http && !strcmp(a->http, "2") ? LG_HTTP_2 : LG_HTTP_1_1,
        .multiplex = a->multiplex,
        .proxy = a->proxy,
        .proxy_variable = a->proxy_variable,
        .max_lateness_us = (int64_t)(a->schedule.max_lateness_s * 1e6 + 0.5),
        /* the environment's whole-run caps, as every segment records them; what
         * they paced is the merged metrics' sum */
        .limits = a->limits,
    };
    struct lg_result *r = lg_outcome_build(s, th, n_th, &rep, &info);
    if (rep.aborted) {
        free(r->abort_reason);
        r->abort_reason = lg_buf_take(&why); /* every segment's reason, however long */
    }
    lg_buf_free(&why);
    *out = r;
    return 0;
}

int lg_merge(struct lg_result *const *in, const char *const *files, size_t n,
             const struct lg_merge_opts *o, struct lg_result **out, char *err, size_t errlen)
{
    uint32_t *missing = NULL;
    size_t n_missing = 0;
    int rc = check_inputs(in, files, n, o, &missing, &n_missing, err, errlen);
    if (rc)
        return rc;
    /* in segment order, whatever the order of the files */
    size_t *order = lg_calloc(n, sizeof(*order));
    const struct lg_result **sorted = lg_calloc(n, sizeof(*sorted));
    for (size_t i = 0; i < n; i++)
        sorted[i] = in[i];
    qsort(sorted, n, sizeof(*sorted), cmp_by_index);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (in[j] == sorted[i])
                order[i] = j;
    free(sorted);

    const struct lg_result *a = in[order[0]];
    const char *afile = files[order[0]];
    int64_t start_ms = a->started_unix_ms;
    for (size_t i = 0; i < n; i++)
        if (in[i]->started_unix_ms < start_ms)
            start_ms = in[i]->started_unix_ms;

    struct judge_suite js;
    judge_suite_init(&js, a);
    struct lg_threshold *th = NULL;
    size_t n_th = 0;
    collect_thresholds(a, &js.s, &th, &n_th, err, errlen, &rc, afile);
    struct lg_metrics agg;
    lg_metrics_init(&agg, &js.s);
    if (a->schedule.open)
        lg_metrics_enable_open(&agg);
    for (size_t i = 0; i < n && !rc; i++) {
        struct lg_metrics seg;
        lg_metrics_init(&seg, &js.s);
        if (a->schedule.open)
            lg_metrics_enable_open(&seg);
        rc = segment_metrics(in[order[i]], files[order[i]], &js.s, &seg, err, errlen);
        if (!rc)
            lg_metrics_merge(&agg, &seg);
        lg_metrics_free(&seg);
    }
    if (!rc)
        rc = merge_series(in, files, n, start_ms, &agg, err, errlen);
    if (!rc) {
        struct lg_result *r = NULL;
        build(in, files, order, n, &agg, &js.s, th, n_th, start_ms, &r);
        record_merge(r, in, files, order, n, missing, n_missing, start_ms);
        missing = NULL;
        lg_result_settle(r);
        *out = r;
    }
    lg_metrics_free(&agg);
    free_thresholds(th, n_th);
    judge_suite_free(&js);
    free(order);
    free(missing);
    return rc;
}
