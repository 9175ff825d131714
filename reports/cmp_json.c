/* cmp_json: the comparison of two runs as JSON (schema loadgate.comparison/1,
 * docs/compare.md), every row with its numbers, bounds and status, for tools that gate
 * or chart on it. Keys in a fixed order; a number that is not one (no value, no
 * bound) is null. */
#include "comparison.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmp_units.h"
#include "utf8.h"
#include "util.h"

/* jansson fails only when out of memory here, which is fatal as everywhere else. */
static json_t *chk(json_t *j)
{
    if (!j) {
        fprintf(stderr, "loadgate: out of memory building the JSON comparison\n");
        abort();
    }
    return j;
}

static void set(json_t *o, const char *key, json_t *v)
{
    if (json_object_set_new(o, key, chk(v)) != 0)
        chk(NULL);
}

static void push(json_t *a, json_t *v)
{
    if (json_array_append_new(a, chk(v)) != 0)
        chk(NULL);
}

/* Names come from results read by jansson, so they are valid UTF-8; the files are
 * named on the command line, where any byte goes: a byte that is not UTF-8 becomes
 * U+FFFD, as in result.json, and the rest of the string is kept. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (!j) {
        char *c = lg_utf8_clean(s);
        j = chk(json_string(c));
        free(c);
    }
    return j;
}

static json_t *jint(uint64_t v)
{
    return json_integer(v > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)v);
}

static json_t *jnum(bool has, double v)
{
    return has && isfinite(v) ? json_real(lg_result_sig15(v)) : json_null();
}

static json_t *bounds_obj(const struct lg_cmp_bounds *b)
{
    json_t *o = chk(json_object());
    set(o, "lo", jnum(b->has_lo, b->lo));
    set(o, "hi", jnum(b->has_hi, b->hi));
    return o;
}

static json_t *cell_obj(const struct lg_comparison *c, const struct lg_cmp_row *row,
                        enum lg_cmp_metric m, const struct lg_cmp_cell *cl)
{
    bool judged = lg_cmp_cell_judged(c, row, m);
    json_t *o = chk(json_object());
    set(o, "base", jnum(cl->has_base, cl->base));
    set(o, "new", jnum(cl->has_new, cl->new));
    /* latencies are whole microseconds: their difference is too, not 0.751999999999999 */
    bool latency = m <= LG_CMP_MAX && isfinite(cl->abs_change);
    set(o, "abs_change",
        latency ? json_real(lg_result_round(cl->abs_change, 3)) : jnum(true, cl->abs_change));
    set(o, "rel_change", jnum(true, cl->rel_change));
    set(o, "judged", json_boolean(judged));
    set(o, "status", jstr(lg_cmp_status_name(judged ? cl->status : LG_CMP_NOT_JUDGED)));
    set(o, "budget", judged ? jnum(true, cl->budget) : json_null());
    set(o, "base_bounds", cl->has_bounds ? bounds_obj(&cl->base_bounds) : json_null());
    set(o, "new_bounds", cl->has_bounds ? bounds_obj(&cl->new_bounds) : json_null());
    set(o, "p_value", jnum(true, cl->p_value));
    return o;
}

static json_t *row_obj(const struct lg_comparison *c, const struct lg_cmp_row *row)
{
    json_t *o = chk(json_object());
    if (row->step) {
        set(o, "scenario", jstr(row->scenario));
        set(o, "step", jstr(row->step));
    }
    set(o, "status", jstr(lg_cmp_status_name(row->status)));
    set(o, "base_requests", jint(row->base_requests));
    set(o, "new_requests", jint(row->new_requests));
    set(o, "base_samples", jint(row->base_samples));
    set(o, "new_samples", jint(row->new_samples));
    json_t *metrics = chk(json_object());
    for (int m = 0; m < LG_CMP_METRICS; m++)
        set(metrics, lg_cmp_metric_name((enum lg_cmp_metric)m),
            cell_obj(c, row, (enum lg_cmp_metric)m, &row->cells[m]));
    set(o, "metrics", metrics);
    return o;
}

static json_t *names_arr(const struct lg_cmp_name *v, size_t n, bool steps)
{
    json_t *a = chk(json_array());
    for (size_t i = 0; i < n; i++) {
        if (!steps) {
            push(a, jstr(v[i].name));
            continue;
        }
        json_t *o = chk(json_object());
        set(o, "scenario", jstr(v[i].scenario));
        set(o, "name", jstr(v[i].name));
        push(a, o);
    }
    return a;
}

static json_t *one_side_obj(const struct lg_cmp_one_side *s)
{
    json_t *o = chk(json_object());
    set(o, "steps", names_arr(s->steps, s->n_steps, true));
    set(o, "scenarios", names_arr(s->scenarios, s->n_scenarios, false));
    set(o, "thresholds", names_arr(s->thresholds, s->n_thresholds, false));
    return o;
}

static json_t *run_obj(const char *path, const struct lg_result *r)
{
    json_t *o = chk(json_object());
    set(o, "file", jstr(path));
    set(o, "suite", jstr(r->suite));
    set(o, "started_at", r->started_at ? jstr(r->started_at) : json_null());
    set(o, "verdict", jstr(lg_verdict_name(r->verdict)));
    set(o, "requests", jint(r->requests));
    return o;
}

char *lg_cmp_report_json(const struct lg_cmp_doc *d)
{
    const struct lg_comparison *c = d->c;
    struct lg_cmp_tally t;
    lg_cmp_tally(c, &t);
    json_t *root = chk(json_object());
    set(root, "schema", jstr(LG_COMPARISON_SCHEMA));
    set(root, "status", jstr(lg_cmp_status_name(c->status)));
    set(root, "failed", json_boolean(lg_cmp_doc_failed(d)));
    char *v = lg_cmp_verdict_line(d);
    set(root, "verdict", jstr(v));
    free(v);
    json_t *counts = chk(json_object());
    for (int s = LG_CMP_IMPROVED; s <= LG_CMP_REGRESSION; s++)
        set(counts, lg_cmp_status_name((enum lg_cmp_status)s), jint(t.n[s]));
    set(root, "counts", counts);
    set(root, "base", run_obj(d->base_path, d->base));
    set(root, "new", run_obj(d->new_path, d->new));
    json_t *opts = chk(json_object());
    set(opts, "confidence", jnum(true, c->opts.confidence));
    json_t *judged = chk(json_array()), *budgets = chk(json_object());
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        if (!lg_cmp_judged(c, (enum lg_cmp_metric)m))
            continue;
        push(judged, jstr(lg_cmp_metric_name((enum lg_cmp_metric)m)));
        set(budgets, lg_cmp_metric_name((enum lg_cmp_metric)m), jnum(true, c->opts.budget[m]));
    }
    set(opts, "metrics", judged);
    set(opts, "budget", budgets);
    set(opts, "rate_floor", jnum(true, c->opts.rate_floor));
    set(opts, "allow_different_suite", json_boolean(c->opts.allow_different_suite));
    set(opts, "fail_on_inconclusive", json_boolean(d->fail_on_inconclusive));
    set(root, "options", opts);
    set(root, "different_suite", json_boolean(c->different_suite));
    set(root, "overall", row_obj(c, &c->overall));
    json_t *rows = chk(json_array());
    for (size_t i = 0; i < c->n_rows; i++)
        push(rows, row_obj(c, &c->rows[i]));
    set(root, "steps", rows);
    set(root, "only_base", one_side_obj(&c->only_base));
    set(root, "only_new", one_side_obj(&c->only_new));
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (!s)
        chk(NULL);
    char *out = lg_asprintf("%s\n", s);
    free(s);
    return out;
}
