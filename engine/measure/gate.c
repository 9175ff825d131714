/* gate: evaluates thresholds over merged metrics, at the end of a run and, for
 * abort thresholds, once a second during it (parsing is threshold.c's). Not on the
 * hot path. */
#include "gate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- evaluation ---- */

static bool compare(enum lg_cmp cmp, double a, double b)
{
    switch (cmp) {
    case LG_CMP_LT:
        return a < b;
    case LG_CMP_LTE:
        return a <= b;
    case LG_CMP_GT:
        return a > b;
    case LG_CMP_GTE:
        return a >= b;
    case LG_CMP_EQ:
        return a == b;
    case LG_CMP_NE:
        return a != b;
    }
    return false;
}

static void merge_into(struct lg_hist **dst, const struct lg_hist *src)
{
    if (!src)
        return;
    if (!*dst)
        *dst = lg_hist_new();
    (void)lg_hist_merge(*dst, src);
}

static const struct lg_hist *cell_hist(const struct lg_cell *c, enum lg_metric m)
{
    switch (m) {
    case LG_M_LATENCY:
        return c->latency;
    case LG_M_TTFB:
        return c->ttfb;
    case LG_M_CONNECT:
        return c->connect;
    case LG_M_TLS:
        return c->tls;
    case LG_M_DNS:
        return c->dns;
    default:
        return NULL;
    }
}

/* The aggregate over a merged histogram. `base` is how many samples the selection
 * had before the status filter: count and rate are valid (possibly 0) whenever the
 * selected steps ran at all, so "count(latency{status=500}) == 0" can pass; they
 * rest on those `base` samples, the others on the histogram's. */
static bool aggregate(const struct lg_threshold *t, const struct lg_hist *h, uint64_t base,
                      double duration_s, double *out, uint64_t *samples)
{
    int64_t n = h ? h->total_count : 0;
    switch (t->agg) {
    case LG_AGG_COUNT:
        *out = (double)n;
        *samples = base;
        return base > 0;
    case LG_AGG_RATE:
        if (duration_s <= 0)
            return false;
        *out = (double)n / duration_s;
        *samples = base;
        return base > 0;
    default:
        break;
    }
    *samples = (uint64_t)n;
    if (n == 0)
        return false;
    switch (t->agg) {
    case LG_AGG_PCT:
        *out = (double)lg_hist_percentile(h, t->pct);
        return true;
    case LG_AGG_AVG:
        *out = lg_hist_mean(h);
        return true;
    case LG_AGG_MIN:
        *out = (double)lg_hist_min(h);
        return true;
    case LG_AGG_MAX:
        *out = (double)lg_hist_max(h);
        return true;
    default:
        return false;
    }
}

void lg_gate_eval(const struct lg_threshold *t, const struct lg_suite *s,
                  const struct lg_metrics *m, double duration_s, struct lg_gate_outcome *out)
{
    struct lg_hist *h = NULL;
    const struct lg_filter *fstatus = lg_threshold_filter(t, LG_F_STATUS);
    uint64_t base = 0, requests = 0, errors = 0, passed = 0, failed = 0, samples = 0;
    const char *samples_of = "requests";
    double observed = 0;
    bool have = false;

    if (t->metric == LG_M_ITERATION) {
        const struct lg_filter *fscen = lg_threshold_filter(t, LG_F_SCENARIO);
        for (size_t i = 0; i < m->n_scenarios && i < s->n_scenarios; i++) {
            if (fscen && strcmp(s->scenarios[i].name, fscen->value))
                continue;
            /* interrupted iterations ran too (some are duration samples) */
            base += m->scenarios[i].iterations + m->scenarios[i].iterations_interrupted;
            merge_into(&h, m->scenarios[i].duration);
        }
    } else if (t->metric != LG_M_DROPPED) {
        for (size_t id = 0; id < m->n_steps && id < s->n_steps; id++) {
            if (!lg_threshold_selects_step(t, s, s->steps[id]))
                continue;
            const struct lg_step_metrics *sm = &m->steps[id];
            for (size_t k = 0; k < sm->n_cells; k++) {
                const struct lg_cell *c = &sm->cells[k];
                base += c->requests;
                if (fstatus && c->status != fstatus->status)
                    continue;
                requests += c->requests;
                errors += c->errors;
                if (lg_metric_is_time(t->metric))
                    merge_into(&h, cell_hist(c, t->metric));
            }
            for (size_t k = 0; k < sm->n_checks; k++) {
                passed += sm->check_pass[k];
                failed += sm->check_fail[k];
            }
        }
    }

    switch (t->metric) {
    case LG_M_ERROR_RATE:
        have = requests > 0;
        samples = requests;
        if (have)
            observed = (double)errors / (double)requests;
        break;
    case LG_M_CHECKS:
        have = passed + failed > 0;
        samples = passed + failed;
        samples_of = "checks";
        if (have)
            observed = (double)passed / (double)(passed + failed);
        break;
    case LG_M_RPS:
        /* 0 requests over a run that lasted is a real 0/s; without a duration there
         * is no rate at all */
        have = duration_s > 0;
        samples = requests;
        if (have)
            observed = (double)requests / duration_s;
        break;
    case LG_M_DROPPED:
        /* a counter of the whole run: 0 dropped is an observation, never "no samples" */
        have = true;
        observed = (double)m->dropped;
        samples = m->scheduled;
        samples_of = "scheduled iterations";
        break;
    default:
        have = aggregate(t, h, base, duration_s, &observed, &samples);
        if (t->metric == LG_M_ITERATION)
            samples_of = "iterations";
        else if (t->agg != LG_AGG_COUNT && t->agg != LG_AGG_RATE)
            samples_of = "samples";
        break;
    }
    lg_hist_free(h);

    memset(out, 0, sizeof(*out));
    out->samples = samples;
    out->samples_of = samples_of;
    if (!have) {
        out->ok = false;
        out->no_samples = true;
        snprintf(out->observed_text, sizeof(out->observed_text), "no samples");
        return;
    }
    out->observed = observed;
    out->ok = compare(t->cmp, observed, t->value);
    lg_gate_format(t, observed, out->observed_text, sizeof(out->observed_text));
}

/* ---- abort thresholds ---- */

/* Which way a value can move as the run adds samples to a cumulative aggregate. */
enum drift {
    DRIFT_ANY,
    DRIFT_UP,   /* never falls: count, max, p100, dropped */
    DRIFT_DOWN, /* never rises: min, p0 */
};

static enum drift drift_of(const struct lg_threshold *t)
{
    if (t->metric == LG_M_DROPPED || t->agg == LG_AGG_COUNT || t->agg == LG_AGG_MAX ||
        (t->agg == LG_AGG_PCT && t->pct >= 100))
        return DRIFT_UP;
    if (t->agg == LG_AGG_MIN || (t->agg == LG_AGG_PCT && t->pct <= 0))
        return DRIFT_DOWN;
    return DRIFT_ANY;
}

/* Samples needed for the tail that decides a value to hold LG_ABORT_TAIL_SAMPLES
 * of them: tail is that tail's share (0.05 for p95 or for error_rate < 5%). */
static uint64_t tail_samples(double tail)
{
    double need = (double)LG_ABORT_TAIL_SAMPLES / tail;
    /* 10 / 0.05 is 199.99999999999997 in doubles: the share was written in decimal */
    need = ceil(need * (1 - 1e-12));
    return need < LG_ABORT_MIN_SAMPLES ? LG_ABORT_MIN_SAMPLES : (uint64_t)need;
}

bool lg_gate_certain(const struct lg_threshold *t, const struct lg_gate_outcome *o)
{
    if (o->ok || o->no_samples)
        return false;
    enum lg_cmp c = t->cmp;
    switch (drift_of(t)) {
    case DRIFT_UP:
        return c == LG_CMP_LT || c == LG_CMP_LTE || (c == LG_CMP_EQ && o->observed > t->value);
    case DRIFT_DOWN:
        return c == LG_CMP_GT || c == LG_CMP_GTE || (c == LG_CMP_EQ && o->observed < t->value);
    case DRIFT_ANY:
        break;
    }
    uint64_t need = LG_ABORT_MIN_SAMPLES;
    if (t->agg == LG_AGG_PCT) {
        need = tail_samples(fmin(t->pct, 100 - t->pct) / 100);
    } else if (t->metric == LG_M_ERROR_RATE || t->metric == LG_M_CHECKS) {
        double x = t->value;
        /* At 0% (100%) one failure (success) moves the ratio off it for good; the
         * other way, one more sample could still bring it back. */
        if (x <= 0 && (c == LG_CMP_LT || c == LG_CMP_LTE || c == LG_CMP_EQ))
            return true;
        if (x >= 1 && (c == LG_CMP_GT || c == LG_CMP_GTE || c == LG_CMP_EQ))
            return true;
        if (x > 0 && x < 1)
            need = tail_samples(fmin(x, 1 - x));
    }
    return o->samples >= need;
}

enum lg_abort_cause lg_gate_abort_due(const struct lg_threshold *t, const struct lg_suite *s,
                                      const struct lg_metrics *agg, int64_t covered_us,
                                      struct lg_abort_watch *w, struct lg_gate_outcome *out)
{
    lg_gate_eval(t, s, agg, (double)covered_us / 1e6, out);
    if (!t->abort || t->severity != LG_SEV_CRITICAL || out->ok || out->no_samples) {
        w->broken = false;
        return LG_ABORT_NONE;
    }
    if (!w->broken) {
        w->broken = true;
        w->broken_since_us = covered_us;
    }
    if (lg_gate_certain(t, out))
        return LG_ABORT_CERTAIN;
    if (t->abort_after_us > 0 && covered_us - w->broken_since_us >= t->abort_after_us)
        return LG_ABORT_PERSISTED;
    return LG_ABORT_NONE;
}

void lg_gate_format(const struct lg_threshold *t, double value, char *buf, size_t n)
{
    switch (lg_threshold_value_kind(t)) {
    case LG_VK_DURATION:
        lg_fmt_duration((int64_t)llround(value), buf, n);
        return;
    case LG_VK_RATIO:
        snprintf(buf, n, "%.2f%%", value * 100);
        return;
    case LG_VK_RATE:
        snprintf(buf, n, "%.1f/s", value);
        return;
    case LG_VK_COUNT:
        if (value == floor(value))
            snprintf(buf, n, "%.0f", value);
        else
            snprintf(buf, n, "%.2f", value);
        return;
    }
}
