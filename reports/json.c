/* json: writes result.json (schema loadgate.result/1) with its keys in a fixed order,
 * through the atomic file write (atomicfile.h), so that a reader never sees a
 * half-written report. */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "utf8.h"
#include "util.h"

/* jansson returns NULL only on out-of-memory here (every string and number passed
 * to it is made valid first), which is fatal like everywhere else in loadgate. */
static json_t *chk(json_t *j)
{
    if (!j) {
        fprintf(stderr, "loadgate: out of memory building result.json\n");
        abort();
    }
    return j;
}

static void set(json_t *o, const char *key, json_t *v)
{
    if (json_object_set_new(o, key, chk(v)) != 0)
        chk(NULL);
}

static json_t *jstr(const char *s)
{
    if (!s)
        s = "";
    json_t *j = json_string(s);
    if (!j) {
        char *c = lg_utf8_clean(s);
        j = json_string(c);
        free(c);
    }
    return chk(j);
}

/* NULL becomes null (for env, profile, base_url, abort_reason). */
static json_t *jstr_or_null(const char *s)
{
    return s ? jstr(s) : chk(json_null());
}

/* A key that comes from data (status codes, error classes); jansson would refuse,
 * and free the value, if it were not UTF-8. */
static void set_key(json_t *o, const char *key, json_t *v)
{
    if (lg_utf8_valid(key)) {
        set(o, key, v);
        return;
    }
    char *c = lg_utf8_clean(key);
    set(o, c, v);
    free(c);
}

static json_t *jint(uint64_t v)
{
    return chk(json_integer(v > (uint64_t)LLONG_MAX ? LLONG_MAX : (json_int_t)v));
}

/* Any number, written with 15 significant digits (JSON_REAL_PRECISION below). */
static json_t *jnum(double v)
{
    return chk(json_real(lg_result_sig15(v)));
}

/* At most 3 decimals: milliseconds to the microsecond, seconds to the millisecond,
 * rates to a thousandth (result.h, lg_result_round: the engine's result holds the
 * same, so the writer is idempotent and a result read back equals it). */
static json_t *jdec3(double v)
{
    return chk(json_real(lg_result_round(v, 3)));
}

/* The run's duration in seconds, to the microsecond: every rate is divided by it. */
static json_t *jdec6(double v)
{
    return chk(json_real(lg_result_round(v, 6)));
}

static json_t *counts_obj(const struct lg_count *v, size_t n)
{
    json_t *o = chk(json_object());
    for (size_t i = 0; i < n; i++)
        set_key(o, v[i].name ? v[i].name : "", jint(v[i].count));
    return o;
}

static json_t *latency_obj(const struct lg_latency_ms *l)
{
    json_t *o = chk(json_object());
    set(o, "min", jdec3(l->min));
    set(o, "p50", jdec3(l->p50));
    set(o, "p90", jdec3(l->p90));
    set(o, "p95", jdec3(l->p95));
    set(o, "p99", jdec3(l->p99));
    set(o, "p999", jdec3(l->p999));
    set(o, "max", jdec3(l->max));
    set(o, "mean", jdec3(l->mean));
    return o;
}

/* A phase of the requests (ttfb, dns, connect, tls): how many samples, then the
 * figures as latency_ms; null when there was none, so that no one reads 0ms. */
static json_t *phase_obj(const struct lg_latency_ms *l, uint64_t n)
{
    if (!n)
        return chk(json_null());
    json_t *o = chk(json_object());
    set(o, "count", jint(n));
    json_t *f = latency_obj(l);
    if (json_object_update(o, f) != 0)
        chk(NULL);
    json_decref(f);
    return o;
}

static json_t *hist_str(const struct lg_hist *h)
{
    struct lg_hist *empty = h ? NULL : lg_hist_new();
    char *enc = lg_hist_encode(h ? h : empty);
    json_t *j = jstr(enc);
    free(enc);
    lg_hist_free(empty);
    return j;
}

/* The uncorrected figures go right after their corrected counterparts, and only in
 * the open model: in the closed model they would equal the corrected ones. */
/* An encoded histogram kept as text (segment results), or null. */
static json_t *jhist_text(const char *enc)
{
    return enc ? jstr(enc) : chk(json_null());
}

/* What `loadgate merge` needs of a step beyond what every result holds: its tags
 * and its requests per status with their histograms (segment results only). */
static void set_merge_data(json_t *o, const struct lg_result_step *s)
{
    json_t *tags = chk(json_array());
    for (size_t i = 0; i < s->n_tags; i++) {
        json_t *t = chk(json_object());
        set(t, "name", jstr(s->tags[i].name));
        set(t, "value", jstr(s->tags[i].value));
        json_array_append_new(tags, t);
    }
    set(o, "tags", tags);
    json_t *cells = chk(json_array());
    for (size_t i = 0; i < s->n_cells; i++) {
        const struct lg_result_cell *c = &s->cells[i];
        json_t *j = chk(json_object());
        set(j, "status", chk(json_integer(c->status)));
        set(j, "requests", jint(c->requests));
        set(j, "errors", jint(c->errors));
        set(j, "error_classes", counts_obj(c->error_classes, c->n_error_classes));
        set(j, "histogram", jhist_text(c->latency));
        set(j, "histogram_uncorrected", jhist_text(c->latency_uncorrected));
        set(j, "ttfb", jhist_text(c->ttfb));
        set(j, "dns", jhist_text(c->dns));
        set(j, "connect", jhist_text(c->connect));
        set(j, "tls", jhist_text(c->tls));
        json_array_append_new(cells, j);
    }
    set(o, "cells", cells);
}

static json_t *step_obj(const struct lg_result_step *s, bool open, bool segment)
{
    bool unc = open && s->has_uncorrected;
    json_t *o = chk(json_object());
    set(o, "scenario", jstr(s->scenario));
    set(o, "name", jstr(s->name));
    set(o, "requests", jint(s->requests));
    set(o, "errors", jint(s->errors));
    set(o, "unsent", jint(s->unsent));
    set(o, "unsent_reasons", counts_obj(s->unsent_reasons, s->n_unsent_reasons));
    set(o, "retries", jint(s->retries));
    set(o, "retries_refused", jint(s->retries_refused));
    set(o, "status", counts_obj(s->status, s->n_status));
    set(o, "error_classes", counts_obj(s->error_classes, s->n_error_classes));
    set(o, "protocols", counts_obj(s->protocols, s->n_protocols));
    set(o, "latency_ms", latency_obj(&s->latency_ms));
    if (unc)
        set(o, "latency_uncorrected_ms", latency_obj(&s->latency_uncorrected_ms));
    set(o, "ttfb_ms", phase_obj(&s->ttfb_ms, s->ttfb_n));
    set(o, "dns_ms", phase_obj(&s->dns_ms, s->dns_n));
    set(o, "connect_ms", phase_obj(&s->connect_ms, s->connect_n));
    set(o, "tls_ms", phase_obj(&s->tls_ms, s->tls_n));
    json_t *checks = chk(json_object());
    set(checks, "passed", jint(s->checks_passed));
    set(checks, "failed", jint(s->checks_failed));
    json_t *list = chk(json_array());
    for (size_t i = 0; i < s->n_checks; i++) {
        json_t *c = chk(json_object());
        set(c, "label", jstr(s->checks[i].label));
        set(c, "passed", jint(s->checks[i].passed));
        set(c, "failed", jint(s->checks[i].failed));
        json_t *reasons = chk(json_array());
        for (size_t k = 0; k < s->checks[i].n_reasons; k++) {
            json_t *rs = chk(json_object());
            set(rs, "text", jstr(s->checks[i].reasons[k].name));
            set(rs, "count", jint(s->checks[i].reasons[k].count));
            json_array_append_new(reasons, rs);
        }
        set(c, "reasons", reasons);
        json_array_append_new(list, c);
    }
    set(checks, "list", list);
    set(o, "checks", checks);
    set(o, "histogram", hist_str(s->histogram));
    if (unc)
        set(o, "histogram_uncorrected", hist_str(s->histogram_uncorrected));
    if (segment)
        set_merge_data(o, s);
    return o;
}

static json_t *scenario_obj(const struct lg_result_scenario *sc, bool open)
{
    bool unc = open && sc->has_uncorrected;
    json_t *o = chk(json_object());
    set(o, "name", jstr(sc->name));
    set(o, "iterations", jint(sc->iterations));
    set(o, "iterations_failed", jint(sc->iterations_failed));
    set(o, "iterations_interrupted", jint(sc->iterations_interrupted));
    set(o, "iteration_ms", latency_obj(&sc->iteration_ms));
    if (unc)
        set(o, "iteration_uncorrected_ms", latency_obj(&sc->iteration_uncorrected_ms));
    set(o, "histogram", hist_str(sc->histogram));
    if (unc)
        set(o, "histogram_uncorrected", hist_str(sc->histogram_uncorrected));
    return o;
}

/* The closed model has nothing to say beyond its name. */
static json_t *schedule_obj(const struct lg_result_schedule *sc, bool segment)
{
    json_t *o = chk(json_object());
    set(o, "model", jstr(sc->open ? "open" : "closed"));
    if (!sc->open)
        return o;
    set(o, "peak_rate_per_s", jdec3(sc->peak_rate_per_s));
    set(o, "max_vus", jint(sc->max_vus));
    set(o, "max_lateness_s", jdec3(sc->max_lateness_s));
    set(o, "scheduled", jint(sc->scheduled));
    set(o, "started", jint(sc->started));
    set(o, "dropped", jint(sc->dropped));
    set(o, "waited", jint(sc->waited));
    set(o, "lag_ms", latency_obj(&sc->lag_ms));
    set(o, "wait_ms", latency_obj(&sc->wait_ms));
    set(o, "sustained", chk(json_boolean(sc->sustained)));
    set(o, "note", jstr_or_null(sc->note));
    if (segment) {
        set(o, "lag_histogram", jhist_text(sc->lag_histogram));
        set(o, "wait_histogram", jhist_text(sc->wait_histogram));
    }
    return o;
}

static json_t *limits_obj(const struct lg_result_limits *l)
{
    if (!l->has)
        return chk(json_null());
    json_t *o = chk(json_object());
    set(o, "max_rate_per_s", l->max_rate_per_s > 0 ? jdec3(l->max_rate_per_s) : chk(json_null()));
    set(o, "max_vus", l->max_vus ? jint(l->max_vus) : chk(json_null()));
    set(o, "vus_asked", jint(l->vus_asked));
    set(o, "vus_capped", chk(json_boolean(l->vus_capped)));
    set(o, "rate_asked_per_s",
        l->rate_asked_per_s > 0 ? jdec3(l->rate_asked_per_s) : chk(json_null()));
    set(o, "rate_capped", chk(json_boolean(l->rate_capped)));
    set(o, "requests_paced", jint(l->paced));
    return o;
}

static json_t *threshold_obj(const struct lg_result_threshold *t)
{
    json_t *o = chk(json_object());
    set(o, "expr", jstr(t->expr));
    set(o, "severity", jstr(t->severity ? t->severity : "critical"));
    set(o, "ok", chk(json_boolean(t->ok)));
    bool dec3 = t->unit && (!strcmp(t->unit, "ms") || !strcmp(t->unit, "per_s"));
    set(o, "observed", dec3 ? jdec3(t->observed) : jnum(t->observed));
    set(o, "unit", jstr(t->unit));
    set(o, "observed_text", jstr(t->observed_text));
    set(o, "no_samples", chk(json_boolean(t->no_samples)));
    set(o, "abort", chk(json_boolean(t->abort)));
    return o;
}

static json_t *jmaybe(bool has, double v)
{
    return has ? jnum(v) : chk(json_null());
}

static json_t *bounds_obj(bool has_lo, double lo, bool has_hi, double hi)
{
    json_t *o = chk(json_object());
    set(o, "lo", jmaybe(has_lo, lo));
    set(o, "hi", jmaybe(has_hi, hi));
    return o;
}

static json_t *regression_obj(const struct lg_result_regression *g)
{
    json_t *o = chk(json_object());
    set(o, "scenario", jstr_or_null(g->scenario));
    set(o, "step", jstr_or_null(g->step));
    set(o, "metric", jstr(g->metric));
    set(o, "status", jstr(g->status));
    set(o, "base", jmaybe(g->has_base, g->base));
    set(o, "new", jmaybe(g->has_new, g->new));
    set(o, "base_bounds", bounds_obj(g->has_base_lo, g->base_lo, g->has_base_hi, g->base_hi));
    set(o, "new_bounds", bounds_obj(g->has_new_lo, g->new_lo, g->has_new_hi, g->new_hi));
    return o;
}

/* "merged": written for a result of `loadgate merge` only. */
static void set_merged(json_t *root, const struct lg_result *r)
{
    const struct lg_result_merged *m = &r->merged;
    if (!m->has)
        return;
    json_t *o = chk(json_object());
    set(o, "count", jint(m->count));
    json_t *a = chk(json_array());
    for (size_t i = 0; i < m->n_segments; i++) {
        const struct lg_result_merged_segment *g = &m->segments[i];
        json_t *j = chk(json_object());
        set(j, "index", jint(g->index));
        set(j, "file", jstr(g->file));
        set(j, "verdict", jstr(lg_verdict_name(g->verdict)));
        set(j, "abort_reason", jstr_or_null(g->abort_reason));
        set(j, "started_unix_ms", chk(json_integer(g->started_unix_ms)));
        set(j, "duration_s", jdec6(g->duration_s));
        set(j, "requests", jint(g->requests));
        json_array_append_new(a, j);
    }
    set(o, "segments", a);
    a = chk(json_array());
    for (size_t i = 0; i < m->n_missing; i++)
        json_array_append_new(a, jint(m->missing[i]));
    set(o, "missing", a);
    set(root, "merged", o);
}

/* "baseline" and "regressions[]", written only for a run with --baseline. */
static void set_baseline(json_t *root, const struct lg_result *r)
{
    const struct lg_result_baseline *b = &r->baseline;
    if (!b->has)
        return;
    json_t *o = chk(json_object());
    set(o, "file", jstr(b->file));
    set(o, "started_at", jstr_or_null(b->started_at));
    set(o, "budget", jnum(b->budget));
    set(o, "confidence", jnum(b->confidence));
    set(o, "severity", jstr(b->severity));
    if (b->histogram)
        set(o, "histogram", hist_str(b->histogram));
    if (b->histogram || b->n_steps) {
        json_t *steps = chk(json_array());
        for (size_t i = 0; i < b->n_steps; i++) {
            const struct lg_result_baseline_step *bs = &b->steps[i];
            json_t *so = chk(json_object());
            set(so, "scenario", jstr(bs->scenario));
            set(so, "step", jstr(bs->step));
            set(so, "histogram", hist_str(bs->histogram));
            json_array_append_new(steps, so);
        }
        set(o, "steps", steps);
    }
    set(root, "baseline", o);
    json_t *a = chk(json_array());
    for (size_t i = 0; i < r->n_regressions; i++)
        json_array_append_new(a, regression_obj(&r->regressions[i]));
    set(root, "regressions", a);
}

static json_t *metrics_arr(unsigned metrics)
{
    json_t *a = chk(json_array());
    for (int m = 0; m < LG_CMP_METRICS; m++)
        if (metrics & (1u << m))
            json_array_append_new(a, jstr(lg_cmp_metric_name((enum lg_cmp_metric)m)));
    return a;
}

/* "regression": the regression settings of the run, null when it has none. */
static void set_regset(json_t *root, const struct lg_result *r)
{
    const struct lg_result_regset *g = &r->regression;
    if (!g->has) {
        set(root, "regression", chk(json_null()));
        return;
    }
    json_t *o = chk(json_object());
    set(o, "budget", jnum(g->budget));
    set(o, "metrics", metrics_arr(g->metrics));
    set(o, "confidence", jnum(g->confidence));
    json_t *from = chk(json_object());
    set(from, "budget", jstr(lg_regset_from_name(g->budget_from)));
    set(from, "metrics", jstr(lg_regset_from_name(g->metrics_from)));
    set(from, "confidence", jstr(lg_regset_from_name(g->confidence_from)));
    set(o, "from", from);
    json_t *a = chk(json_array());
    for (size_t i = 0; i < g->n_steps; i++) {
        const struct lg_result_regset_step *e = &g->steps[i];
        json_t *so = chk(json_object());
        set(so, "scenario", jstr(e->scenario));
        set(so, "step", jstr(e->step));
        set(so, "budget", jnum(e->budget));
        set(so, "metrics", metrics_arr(e->metrics));
        json_array_append_new(a, so);
    }
    set(o, "steps", a);
    set(root, "regression", o);
}

char *lg_result_to_json(const struct lg_result *r)
{
    json_t *root = chk(json_object());
    set(root, "schema", jstr(LG_RESULT_SCHEMA));
    set(root, "verdict", jstr(lg_verdict_name(r->verdict)));
    set(root, "suite", jstr(r->suite));
    set(root, "file", jstr(r->file));
    set(root, "env", jstr_or_null(r->env));
    set(root, "profile", jstr_or_null(r->profile));
    set(root, "base_url", jstr_or_null(r->base_url));
    set(root, "started_at", jstr(r->started_at));
    set(root, "loadgate_version", jstr_or_null(r->loadgate_version));
    set(root, "abort_reason", jstr_or_null(r->abort_reason));
    set(root, "default_gate", chk(json_boolean(r->default_gate)));
    set(root, "smoke_rule", chk(json_boolean(r->smoke_rule)));
    json_t *rules = chk(json_array());
    for (size_t i = 0; i < r->n_rules; i++) {
        json_t *o = chk(json_object());
        set(o, "name", jstr(r->rules[i].name));
        set(o, "ok", chk(json_boolean(r->rules[i].ok)));
        set(o, "text", jstr(r->rules[i].text));
        json_array_append_new(rules, o);
    }
    set(root, "rules", rules);

    json_t *config = chk(json_object());
    set(config, "vus", jint(r->vus));
    set(config, "http", jstr_or_null(r->http));
    set(config, "multiplex", chk(json_boolean(r->multiplex)));
    if (r->proxy) {
        json_t *proxy = chk(json_object());
        set(proxy, "host", jstr(r->proxy));
        set(proxy, "variable", jstr(r->proxy_variable));
        set(config, "proxy", proxy);
    } else {
        set(config, "proxy", chk(json_null()));
    }
    set(root, "config", config);
    set(root, "schedule", schedule_obj(&r->schedule, r->has_segment));
    set(root, "limits", limits_obj(&r->limits));

    json_t *totals = chk(json_object());
    set(totals, "requests", jint(r->requests));
    set(totals, "errors", jint(r->errors));
    set(totals, "unsent", jint(r->unsent));
    set(totals, "unsent_reasons", counts_obj(r->unsent_reasons, r->n_unsent_reasons));
    set(totals, "iterations", jint(r->iterations));
    set(totals, "iterations_failed", jint(r->iterations_failed));
    set(totals, "iterations_interrupted", jint(r->iterations_interrupted));
    set(totals, "dropped_iterations", jint(r->dropped_iterations));
    set(totals, "feed_exhausted", jint(r->feed_exhausted));
    set(totals, "feed_note", jstr_or_null(r->feed_note));
    set(totals, "duration_s", jdec6(r->duration_s));
    set(totals, "rps", jdec3(r->rps));
    set(totals, "checks_passed", jint(r->checks_passed));
    set(totals, "checks_failed", jint(r->checks_failed));
    set(totals, "retries", jint(r->retries));
    set(totals, "retries_refused", jint(r->retries_refused));
    set(totals, "connections", jint(r->connections));
    set(totals, "error_classes", counts_obj(r->error_classes, r->n_error_classes));
    set(root, "totals", totals);

    json_t *a = chk(json_array());
    for (size_t i = 0; i < r->n_thresholds; i++)
        json_array_append_new(a, threshold_obj(&r->thresholds[i]));
    set(root, "thresholds", a);

    a = chk(json_array());
    for (size_t i = 0; i < r->n_steps; i++)
        json_array_append_new(a, step_obj(&r->steps[i], r->schedule.open, r->has_segment));
    set(root, "steps", a);

    a = chk(json_array());
    for (size_t i = 0; i < r->n_scenarios; i++)
        json_array_append_new(a, scenario_obj(&r->scenarios[i], r->schedule.open));
    set(root, "scenarios", a);

    a = chk(json_array());
    for (size_t i = 0; i < r->n_series; i++) {
        const struct lg_result_point *p = &r->series[i];
        json_t *o = chk(json_object());
        set(o, "t", chk(json_integer(p->t_s)));
        set(o, "requests", jint(p->requests));
        set(o, "errors", jint(p->errors));
        set(o, "vus", jint(p->vus));
        set(o, "p50_ms", jdec3(p->p50_ms));
        set(o, "p95_ms", jdec3(p->p95_ms));
        set(o, "p99_ms", jdec3(p->p99_ms));
        if (r->has_segment && p->histogram)
            set(o, "histogram", jstr(p->histogram));
        json_array_append_new(a, o);
    }
    set(root, "series", a);
    set_baseline(root, r);
    if (r->has_segment) {
        json_t *seg = chk(json_object());
        set(seg, "index", jint(r->segment_index));
        set(seg, "count", jint(r->segment_count));
        set(root, "segment", seg);
    } else {
        set(root, "segment", chk(json_null()));
    }
    set(root, "config_hash", jstr_or_null(r->config_hash));
    set(root, "started_unix_ms", chk(json_integer(r->started_unix_ms)));
    set_merged(root, r);
    set_regset(root, r);

    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (!s)
        chk(NULL);
    char *out = lg_asprintf("%s\n", s);
    free(s);
    return out;
}

int lg_result_write_json(const struct lg_result *r, const char *path)
{
    char *s = lg_result_to_json(r);
    int rc = lg_write_atomic(path, s, strlen(s));
    int e = errno;
    free(s);
    errno = e;
    return rc;
}
