/* metrics: per-worker recording of requests, checks and iterations into
 * (step, status) cells, per-second series, and the lossless merge that combines
 * workers. Recording a request never allocates once its (step, status) cell exists. */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const errclass_names[LG_ERRC__COUNT] = {
    [LG_ERRC_NONE] = "",
    [LG_ERRC_TIMEOUT] = "timeout",
    [LG_ERRC_UNFINISHED] = "unfinished",
    [LG_ERRC_CONNECT] = "connect",
    [LG_ERRC_TLS] = "tls",
    [LG_ERRC_RESET] = "reset",
    [LG_ERRC_HTTP_4XX] = "http_4xx",
    [LG_ERRC_HTTP_5XX] = "http_5xx",
    [LG_ERRC_CHECK] = "check",
    [LG_ERRC_CAPTURE] = "capture",
    [LG_ERRC_REDIRECT] = "redirect",
    [LG_ERRC_BODY_TOO_LARGE] = "body_too_large",
    [LG_ERRC_OTHER] = "other",
};

const char *lg_errclass_name(enum lg_errclass c)
{
    return (unsigned)c < LG_ERRC__COUNT ? errclass_names[c] : "other";
}

static const char *const proto_names[LG_PROTO__COUNT] = {
    [LG_PROTO_NONE] = "",
    [LG_PROTO_HTTP_1_0] = "HTTP/1.0",
    [LG_PROTO_HTTP_1_1] = "HTTP/1.1",
    [LG_PROTO_HTTP_2] = "HTTP/2",
    [LG_PROTO_HTTP_3] = "HTTP/3",
};

const char *lg_proto_name(enum lg_proto p)
{
    return (unsigned)p < LG_PROTO__COUNT ? proto_names[p] : "";
}

enum lg_proto lg_proto_from_name(const char *name)
{
    for (int p = LG_PROTO_NONE + 1; p < LG_PROTO__COUNT; p++)
        if (!strcmp(name, proto_names[p]))
            return (enum lg_proto)p;
    return LG_PROTO_NONE;
}

void lg_metrics_init(struct lg_metrics *m, const struct lg_suite *s)
{
    memset(m, 0, sizeof(*m));
    m->n_steps = s->n_steps;
    m->steps = lg_calloc(s->n_steps, sizeof(*m->steps));
    for (size_t i = 0; i < s->n_steps; i++) {
        struct lg_step_metrics *sm = &m->steps[i];
        sm->n_checks = s->steps[i]->n_checks;
        sm->check_pass = lg_calloc(sm->n_checks, sizeof(uint64_t));
        sm->check_fail = lg_calloc(sm->n_checks, sizeof(uint64_t));
        sm->reasons = lg_calloc(sm->n_checks, sizeof(*sm->reasons));
    }
    m->n_scenarios = s->n_scenarios;
    m->scenarios = lg_calloc(s->n_scenarios, sizeof(*m->scenarios));
    for (size_t i = 0; i < s->n_scenarios; i++)
        m->scenarios[i].duration = lg_hist_new();
    m->second = lg_hist_new();
    m->step_second = lg_calloc(s->n_steps, sizeof(*m->step_second));
}

void lg_metrics_enable_open(struct lg_metrics *m)
{
    m->open = true;
    for (size_t i = 0; i < m->n_steps; i++)
        for (size_t c = 0; c < m->steps[i].n_cells; c++)
            if (!m->steps[i].cells[c].latency_uncorrected)
                m->steps[i].cells[c].latency_uncorrected = lg_hist_new();
    for (size_t i = 0; i < m->n_scenarios; i++)
        if (!m->scenarios[i].duration_uncorrected)
            m->scenarios[i].duration_uncorrected = lg_hist_new();
    if (!m->lag)
        m->lag = lg_hist_new();
    if (!m->wait)
        m->wait = lg_hist_new();
}

static void cell_free(struct lg_cell *c)
{
    lg_hist_free(c->latency);
    lg_hist_free(c->latency_uncorrected);
    lg_hist_free(c->ttfb);
    lg_hist_free(c->dns);
    lg_hist_free(c->connect);
    lg_hist_free(c->tls);
}

void lg_metrics_free(struct lg_metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_steps; i++) {
        struct lg_step_metrics *sm = &m->steps[i];
        for (size_t c = 0; c < sm->n_cells; c++)
            cell_free(&sm->cells[c]);
        free(sm->cells);
        free(sm->check_pass);
        free(sm->check_fail);
        for (size_t k = 0; k < sm->n_checks; k++)
            free(sm->reasons[k]);
        free(sm->reasons);
    }
    free(m->steps);
    for (size_t i = 0; i < m->n_scenarios; i++) {
        lg_hist_free(m->scenarios[i].duration);
        lg_hist_free(m->scenarios[i].duration_uncorrected);
    }
    free(m->scenarios);
    lg_hist_free(m->second);
    for (size_t i = 0; m->step_second && i < m->n_steps; i++)
        lg_hist_free(m->step_second[i]);
    free(m->step_second);
    lg_hist_free(m->lag);
    lg_hist_free(m->wait);
    for (size_t i = 0; i < m->n_series; i++)
        free(m->series[i].hist);
    free(m->series);
    memset(m, 0, sizeof(*m));
}

/* The cell of a status, created on first use. Steps see few distinct statuses, so
 * a linear scan beats any map here. */
static struct lg_cell *cell_for(struct lg_step_metrics *sm, int status, bool open)
{
    for (size_t i = 0; i < sm->n_cells; i++)
        if (sm->cells[i].status == status)
            return &sm->cells[i];
    LG_GROW(sm->cells, sm->n_cells + 1, sm->cap_cells);
    struct lg_cell *c = &sm->cells[sm->n_cells++];
    memset(c, 0, sizeof(*c));
    c->status = status;
    c->latency = lg_hist_new();
    c->ttfb = lg_hist_new();
    if (open)
        c->latency_uncorrected = lg_hist_new();
    return c;
}

bool lg_sample_timed(const struct lg_sample *s)
{
    /* No default: a new error class does not compile until it is decided here. */
    switch (s->err) {
    case LG_ERRC_TIMEOUT:
    case LG_ERRC_UNFINISHED:
        /* Cut off while waiting (by its timeout, or by the end of the run), with or
         * without a response: a sample at its elapsed time. */
        return true;
    case LG_ERRC_CONNECT:
    case LG_ERRC_TLS:
    case LG_ERRC_RESET:
    case LG_ERRC_REDIRECT:
    case LG_ERRC_BODY_TOO_LARGE: /* cut off by us: no complete response either */
    case LG_ERRC_OTHER:
    case LG_ERRC__COUNT:
        return false; /* libcurl failed the transfer: no complete response */
    case LG_ERRC_NONE:
    case LG_ERRC_HTTP_4XX:
    case LG_ERRC_HTTP_5XX:
    case LG_ERRC_CHECK:
    case LG_ERRC_CAPTURE:
        return s->status > 0; /* judged on a response, when there was one */
    }
    return false;
}

void lg_metrics_record(struct lg_metrics *m, uint32_t step_id, const struct lg_sample *s)
{
    struct lg_step_metrics *sm = &m->steps[step_id];
    struct lg_cell *c = cell_for(sm, s->status, m->open);
    c->requests++;
    if (s->err != LG_ERRC_NONE) {
        c->errors++;
        c->errors_by_class[s->err]++;
        m->second_errors++;
    }
    m->second_requests++;
    sm->retries += s->retries;
    sm->retries_refused += s->retry_refused;
    if ((unsigned)s->proto < LG_PROTO__COUNT)
        sm->protocols[s->proto]++;
    c->bytes_in += s->bytes_in;
    c->dns_us_sum += s->dns_us;
    /* One sample per connection opened, taken by the request that opened it: a
     * reused connection did no lookup, connect or handshake for this request. */
    if (s->new_conn) {
        if (!c->dns)
            c->dns = lg_hist_new();
        lg_hist_record(c->dns, s->dns_us);
        if (!c->connect)
            c->connect = lg_hist_new();
        lg_hist_record(c->connect, s->connect_us);
        if (s->tls_us > 0) {
            if (!c->tls)
                c->tls = lg_hist_new();
            lg_hist_record(c->tls, s->tls_us);
        }
    }
    if (!lg_sample_timed(s))
        return;
    int64_t elapsed_us = s->uncorrected_us ? s->uncorrected_us : s->total_us;
    lg_hist_record(c->latency, s->total_us);
    if (c->latency_uncorrected)
        lg_hist_record(c->latency_uncorrected, elapsed_us);
    /* A timeout before the first byte waited at least its whole elapsed time for it. */
    lg_hist_record(c->ttfb, (s->status > 0 || s->ttfb_us > 0) ? s->ttfb_us : elapsed_us);
    lg_hist_record(m->second, s->total_us);
    /* One histogram per step that ran, made once (the first sample of the step) */
    if (!m->step_second[step_id])
        m->step_second[step_id] = lg_hist_new();
    lg_hist_record(m->step_second[step_id], s->total_us);
}

static const char *const unsent_names[LG_UNSENT__COUNT] = {
    [LG_UNSENT_UNSET] = "unset_value",     [LG_UNSENT_NO_LIST] = "no_list",
    [LG_UNSENT_UNSAFE_URL] = "unsafe_url", [LG_UNSENT_UNSAFE_HEADER] = "unsafe_header",
    [LG_UNSENT_BAD_VALUE] = "bad_value",   [LG_UNSENT_REFUSED] = "refused",
};

const char *lg_unsent_name(enum lg_unsent_why w)
{
    return (unsigned)w < LG_UNSENT__COUNT ? unsent_names[w] : "refused";
}

void lg_metrics_unsent(struct lg_metrics *m, uint32_t step_id, enum lg_unsent_why why)
{
    m->steps[step_id].unsent++;
    m->steps[step_id].unsent_by[(unsigned)why < LG_UNSENT__COUNT ? why : LG_UNSENT_REFUSED]++;
}

void lg_metrics_check(struct lg_metrics *m, uint32_t step_id, size_t check, bool pass)
{
    struct lg_step_metrics *sm = &m->steps[step_id];
    if (check >= sm->n_checks)
        return;
    if (pass)
        sm->check_pass[check]++;
    else
        sm->check_fail[check]++;
}

/* Copies why into out, cut to LG_REASON_MAX bytes on a UTF-8 boundary with "...". */
static void reason_copy(char out[LG_REASON_MAX + 1], const char *why)
{
    size_t len = strnlen(why, LG_REASON_MAX + 1);
    if (len <= LG_REASON_MAX) {
        memcpy(out, why, len + 1);
        return;
    }
    len = LG_REASON_MAX - 3;
    while (len > 0 && ((unsigned char)why[len] & 0xC0) == 0x80)
        len--;
    memcpy(out, why, len);
    memcpy(out + len, "...", 4);
}

void lg_metrics_check_failed(struct lg_metrics *m, uint32_t step_id, size_t check, const char *why)
{
    struct lg_step_metrics *sm = &m->steps[step_id];
    if (check >= sm->n_checks)
        return;
    sm->check_fail[check]++;
    if (!why || !*why)
        return;
    struct lg_reasons *rs = sm->reasons[check];
    if (!rs)
        rs = sm->reasons[check] = lg_calloc(1, sizeof(*rs));
    char text[LG_REASON_MAX + 1];
    reason_copy(text, why);
    for (size_t i = 0; i < rs->n; i++) {
        if (!strcmp(rs->v[i].text, text)) {
            rs->v[i].count++;
            return;
        }
    }
    if (rs->n < LG_REASONS_PER_CHECK) {
        memcpy(rs->v[rs->n].text, text, sizeof(text));
        rs->v[rs->n++].count = 1;
    }
}

void lg_metrics_iteration(struct lg_metrics *m, uint32_t scenario, int64_t duration_us,
                          int64_t uncorrected_us, bool failed)
{
    struct lg_scenario_metrics *sc = &m->scenarios[scenario];
    sc->iterations++;
    if (failed)
        sc->iterations_failed++;
    lg_hist_record(sc->duration, duration_us);
    if (sc->duration_uncorrected)
        lg_hist_record(sc->duration_uncorrected, uncorrected_us);
}

void lg_metrics_interrupted(struct lg_metrics *m, uint32_t scenario, int64_t duration_us,
                            int64_t uncorrected_us, bool failed, bool timed)
{
    struct lg_scenario_metrics *sc = &m->scenarios[scenario];
    sc->iterations_interrupted++;
    if (failed)
        sc->iterations_failed++;
    if (!timed)
        return;
    lg_hist_record(sc->duration, duration_us);
    if (sc->duration_uncorrected)
        lg_hist_record(sc->duration_uncorrected, uncorrected_us);
}

/* Empties the current second's histograms (each reset costs only its used range). */
static void reset_second(struct lg_metrics *m)
{
    lg_hist_reset(m->second);
    for (size_t i = 0; i < m->n_steps; i++)
        if (m->step_second[i])
            lg_hist_reset(m->step_second[i]);
    m->second_requests = m->second_errors = 0;
}

void lg_metrics_tick(struct lg_metrics *m, int64_t t_s, uint32_t vus)
{
    LG_GROW(m->series, m->n_series + 1, m->cap_series);
    m->series[m->n_series++] = (struct lg_series_point){
        .t_s = t_s,
        .requests = m->second_requests,
        .errors = m->second_errors,
        .vus = vus,
        .p50_us = lg_hist_percentile(m->second, 50),
        .p95_us = lg_hist_percentile(m->second, 95),
        .p99_us = lg_hist_percentile(m->second, 99),
        .hist = m->keep_second_hists ? lg_hist_encode(m->second) : NULL,
    };
    reset_second(m);
}

static void hist_merge_into(struct lg_hist **dst, const struct lg_hist *src)
{
    if (!src)
        return;
    if (!*dst)
        *dst = lg_hist_new();
    lg_hist_merge(*dst, src);
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* Most frequent first, then by text: an order that depends on nothing else. */
static int cmp_reason(const void *a, const void *b)
{
    const struct lg_reason *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->text, y->text);
}

static void reasons_merge(struct lg_reasons **dst, const struct lg_reasons *src)
{
    if (!src || !src->n)
        return;
    if (!*dst)
        *dst = lg_calloc(1, sizeof(**dst));
    struct lg_reasons *d = *dst;
    struct lg_reason all[2 * LG_REASONS_PER_CHECK];
    size_t n = d->n;
    memcpy(all, d->v, n * sizeof(all[0]));
    for (size_t j = 0; j < src->n; j++) {
        size_t i = 0;
        while (i < d->n && strcmp(all[i].text, src->v[j].text))
            i++;
        if (i < d->n)
            all[i].count += src->v[j].count;
        else
            all[n++] = src->v[j];
    }
    qsort(all, n, sizeof(all[0]), cmp_reason);
    d->n = n < LG_REASONS_PER_CHECK ? n : LG_REASONS_PER_CHECK;
    memcpy(d->v, all, d->n * sizeof(all[0]));
}

void lg_metrics_merge(struct lg_metrics *dst, const struct lg_metrics *src)
{
    for (size_t i = 0; i < dst->n_steps && i < src->n_steps; i++) {
        struct lg_step_metrics *d = &dst->steps[i];
        const struct lg_step_metrics *s = &src->steps[i];
        for (size_t k = 0; k < s->n_cells; k++) {
            const struct lg_cell *sc = &s->cells[k];
            struct lg_cell *dc = cell_for(d, sc->status, dst->open);
            dc->requests += sc->requests;
            dc->errors += sc->errors;
            for (int e = 0; e < LG_ERRC__COUNT; e++)
                dc->errors_by_class[e] += sc->errors_by_class[e];
            dc->bytes_in += sc->bytes_in;
            dc->dns_us_sum += sc->dns_us_sum;
            hist_merge_into(&dc->latency, sc->latency);
            hist_merge_into(&dc->latency_uncorrected, sc->latency_uncorrected);
            hist_merge_into(&dc->ttfb, sc->ttfb);
            hist_merge_into(&dc->dns, sc->dns);
            hist_merge_into(&dc->connect, sc->connect);
            hist_merge_into(&dc->tls, sc->tls);
        }
        d->unsent += s->unsent;
        for (int k = 0; k < LG_UNSENT__COUNT; k++)
            d->unsent_by[k] += s->unsent_by[k];
        d->retries += s->retries;
        d->retries_refused += s->retries_refused;
        for (int p = 0; p < LG_PROTO__COUNT; p++)
            d->protocols[p] += s->protocols[p];
        for (size_t c = 0; c < d->n_checks && c < s->n_checks; c++) {
            d->check_pass[c] += s->check_pass[c];
            d->check_fail[c] += s->check_fail[c];
            reasons_merge(&d->reasons[c], s->reasons[c]);
        }
    }
    for (size_t i = 0; i < dst->n_scenarios && i < src->n_scenarios; i++) {
        dst->scenarios[i].iterations += src->scenarios[i].iterations;
        dst->scenarios[i].iterations_failed += src->scenarios[i].iterations_failed;
        dst->scenarios[i].iterations_interrupted += src->scenarios[i].iterations_interrupted;
        lg_hist_merge(dst->scenarios[i].duration, src->scenarios[i].duration);
        hist_merge_into(&dst->scenarios[i].duration_uncorrected,
                        src->scenarios[i].duration_uncorrected);
    }
    dst->scheduled += src->scheduled;
    dst->dropped += src->dropped;
    dst->waited += src->waited;
    dst->feed_exhausted += src->feed_exhausted;
    dst->paced += src->paced;
    dst->connections += src->connections;
    hist_merge_into(&dst->lag, src->lag);
    hist_merge_into(&dst->wait, src->wait);
    for (size_t k = 0; k < src->n_series; k++) {
        const struct lg_series_point *sp = &src->series[k];
        struct lg_series_point *dp = NULL;
        for (size_t j = 0; j < dst->n_series; j++)
            if (dst->series[j].t_s == sp->t_s)
                dp = &dst->series[j];
        if (!dp) {
            LG_GROW(dst->series, dst->n_series + 1, dst->cap_series);
            dst->series[dst->n_series] = *sp;
            dst->series[dst->n_series++].hist = NULL; /* a point keeps no histogram here */
            continue;
        }
        dp->requests += sp->requests;
        dp->errors += sp->errors;
        dp->vus += sp->vus;
        dp->p50_us = max64(dp->p50_us, sp->p50_us);
        dp->p95_us = max64(dp->p95_us, sp->p95_us);
        dp->p99_us = max64(dp->p99_us, sp->p99_us);
    }
}

void lg_metrics_totals(const struct lg_metrics *m, struct lg_totals *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < m->n_steps; i++) {
        const struct lg_step_metrics *sm = &m->steps[i];
        for (size_t c = 0; c < sm->n_cells; c++) {
            out->requests += sm->cells[c].requests;
            if (sm->cells[c].status > 0)
                out->responses += sm->cells[c].requests;
            out->errors += sm->cells[c].errors;
            for (int e = 0; e < LG_ERRC__COUNT; e++)
                out->errors_by_class[e] += sm->cells[c].errors_by_class[e];
        }
        out->unsent += sm->unsent;
        for (int k = 0; k < LG_UNSENT__COUNT; k++)
            out->unsent_by[k] += sm->unsent_by[k];
        out->retries += sm->retries;
        out->retries_refused += sm->retries_refused;
        for (size_t k = 0; k < sm->n_checks; k++) {
            out->checks_passed += sm->check_pass[k];
            out->checks_failed += sm->check_fail[k];
        }
    }
    for (size_t i = 0; i < m->n_scenarios; i++) {
        out->iterations += m->scenarios[i].iterations;
        out->iterations_failed += m->scenarios[i].iterations_failed;
        out->iterations_interrupted += m->scenarios[i].iterations_interrupted;
    }
    out->dropped = m->dropped;
    out->feed_exhausted = m->feed_exhausted;
    out->connections = m->connections;
}

void lg_metrics_clear(struct lg_metrics *m)
{
    for (size_t i = 0; i < m->n_steps; i++) {
        struct lg_step_metrics *sm = &m->steps[i];
        for (size_t c = 0; c < sm->n_cells; c++) {
            struct lg_cell *cell = &sm->cells[c];
            cell->requests = cell->errors = cell->bytes_in = 0;
            cell->dns_us_sum = 0;
            memset(cell->errors_by_class, 0, sizeof(cell->errors_by_class));
            lg_hist_reset(cell->latency);
            lg_hist_reset(cell->ttfb);
            if (cell->latency_uncorrected)
                lg_hist_reset(cell->latency_uncorrected);
            if (cell->dns)
                lg_hist_reset(cell->dns);
            if (cell->connect)
                lg_hist_reset(cell->connect);
            if (cell->tls)
                lg_hist_reset(cell->tls);
        }
        sm->unsent = 0;
        memset(sm->unsent_by, 0, sizeof(sm->unsent_by));
        sm->retries = sm->retries_refused = 0;
        memset(sm->protocols, 0, sizeof(sm->protocols));
        memset(sm->check_pass, 0, sm->n_checks * sizeof(uint64_t));
        memset(sm->check_fail, 0, sm->n_checks * sizeof(uint64_t));
        for (size_t k = 0; k < sm->n_checks; k++)
            if (sm->reasons[k])
                sm->reasons[k]->n = 0;
    }
    for (size_t i = 0; i < m->n_scenarios; i++) {
        m->scenarios[i].iterations = m->scenarios[i].iterations_failed = 0;
        m->scenarios[i].iterations_interrupted = 0;
        lg_hist_reset(m->scenarios[i].duration);
        if (m->scenarios[i].duration_uncorrected)
            lg_hist_reset(m->scenarios[i].duration_uncorrected);
    }
    m->scheduled = m->dropped = m->waited = m->feed_exhausted = m->paced = 0;
    m->connections = 0;
    if (m->lag)
        lg_hist_reset(m->lag);
    if (m->wait)
        lg_hist_reset(m->wait);
    reset_second(m);
}

void lg_metrics_take_second(struct lg_metrics *dst, struct lg_metrics *src)
{
    lg_hist_merge(dst->second, src->second);
    for (size_t i = 0; i < dst->n_steps && i < src->n_steps; i++)
        if (src->step_second[i] && src->step_second[i]->total_count > 0)
            hist_merge_into(&dst->step_second[i], src->step_second[i]);
    dst->second_requests += src->second_requests;
    dst->second_errors += src->second_errors;
    reset_second(src);
}
