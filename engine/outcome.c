/* outcome: evaluates the gate over merged metrics and assembles struct lg_result.
 * A gate never passes silently: no thresholds means the strict default gate, and a
 * run that sent nothing fails it; the smoke profile also fails on any failed check. */
#include "outcome.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate.h"

static char *dup_or_null(const char *s)
{
    return s ? lg_strdup(s) : NULL;
}

static void add_count(struct lg_count **v, size_t *n, const char *name, uint64_t count)
{
    *v = lg_realloc(*v, (*n + 1) * sizeof(**v));
    (*v)[(*n)++] = (struct lg_count){lg_strdup(name), count};
}

static void error_classes(const uint64_t *by_class, struct lg_count **v, size_t *n)
{
    for (int e = 1; e < LG_ERRC__COUNT; e++)
        if (by_class[e])
            add_count(v, n, lg_errclass_name(e), by_class[e]);
}

static int cmp_cell_status(const void *a, const void *b)
{
    const struct lg_cell *x = *(const struct lg_cell *const *)a;
    const struct lg_cell *y = *(const struct lg_cell *const *)b;
    return (x->status > y->status) - (x->status < y->status);
}

static void build_step(const struct lg_step *st, const struct lg_scenario *sc,
                       const struct lg_step_metrics *sm, bool open, struct lg_result_step *out)
{
    uint64_t by_class[LG_ERRC__COUNT] = {0};
    out->scenario = lg_strdup(sc->name);
    out->name = lg_strdup(st->name);
    out->histogram = lg_hist_new();
    out->has_uncorrected = open;
    if (open)
        out->histogram_uncorrected = lg_hist_new();
    const struct lg_cell **cells = lg_calloc(sm->n_cells, sizeof(*cells));
    for (size_t i = 0; i < sm->n_cells; i++)
        cells[i] = &sm->cells[i];
    qsort(cells, sm->n_cells, sizeof(*cells), cmp_cell_status);
    for (size_t i = 0; i < sm->n_cells; i++) {
        const struct lg_cell *c = cells[i];
        char status[16];
        snprintf(status, sizeof(status), "%d", c->status);
        add_count(&out->status, &out->n_status, status, c->requests);
        out->requests += c->requests;
        out->errors += c->errors;
        for (int e = 0; e < LG_ERRC__COUNT; e++)
            by_class[e] += c->errors_by_class[e];
        lg_hist_merge(out->histogram, c->latency);
        if (open && c->latency_uncorrected)
            lg_hist_merge(out->histogram_uncorrected, c->latency_uncorrected);
    }
    free(cells);
    out->retries = sm->retries;
    out->retries_refused = sm->retries_refused;
    error_classes(by_class, &out->error_classes, &out->n_error_classes);
    lg_latency_from_hist(out->histogram, &out->latency_ms);
    if (open)
        lg_latency_from_hist(out->histogram_uncorrected, &out->latency_uncorrected_ms);
    out->n_checks = st->n_checks;
    out->checks = lg_calloc(st->n_checks, sizeof(*out->checks));
    for (size_t i = 0; i < st->n_checks; i++) {
        out->checks[i].label = lg_strdup(st->checks[i].label);
        out->checks[i].passed = sm->check_pass[i];
        out->checks[i].failed = sm->check_fail[i];
        out->checks_passed += sm->check_pass[i];
        out->checks_failed += sm->check_fail[i];
    }
}

static char *iso8601(int64_t wall_ms)
{
    time_t secs = (time_t)(wall_ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char buf[32];
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return lg_strdup(buf);
}

/* The harness counts as keeping the schedule while its own dispatch lag stays
 * under this at p99. */
#define LG_LAG_TOLERANCE_US 10000

static void build_schedule(const struct lg_metrics *m, const struct lg_run_report *rep,
                           const struct lg_outcome_info *info, struct lg_result_schedule *out)
{
    out->open = true;
    out->peak_rate_per_s = rep->peak_rate_per_s;
    out->max_vus = info->vus;
    out->max_lateness_s = (double)info->max_lateness_us / 1e6;
    out->scheduled = m->scheduled;
    out->dropped = m->dropped;
    out->started = m->scheduled >= m->dropped ? m->scheduled - m->dropped : 0;
    out->waited = m->waited;
    lg_latency_from_hist(m->lag, &out->lag_ms);
    lg_latency_from_hist(m->wait, &out->wait_ms);
    int64_t lag_p99 = lg_hist_percentile(m->lag, 99);
    out->sustained = m->dropped == 0 && lag_p99 <= LG_LAG_TOLERANCE_US;
    char late[32];
    lg_fmt_duration(info->max_lateness_us, late, sizeof(late));
    if (m->dropped > 0)
        out->note =
            lg_asprintf("could not keep the asked rate: %llu of %llu iterations "
                        "dropped (no free VU within %s); raise max_vus",
                        (unsigned long long)m->dropped, (unsigned long long)m->scheduled, late);
    else if (lag_p99 > LG_LAG_TOLERANCE_US)
        out->note = lg_asprintf("the harness fell behind its schedule (scheduling lag p99 "
                                "%.1fms): give it more threads or CPU",
                                (double)lag_p99 / 1e3);
    else if (m->waited > 0)
        out->note = lg_asprintf("%llu iterations waited for a free VU; their latency is "
                                "measured from when they were due",
                                (unsigned long long)m->waited);
}

struct lg_result *lg_outcome_build(const struct lg_suite *s, const struct lg_threshold *th,
                                   size_t n_th, const struct lg_run_report *rep,
                                   const struct lg_outcome_info *info)
{
    const struct lg_metrics *m = &rep->metrics;
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    struct lg_totals t;
    lg_metrics_totals(m, &t);

    r->suite = lg_strdup(s->name);
    r->file = lg_strdup(info->file);
    r->env = dup_or_null(info->env);
    r->profile = dup_or_null(info->profile);
    r->base_url = dup_or_null(info->base_url);
    r->started_at = iso8601(rep->started_wall_ms);
    r->vus = info->vus;
    r->duration_s = rep->duration_s;
    r->requests = t.requests;
    r->errors = t.errors;
    r->iterations = t.iterations;
    r->iterations_failed = t.iterations_failed;
    r->iterations_interrupted = t.iterations_interrupted;
    r->dropped_iterations = t.dropped;
    r->retries = t.retries;
    r->retries_refused = t.retries_refused;
    r->checks_passed = t.checks_passed;
    r->checks_failed = t.checks_failed;
    r->rps = rep->duration_s > 0 ? (double)t.requests / rep->duration_s : 0;
    error_classes(t.errors_by_class, &r->error_classes, &r->n_error_classes);

    r->n_steps = s->n_steps;
    r->steps = lg_calloc(s->n_steps, sizeof(*r->steps));
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct lg_step *st = s->steps[i];
        build_step(st, &s->scenarios[st->scenario], &m->steps[i], m->open, &r->steps[i]);
    }
    r->n_scenarios = s->n_scenarios;
    r->scenarios = lg_calloc(s->n_scenarios, sizeof(*r->scenarios));
    for (size_t i = 0; i < s->n_scenarios; i++) {
        struct lg_result_scenario *rs = &r->scenarios[i];
        rs->name = lg_strdup(s->scenarios[i].name);
        rs->iterations = m->scenarios[i].iterations;
        rs->iterations_failed = m->scenarios[i].iterations_failed;
        rs->iterations_interrupted = m->scenarios[i].iterations_interrupted;
        rs->histogram = lg_hist_new();
        lg_hist_merge(rs->histogram, m->scenarios[i].duration);
        lg_latency_from_hist(rs->histogram, &rs->iteration_ms);
        if (m->open && m->scenarios[i].duration_uncorrected) {
            rs->has_uncorrected = true;
            rs->histogram_uncorrected = lg_hist_new();
            lg_hist_merge(rs->histogram_uncorrected, m->scenarios[i].duration_uncorrected);
            lg_latency_from_hist(rs->histogram_uncorrected, &rs->iteration_uncorrected_ms);
        }
    }
    if (m->open)
        build_schedule(m, rep, info, &r->schedule);
    r->n_series = m->n_series;
    r->series = lg_calloc(m->n_series, sizeof(*r->series));
    for (size_t i = 0; i < m->n_series; i++) {
        const struct lg_series_point *p = &m->series[i];
        r->series[i] = (struct lg_result_point){
            .t_s = p->t_s,
            .requests = p->requests,
            .errors = p->errors,
            .vus = p->vus,
            .p50_ms = (double)p->p50_us / 1e3,
            .p95_ms = (double)p->p95_us / 1e3,
            .p99_ms = (double)p->p99_us / 1e3,
        };
    }

    bool failed = false;
    r->n_thresholds = n_th;
    r->thresholds = lg_calloc(n_th, sizeof(*r->thresholds));
    for (size_t i = 0; i < n_th; i++) {
        struct lg_gate_outcome o;
        lg_gate_eval(&th[i], s, m, rep->duration_s, &o);
        struct lg_result_threshold *rt = &r->thresholds[i];
        rt->expr = lg_strdup(th[i].expr);
        rt->severity = lg_strdup(th[i].severity == LG_SEV_WARNING ? "warning" : "critical");
        rt->ok = o.ok;
        rt->no_samples = o.no_samples;
        rt->abort = th[i].abort;
        rt->unit = lg_strdup(lg_threshold_unit(&th[i]));
        rt->observed = !strcmp(rt->unit, "ms") ? o.observed / 1e3 : o.observed;
        rt->observed_text = lg_strdup(o.observed_text);
        if (!o.ok && th[i].severity == LG_SEV_CRITICAL)
            failed = true;
    }
    if (n_th == 0) {
        r->default_gate = true;
        failed = t.requests == 0 || t.errors > 0 || t.checks_failed > 0 ||
                 t.iterations_failed > 0 || t.dropped > 0;
    }
    /* DESIGN.md section 2: in the smoke profile every failed check fails the gate,
     * and so does a request that failed without a check (no response, an
     * unexpected status), whatever the thresholds say. */
    if (info->profile && !strcmp(info->profile, LG_SMOKE_PROFILE)) {
        r->smoke_rule = true;
        if (t.checks_failed > 0 || t.errors > 0)
            failed = true;
    }
    if (rep->aborted) {
        r->verdict = LG_VERDICT_ABORTED;
        r->abort_reason = lg_strdup(rep->abort_reason);
    } else {
        r->verdict = failed ? LG_VERDICT_FAIL : LG_VERDICT_PASS;
    }
    return r;
}

int lg_outcome_exit_code(enum lg_verdict v)
{
    switch (v) {
    case LG_VERDICT_PASS:
        return 0;
    case LG_VERDICT_FAIL:
        return 1;
    default:
        return 3;
    }
}
