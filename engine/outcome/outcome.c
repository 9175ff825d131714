/* outcome: evaluates the gate over merged metrics and assembles struct lg_result.
 * A gate never passes silently: besides the thresholds, rules see every failure
 * (the strict default gate, or the failures rule when no threshold judges failed
 * requests), a run in which nothing answered fails, and the smoke profile fails on
 * any failed check; each rule says in a sentence what it found. */
#include "outcome.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feeder.h"
#include "gate.h"
#include "url.h"

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

static void unsent_reasons(const uint64_t *by, struct lg_count **v, size_t *n)
{
    for (int w = 0; w < LG_UNSENT__COUNT; w++)
        if (by[w])
            add_count(v, n, lg_unsent_name(w), by[w]);
}

static int cmp_cell_status(const void *a, const void *b)
{
    const struct lg_cell *x = *(const struct lg_cell *const *)a;
    const struct lg_cell *y = *(const struct lg_cell *const *)b;
    return (x->status > y->status) - (x->status < y->status);
}

/* Reasons most frequent first, then by text, whatever order the metrics hold. */
static int cmp_reason(const void *a, const void *b)
{
    const struct lg_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* A phase's summary over the cells (ttfb, dns, connect or tls, by offset in the
 * cell): its figures and how many samples they rest on (0: none, figures 0). */
static void phase_summary(const struct lg_cell *const *cells, size_t n, size_t hist_off,
                          struct lg_latency_ms *out, uint64_t *n_out)
{
    struct lg_hist *h = lg_hist_new();
    for (size_t i = 0; i < n; i++) {
        const struct lg_hist *c = *(struct lg_hist *const *)((const char *)cells[i] + hist_off);
        if (c)
            lg_hist_merge(h, c);
    }
    lg_latency_from_hist(h, out);
    *n_out = h->total_count > 0 ? (uint64_t)h->total_count : 0;
    lg_hist_free(h);
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
    phase_summary(cells, sm->n_cells, offsetof(struct lg_cell, ttfb), &out->ttfb_ms, &out->ttfb_n);
    phase_summary(cells, sm->n_cells, offsetof(struct lg_cell, dns), &out->dns_ms, &out->dns_n);
    phase_summary(cells, sm->n_cells, offsetof(struct lg_cell, connect), &out->connect_ms,
                  &out->connect_n);
    phase_summary(cells, sm->n_cells, offsetof(struct lg_cell, tls), &out->tls_ms, &out->tls_n);
    free(cells);
    out->unsent = sm->unsent;
    unsent_reasons(sm->unsent_by, &out->unsent_reasons, &out->n_unsent_reasons);
    out->retries = sm->retries;
    out->retries_refused = sm->retries_refused;
    for (int p = LG_PROTO_NONE + 1; p < LG_PROTO__COUNT; p++)
        if (sm->protocols[p])
            add_count(&out->protocols, &out->n_protocols, lg_proto_name(p), sm->protocols[p]);
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
        const struct lg_reasons *rs = sm->reasons ? sm->reasons[i] : NULL;
        for (size_t k = 0; rs && k < rs->n; k++)
            add_count(&out->checks[i].reasons, &out->checks[i].n_reasons, rs->v[k].text,
                      rs->v[k].count);
        if (out->checks[i].n_reasons > 1)
            qsort(out->checks[i].reasons, out->checks[i].n_reasons, sizeof(struct lg_count),
                  cmp_reason);
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
    double cap = info->limits.has ? info->limits.max_rate_per_s : 0;
    if (cap > 0 && m->paced > 0 && (m->dropped > 0 || m->waited > 0))
        /* The VUs were busy waiting for the cap: the asked arrival rate needs more
         * requests per second than the environment allows. */
        out->note = lg_asprintf(
            "could not keep the asked rate: the environment's max_rate (%g requests/s) paced "
            "%llu requests, so %llu of %llu iterations waited for a VU and %llu were dropped; "
            "ask for a lower rate",
            cap, (unsigned long long)m->paced, (unsigned long long)m->waited,
            (unsigned long long)m->scheduled, (unsigned long long)m->dropped);
    else if (m->dropped > 0 && m->feed_exhausted > 0)
        out->note = lg_asprintf("could not keep the asked rate: %llu of %llu iterations "
                                "dropped: a unique feed ran out and its VUs stopped",
                                (unsigned long long)m->dropped, (unsigned long long)m->scheduled);
    else if (m->dropped > 0)
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

/* ---- the rules besides the thresholds ---- */

static void add_rule(struct lg_result *r, const char *name, bool ok, char *text)
{
    r->rules = lg_realloc(r->rules, (r->n_rules + 1) * sizeof(*r->rules));
    r->rules[r->n_rules++] = (struct lg_result_rule){lg_strdup(name), ok, text};
}

/* Whether a critical threshold (any aggregate, any filter) judges metric m. */
/* Whether a critical threshold judges metric m over the whole run: one with a
 * filter (a step, a scenario, a status, a tag) sees only part of it, so it takes
 * nothing over from the failures rule. */
static bool judges_all(const struct lg_threshold *th, size_t n, enum lg_metric m)
{
    for (size_t i = 0; i < n; i++)
        if (th[i].severity == LG_SEV_CRITICAL && th[i].metric == m && th[i].n_filters == 0)
            return true;
    return false;
}

static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

/* "connect 12, http_5xx 3" */
static void put_classes(struct lg_buf *b, const uint64_t *by_class)
{
    char n[32];
    bool any = false;
    for (int e = 1; e < LG_ERRC__COUNT; e++) {
        if (!by_class[e])
            continue;
        lg_buf_printf(b, "%s%s %s", any ? ", " : "", lg_errclass_name(e),
                      lg_fmt_count(by_class[e], n, sizeof(n)));
        any = true;
    }
}

static void cause(struct lg_buf *b, size_t *n)
{
    if ((*n)++)
        lg_buf_puts(b, "; ");
}

static void failed_requests(struct lg_buf *b, size_t *n, const struct lg_totals *t)
{
    char x[32], y[32];
    if (!t->errors)
        return;
    cause(b, n);
    lg_buf_printf(b, "%s of %s request%s failed (", lg_fmt_count(t->errors, x, sizeof(x)),
                  lg_fmt_count(t->requests, y, sizeof(y)), plural(t->requests));
    put_classes(b, t->errors_by_class);
    lg_buf_putc(b, ')');
}

static void failed_checks(struct lg_buf *b, size_t *n, const struct lg_totals *t)
{
    char x[32], y[32];
    if (!t->checks_failed)
        return;
    cause(b, n);
    uint64_t all = t->checks_passed + t->checks_failed;
    lg_buf_printf(b, "%s of %s check%s failed", lg_fmt_count(t->checks_failed, x, sizeof(x)),
                  lg_fmt_count(all, y, sizeof(y)), plural(all));
}

static void unsent_requests(struct lg_buf *b, size_t *n, const struct lg_totals *t)
{
    char x[32];
    if (!t->unsent)
        return;
    cause(b, n);
    lg_buf_printf(b, "%s request%s could not be sent", lg_fmt_count(t->unsent, x, sizeof(x)),
                  plural(t->unsent));
}

/* What a threshold takes over from the failures rule. */
struct waived {
    bool requests; /* a critical threshold on error_rate judges failed requests (and
                      so failed checks and the iterations they failed) */
    bool checks;   /* a critical threshold on checks judges failed checks */
    bool dropped;  /* a critical threshold on dropped judges dropped iterations */
};

/* The strict default gate's conditions, as causes joined by "; " into b; returns
 * how many there were. Each is a failure of the run that the thresholds may not
 * see: failed requests and checks (what error_rate and checks measure), requests
 * that could not be sent (no requests, so error_rate never counts them), dropped
 * iterations (load asked for and never applied: the latency of the iterations that
 * ran says nothing of them) and a unique feed that ran out (the run stopped short
 * of what was asked). What a threshold judges is left to it: with `w.checks`, the
 * failed checks and the requests that failed only by a check (class `check`); the
 * requests that failed otherwise (refused, reset, timed out, an unexpected status)
 * never reach a check, so a checks threshold cannot see them. A failed iteration
 * always has one of these behind it, so it is named only when it stands alone. */
static size_t gate_causes(const struct lg_totals *t, struct waived w, struct lg_buf *b)
{
    size_t n = 0;
    char x[32], y[32];
    struct lg_totals seen = *t;
    if (w.requests) {
        seen.errors = 0;
        memset(seen.errors_by_class, 0, sizeof(seen.errors_by_class));
        seen.checks_failed = 0;
    } else if (w.checks) {
        seen.errors -= t->errors_by_class[LG_ERRC_CHECK];
        seen.errors_by_class[LG_ERRC_CHECK] = 0;
        seen.checks_failed = 0;
    }
    failed_requests(b, &n, &seen);
    failed_checks(b, &n, &seen);
    unsent_requests(b, &n, &seen);
    if (!w.dropped && t->dropped) {
        cause(b, &n);
        lg_buf_printf(b, "%s iteration%s dropped", lg_fmt_count(t->dropped, x, sizeof(x)),
                      plural(t->dropped));
    }
    if (t->feed_exhausted) {
        cause(b, &n);
        lg_buf_printf(b, "a unique feed ran out (%s VU%s stopped early)",
                      lg_fmt_count(t->feed_exhausted, x, sizeof(x)), plural(t->feed_exhausted));
    }
    if (!n && !w.checks && !w.requests && t->iterations_failed) {
        cause(b, &n);
        lg_buf_printf(b, "%s of %s iteration%s failed",
                      lg_fmt_count(t->iterations_failed, x, sizeof(x)),
                      lg_fmt_count(t->iterations, y, sizeof(y)), plural(t->iterations));
    }
    return n;
}

/* The default gate (no thresholds) or the failures rule (thresholds, none of them
 * critical on error_rate). Returns whether it held. */
static bool failures_rule(struct lg_result *r, const char *name, const char *why,
                          const struct lg_totals *t, struct waived w)
{
    struct lg_buf b = {0};
    lg_buf_printf(&b, "%s: ", why);
    bool ok = gate_causes(t, w, &b) == 0;
    if (ok)
        lg_buf_puts(&b, w.requests ? "none"
                        : w.checks ? "no request failed"
                                   : "no request, check or iteration failed");
    add_rule(r, name, ok, lg_buf_take(&b));
    return ok;
}

/* DESIGN.md section 2: in the smoke profile every failed check fails the gate, and
 * so does a request that failed without a check (no response, an unexpected
 * status) and a step that could not be sent, whatever the thresholds say. */
static bool smoke_rule(struct lg_result *r, const struct lg_totals *t)
{
    struct lg_buf b = {0};
    size_t n = 0;
    lg_buf_puts(&b, "every check and every request must pass: ");
    failed_checks(&b, &n, t);
    failed_requests(&b, &n, t);
    unsent_requests(&b, &n, t);
    if (!n)
        lg_buf_puts(&b, "none failed");
    add_rule(r, LG_RULE_SMOKE, n == 0, lg_buf_take(&b));
    return n == 0;
}

/* Whatever the thresholds say: a run in which no request got a response (all
 * refused, reset or timed out, or none sent) has measured no service at all. */
static bool no_response_rule(struct lg_result *r, const struct lg_totals *t)
{
    char x[32], y[32];
    struct lg_buf b = {0};
    bool ok = t->responses > 0;
    if (ok) {
        lg_buf_printf(&b, "%s of %s request%s got a response",
                      lg_fmt_count(t->responses, x, sizeof(x)),
                      lg_fmt_count(t->requests, y, sizeof(y)), plural(t->requests));
    } else if (t->requests) {
        lg_buf_printf(&b, "no request got a response: %s sent, none answered (",
                      lg_fmt_count(t->requests, x, sizeof(x)));
        put_classes(&b, t->errors_by_class);
        lg_buf_putc(&b, ')');
    } else {
        lg_buf_puts(&b, "no request got a response: none was sent");
        if (t->unsent)
            lg_buf_printf(&b, " (%s could not be sent)", lg_fmt_count(t->unsent, x, sizeof(x)));
    }
    add_rule(r, LG_RULE_NO_RESPONSE, ok, lg_buf_take(&b));
    return ok;
}

/* Only when the end of the run interrupted iterations: some iteration must have
 * finished. Interrupted iterations are no failures, so without this a journey that
 * never completes within the run (an `until` still polling for a workflow that
 * never confirms) would pass every other rule. */
static bool completion_rule(struct lg_result *r, const struct lg_totals *t)
{
    if (!t->iterations_interrupted)
        return true;
    char x[32], y[32];
    struct lg_buf b = {0};
    bool ok = t->iterations > 0;
    if (ok)
        lg_buf_printf(&b, "%s iteration%s finished (%s interrupted by the end of the run)",
                      lg_fmt_count(t->iterations, x, sizeof(x)), plural(t->iterations),
                      lg_fmt_count(t->iterations_interrupted, y, sizeof(y)));
    else
        lg_buf_printf(&b,
                      "no iteration finished: %s interrupted by the end of the run, so no "
                      "journey was verified end to end",
                      lg_fmt_count(t->iterations_interrupted, x, sizeof(x)));
    add_rule(r, LG_RULE_COMPLETION, ok, lg_buf_take(&b));
    return ok;
}

/* The unique feeds that ran out (some VU asked for a row past the last), named in
 * a sentence; NULL when no VU stopped for want of a row. `open`: the open model,
 * which asks for no number of iterations. */
static char *feed_note(const struct lg_suite *s, uint64_t vus_stopped, bool open)
{
    if (!vus_stopped)
        return NULL;
    struct lg_buf names = {0};
    size_t n = 0;
    for (size_t i = 0; i < s->n_feeds; i++) {
        struct lg_feed *f = s->feeds[i];
        if (f->mode != LG_FEED_UNIQUE ||
            atomic_load_explicit(&f->cursor, memory_order_relaxed) <= f->n_rows)
            continue;
        lg_buf_printf(&names, "%s'%s' (%zu row%s)", n++ ? ", " : "", f->name, f->n_rows,
                      f->n_rows == 1 ? "" : "s");
    }
    const char *which = "a unique feed", *advice = "give it more rows";
    if (n == 1) {
        which = "the unique feed ";
        advice = open ? "give it more rows, or a lower rate or shorter duration"
                      : "give it more rows, or ask for at most that many iterations";
    } else if (n > 1) {
        which = "the unique feeds ";
        advice = "give them more rows";
    }
    char x[32];
    char *note = lg_asprintf("%s%s ran out: %s VU%s could not start another iteration and "
                             "stopped before the end of the run; %s",
                             which, names.data ? names.data : "",
                             lg_fmt_count(vus_stopped, x, sizeof(x)), plural(vus_stopped), advice);
    lg_buf_free(&names);
    return note;
}

/* Applies every rule that the run calls for and returns whether one failed. */
static bool apply_rules(struct lg_result *r, const struct lg_threshold *th, size_t n_th,
                        const struct lg_totals *t, const struct lg_outcome_info *info)
{
    bool ok = true;
    if (n_th == 0) {
        r->default_gate = true;
        ok &=
            failures_rule(r, LG_RULE_DEFAULT, "no thresholds given, so any failure fails the gate",
                          t, (struct waived){0});
    } else {
        /* error_rate over the whole run judges every failed request (a failed check
         * fails its request too); without it failed requests would pass unseen. What
         * no threshold can count (requests never sent, dropped iterations unless a
         * dropped threshold judges them, a spent feed) fails the gate in any case. */
        struct waived w = {.requests = judges_all(th, n_th, LG_M_ERROR_RATE),
                           .checks = judges_all(th, n_th, LG_M_CHECKS),
                           .dropped = judges_all(th, n_th, LG_M_DROPPED)};
        ok &= failures_rule(r, LG_RULE_FAILURES,
                            w.requests ? "error_rate judges the failed requests; what it cannot "
                                         "count still fails the gate (unsent requests, dropped "
                                         "iterations, a spent feed)"
                            : w.checks ? "no critical threshold on error_rate covers the whole "
                                         "run, so any failed request fails the gate (failed "
                                         "checks are left to the checks threshold)"
                                       : "no critical threshold on error_rate or checks covers "
                                         "the whole run, so any failed request fails the gate",
                            t, w);
    }
    if (lg_profile_is_smoke(info->profile)) {
        r->smoke_rule = true;
        ok &= smoke_rule(r, t);
    }
    ok &= no_response_rule(r, t);
    ok &= completion_rule(r, t);
    return !ok;
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
    r->base_url = lg_url_redact(info->base_url); /* never its password */
    r->started_at = iso8601(rep->started_wall_ms);
    r->loadgate_version = lg_strdup(LG_VERSION);
    r->vus = info->vus;
    r->limits = info->limits;
    if (r->limits.has)
        r->limits.paced = m->paced;
    r->http = lg_strdup(info->http == LG_HTTP_2 ? "2" : "1.1");
    r->multiplex = info->multiplex;
    r->proxy = dup_or_null(info->proxy);
    r->proxy_variable = info->proxy ? dup_or_null(info->proxy_variable) : NULL;
    r->connections = t.connections;
    r->duration_s = rep->duration_s;
    r->requests = t.requests;
    r->errors = t.errors;
    r->unsent = t.unsent;
    r->feed_exhausted = t.feed_exhausted;
    r->feed_note = feed_note(s, t.feed_exhausted, m->open);
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
    unsent_reasons(t.unsent_by, &r->unsent_reasons, &r->n_unsent_reasons);

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
    if (apply_rules(r, th, n_th, &t, info))
        failed = true;
    if (rep->aborted) {
        r->verdict = LG_VERDICT_ABORTED;
        r->abort_reason = lg_strdup(rep->abort_reason);
    } else {
        r->verdict = failed ? LG_VERDICT_FAIL : LG_VERDICT_PASS;
    }
    /* As result.json will hold it: the run's own reports and `loadgate report`
     * then render the same figures. */
    lg_result_settle(r);
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
