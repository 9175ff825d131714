/* result: the plain-data outcome of a run (schema loadgate.result/1) — verdict names,
 * latency figures from a histogram, freeing, and the reader that rebuilds a result
 * from result.json without the engine (for `report`, `compare` and `merge`). */
#include "result.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "utf8.h"
#include "util.h"

const char *lg_verdict_name(enum lg_verdict v)
{
    switch (v) {
    case LG_VERDICT_PASS:
        return "pass";
    case LG_VERDICT_FAIL:
        return "fail";
    case LG_VERDICT_ABORTED:
        return "aborted";
    }
    return "unknown";
}

double lg_result_round(double v, int decimals)
{
    if (!isfinite(v))
        return 0.0;
    double scale = decimals == 6 ? 1e6 : 1e3;
    /* Past this, the decimals are lost in the 15 digits anyway. */
    if (fabs(v) >= 1e12 / (scale / 1e3))
        return lg_result_sig15(v);
    return round(v * scale) / scale;
}

double lg_result_sig15(double v)
{
    if (!isfinite(v))
        return 0.0;
    /* jansson prints reals with "%.15g" (JSON_REAL_PRECISION(15)) and reads them
     * with strtod: the same trip. */
    char buf[40];
    snprintf(buf, sizeof(buf), "%.15g", v);
    return strtod(buf, NULL);
}

static void settle_latency(struct lg_latency_ms *l)
{
    double *v[] = {&l->min, &l->p50, &l->p90, &l->p95, &l->p99, &l->p999, &l->max, &l->mean};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        *v[i] = lg_result_round(*v[i], 3);
}

static void settle_counts(struct lg_count *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lg_utf8_settle(&c[i].name);
}

/* Every string of r as result.json holds it: well-formed UTF-8 (a check reason
 * quoting a server's bytes, a file name or a --threshold from the command line may
 * hold any byte; jansson writes U+FFFD for each stray one, and so does this). */
static void settle_strings(struct lg_result *r)
{
    char **top[] = {&r->suite,
                    &r->file,
                    &r->env,
                    &r->profile,
                    &r->base_url,
                    &r->started_at,
                    &r->abort_reason,
                    &r->schedule.note,
                    &r->feed_note,
                    &r->loadgate_version,
                    &r->http,
                    &r->proxy,
                    &r->proxy_variable,
                    &r->config_hash};
    for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
        lg_utf8_settle(top[i]);
    settle_counts(r->unsent_reasons, r->n_unsent_reasons);
    settle_counts(r->error_classes, r->n_error_classes);
    for (size_t i = 0; i < r->n_rules; i++) {
        lg_utf8_settle(&r->rules[i].name);
        lg_utf8_settle(&r->rules[i].text);
    }
    for (size_t i = 0; i < r->n_thresholds; i++) {
        struct lg_result_threshold *t = &r->thresholds[i];
        lg_utf8_settle(&t->expr);
        lg_utf8_settle(&t->severity);
        lg_utf8_settle(&t->unit);
        lg_utf8_settle(&t->observed_text);
    }
    for (size_t i = 0; i < r->n_steps; i++) {
        struct lg_result_step *s = &r->steps[i];
        lg_utf8_settle(&s->scenario);
        lg_utf8_settle(&s->name);
        settle_counts(s->unsent_reasons, s->n_unsent_reasons);
        settle_counts(s->status, s->n_status);
        settle_counts(s->error_classes, s->n_error_classes);
        settle_counts(s->protocols, s->n_protocols);
        for (size_t j = 0; j < s->n_checks; j++) {
            lg_utf8_settle(&s->checks[j].label);
            settle_counts(s->checks[j].reasons, s->checks[j].n_reasons);
        }
        for (size_t j = 0; j < s->n_tags; j++) {
            lg_utf8_settle(&s->tags[j].name);
            lg_utf8_settle(&s->tags[j].value);
        }
        for (size_t j = 0; j < s->n_cells; j++)
            settle_counts(s->cells[j].error_classes, s->cells[j].n_error_classes);
    }
    for (size_t i = 0; i < r->n_scenarios; i++)
        lg_utf8_settle(&r->scenarios[i].name);
    for (size_t i = 0; i < r->merged.n_segments; i++) {
        lg_utf8_settle(&r->merged.segments[i].file);
        lg_utf8_settle(&r->merged.segments[i].abort_reason);
    }
    lg_utf8_settle(&r->baseline.file);
    lg_utf8_settle(&r->baseline.started_at);
    lg_utf8_settle(&r->baseline.severity);
    for (size_t i = 0; i < r->baseline.n_steps; i++) {
        lg_utf8_settle(&r->baseline.steps[i].scenario);
        lg_utf8_settle(&r->baseline.steps[i].step);
    }
    for (size_t i = 0; i < r->n_regressions; i++) {
        struct lg_result_regression *g = &r->regressions[i];
        lg_utf8_settle(&g->scenario);
        lg_utf8_settle(&g->step);
        lg_utf8_settle(&g->metric);
        lg_utf8_settle(&g->status);
    }
    for (size_t i = 0; i < r->regression.n_steps; i++) {
        lg_utf8_settle(&r->regression.steps[i].scenario);
        lg_utf8_settle(&r->regression.steps[i].step);
    }
}

void lg_result_settle(struct lg_result *r)
{
    settle_strings(r);
    r->duration_s = lg_result_round(r->duration_s, 6);
    r->rps = lg_result_round(r->rps, 3);
    struct lg_result_schedule *sc = &r->schedule;
    sc->peak_rate_per_s = lg_result_round(sc->peak_rate_per_s, 3);
    sc->max_lateness_s = lg_result_round(sc->max_lateness_s, 3);
    settle_latency(&sc->lag_ms);
    settle_latency(&sc->wait_ms);
    r->limits.max_rate_per_s = lg_result_round(r->limits.max_rate_per_s, 3);
    r->limits.rate_asked_per_s = lg_result_round(r->limits.rate_asked_per_s, 3);
    for (size_t i = 0; i < r->n_steps; i++) {
        struct lg_result_step *s = &r->steps[i];
        settle_latency(&s->latency_ms);
        settle_latency(&s->latency_uncorrected_ms);
        settle_latency(&s->ttfb_ms);
        settle_latency(&s->dns_ms);
        settle_latency(&s->connect_ms);
        settle_latency(&s->tls_ms);
    }
    for (size_t i = 0; i < r->n_scenarios; i++) {
        settle_latency(&r->scenarios[i].iteration_ms);
        settle_latency(&r->scenarios[i].iteration_uncorrected_ms);
    }
    for (size_t i = 0; i < r->n_thresholds; i++) {
        struct lg_result_threshold *t = &r->thresholds[i];
        bool dec3 = t->unit && (!strcmp(t->unit, "ms") || !strcmp(t->unit, "per_s"));
        t->observed = dec3 ? lg_result_round(t->observed, 3) : lg_result_sig15(t->observed);
    }
    for (size_t i = 0; i < r->n_series; i++) {
        struct lg_result_point *p = &r->series[i];
        p->p50_ms = lg_result_round(p->p50_ms, 3);
        p->p95_ms = lg_result_round(p->p95_ms, 3);
        p->p99_ms = lg_result_round(p->p99_ms, 3);
    }
    r->baseline.budget = lg_result_sig15(r->baseline.budget);
    r->baseline.confidence = lg_result_sig15(r->baseline.confidence);
    for (size_t i = 0; i < r->merged.n_segments; i++)
        r->merged.segments[i].duration_s = lg_result_round(r->merged.segments[i].duration_s, 6);
    for (size_t i = 0; i < r->n_regressions; i++) {
        struct lg_result_regression *g = &r->regressions[i];
        double *v[] = {&g->base, &g->new, &g->base_lo, &g->base_hi, &g->new_lo, &g->new_hi};
        for (size_t j = 0; j < sizeof(v) / sizeof(v[0]); j++)
            *v[j] = lg_result_sig15(*v[j]);
    }
    r->regression.budget = lg_result_sig15(r->regression.budget);
    r->regression.confidence = lg_result_sig15(r->regression.confidence);
    for (size_t i = 0; i < r->regression.n_steps; i++)
        r->regression.steps[i].budget = lg_result_sig15(r->regression.steps[i].budget);
}

static const char *const regset_from_names[] = {"default", "suite", "flag"};

const char *lg_regset_from_name(enum lg_regset_from f)
{
    return (unsigned)f <= LG_REGSET_FLAG ? regset_from_names[f] : "?";
}

void lg_result_regset_clear(struct lg_result_regset *s)
{
    for (size_t i = 0; i < s->n_steps; i++) {
        free(s->steps[i].scenario);
        free(s->steps[i].step);
    }
    free(s->steps);
    memset(s, 0, sizeof(*s));
}

char *lg_result_regset_overrides(const struct lg_result_regset *s)
{
    if (!s->has || !s->n_steps)
        return NULL;
    struct lg_buf b = {0};
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct lg_result_regset_step *e = &s->steps[i];
        lg_buf_printf(&b, "%s%s/%s", i ? "; " : "", e->scenario ? e->scenario : "",
                      e->step ? e->step : "");
        if (!e->metrics) {
            lg_buf_puts(&b, " not judged");
            continue;
        }
        if (e->budget != s->budget)
            lg_buf_printf(&b, " %.6g%%", e->budget * 100.0);
        if (e->metrics != s->metrics) {
            const char *sep = " on ";
            for (int m = 0; m < LG_CMP_METRICS; m++) {
                if (!(e->metrics & (1u << m)))
                    continue;
                lg_buf_printf(&b, "%s%s", sep, lg_cmp_metric_name((enum lg_cmp_metric)m));
                sep = ", ";
            }
        }
        if (e->budget == s->budget && e->metrics == s->metrics)
            lg_buf_printf(&b, " %.6g%%", e->budget * 100.0);
    }
    return lg_buf_take(&b);
}

void lg_latency_from_hist(const struct lg_hist *h, struct lg_latency_ms *out)
{
    memset(out, 0, sizeof(*out));
    if (!h || h->total_count <= 0)
        return;
    out->min = (double)lg_hist_min(h) / 1000.0;
    out->p50 = (double)lg_hist_percentile(h, 50.0) / 1000.0;
    out->p90 = (double)lg_hist_percentile(h, 90.0) / 1000.0;
    out->p95 = (double)lg_hist_percentile(h, 95.0) / 1000.0;
    out->p99 = (double)lg_hist_percentile(h, 99.0) / 1000.0;
    out->p999 = (double)lg_hist_percentile(h, 99.9) / 1000.0;
    out->max = (double)lg_hist_max(h) / 1000.0;
    /* Whole microseconds, like every other figure, so that result.json (3 decimals
     * of a millisecond) holds exactly what the result holds. */
    out->mean = (double)llround(lg_hist_mean(h)) / 1000.0;
}

static void free_counts(struct lg_count *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

void lg_result_free(struct lg_result *r)
{
    if (!r)
        return;
    free(r->suite);
    free(r->file);
    free(r->env);
    free(r->profile);
    free(r->base_url);
    free(r->started_at);
    free(r->config_hash);
    free(r->loadgate_version);
    free(r->abort_reason);
    free(r->schedule.note);
    free(r->feed_note);
    free(r->http);
    free(r->proxy);
    free(r->proxy_variable);
    for (size_t i = 0; i < r->n_rules; i++) {
        free(r->rules[i].name);
        free(r->rules[i].text);
    }
    free(r->rules);
    free_counts(r->error_classes, r->n_error_classes);
    free_counts(r->unsent_reasons, r->n_unsent_reasons);
    for (size_t i = 0; i < r->n_steps; i++) {
        struct lg_result_step *s = &r->steps[i];
        free(s->scenario);
        free(s->name);
        free_counts(s->status, s->n_status);
        free_counts(s->error_classes, s->n_error_classes);
        free_counts(s->unsent_reasons, s->n_unsent_reasons);
        free_counts(s->protocols, s->n_protocols);
        lg_hist_free(s->histogram);
        lg_hist_free(s->histogram_uncorrected);
        for (size_t j = 0; j < s->n_checks; j++) {
            free(s->checks[j].label);
            free_counts(s->checks[j].reasons, s->checks[j].n_reasons);
        }
        free(s->checks);
        for (size_t j = 0; j < s->n_tags; j++) {
            free(s->tags[j].name);
            free(s->tags[j].value);
        }
        free(s->tags);
        for (size_t j = 0; j < s->n_cells; j++) {
            struct lg_result_cell *c = &s->cells[j];
            free_counts(c->error_classes, c->n_error_classes);
            free(c->latency);
            free(c->latency_uncorrected);
            free(c->ttfb);
            free(c->dns);
            free(c->connect);
            free(c->tls);
        }
        free(s->cells);
    }
    free(r->steps);
    for (size_t i = 0; i < r->n_scenarios; i++) {
        free(r->scenarios[i].name);
        lg_hist_free(r->scenarios[i].histogram);
        lg_hist_free(r->scenarios[i].histogram_uncorrected);
    }
    free(r->scenarios);
    for (size_t i = 0; i < r->n_thresholds; i++) {
        struct lg_result_threshold *t = &r->thresholds[i];
        free(t->expr);
        free(t->severity);
        free(t->unit);
        free(t->observed_text);
    }
    free(r->thresholds);
    for (size_t i = 0; i < r->n_series; i++)
        free(r->series[i].histogram);
    free(r->series);
    free(r->schedule.lag_histogram);
    free(r->schedule.wait_histogram);
    for (size_t i = 0; i < r->merged.n_segments; i++) {
        free(r->merged.segments[i].file);
        free(r->merged.segments[i].abort_reason);
    }
    free(r->merged.segments);
    free(r->merged.missing);
    free(r->baseline.file);
    free(r->baseline.started_at);
    free(r->baseline.severity);
    lg_hist_free(r->baseline.histogram);
    for (size_t i = 0; i < r->baseline.n_steps; i++) {
        free(r->baseline.steps[i].scenario);
        free(r->baseline.steps[i].step);
        lg_hist_free(r->baseline.steps[i].histogram);
    }
    free(r->baseline.steps);
    for (size_t i = 0; i < r->n_regressions; i++) {
        struct lg_result_regression *g = &r->regressions[i];
        free(g->scenario);
        free(g->step);
        free(g->metric);
        free(g->status);
    }
    free(r->regressions);
    lg_result_regset_clear(&r->regression);
    free(r);
}

/* ---- reader ---------------------------------------------------------------------- */

/* The reader checks every value it takes (type and range) and names the offending
 * key by its path in the document ("steps[1].latency_ms.p95"), so that a hand-edited
 * or truncated file gives one clear message instead of a crash or a silent zero. */
struct rd {
    const char *name; /* the file name, prefixed to every message */
    char *err;
    size_t errlen;
    bool open; /* the document's "schedule" says open model (read before the steps) */
};

static int rd_fail(struct rd *rd, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int rd_fail(struct rd *rd, const char *where, const char *fmt, ...)
{
    if (!rd->err || !rd->errlen)
        return LG_ESYNTAX;
    struct lg_buf b = {0};
    lg_buf_printf(&b, "%s: ", rd->name);
    if (where && *where)
        lg_buf_printf(&b, "%s: ", where);
    va_list ap;
    va_start(ap, fmt);
    lg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    snprintf(rd->err, rd->errlen, "%s", b.data);
    lg_buf_free(&b);
    return LG_ESYNTAX;
}

/* Joins a path in the document: "" + "totals" = "totals", "steps[0]" + "name" =
 * "steps[0].name". Caller frees. */
static char *sub(const char *where, const char *key)
{
    return *where ? lg_asprintf("%s.%s", where, key) : lg_strdup(key);
}

static char *idx(const char *where, size_t i)
{
    return lg_asprintf("%s[%zu]", where, i);
}

/* Looks up key in obj. Returns 0 and *out (NULL when absent and optional), or fails
 * with "missing key" when required. A JSON null counts as absent. */
static int get(struct rd *rd, json_t *obj, const char *where, const char *key, bool required,
               json_t **out)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (v && json_is_null(v))
        v = NULL;
    if (!v && required)
        return rd_fail(rd, where, "missing key '%s'", key);
    *out = v;
    return 0;
}

static int type_fail(struct rd *rd, const char *where, const char *key, const char *what)
{
    char *w = sub(where, key);
    int rc = rd_fail(rd, w, "expected %s", what);
    free(w);
    return rc;
}

static bool is_string(const json_t *v)
{
    return json_is_string(v);
}
static bool is_count(const json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0;
}
static bool is_number(const json_t *v)
{
    return json_is_number(v);
}
static bool is_boolean(const json_t *v)
{
    return json_is_boolean(v);
}
static bool is_object(const json_t *v)
{
    return json_is_object(v);
}
static bool is_array(const json_t *v)
{
    return json_is_array(v);
}

/* A member that must pass `ok` (`what` names the type for the error); *out is NULL
 * when it is absent and optional. */
static int get_as(struct rd *rd, json_t *obj, const char *where, const char *key, bool required,
                  bool (*ok)(const json_t *), const char *what, json_t **out)
{
    int rc = get(rd, obj, where, key, required, out);
    if (rc || !*out || ok(*out))
        return rc;
    *out = NULL;
    return type_fail(rd, where, key, what);
}

/* A string; absent optional strings become NULL when `nullable`, else "". */
static int get_str(struct rd *rd, json_t *obj, const char *where, const char *key, bool required,
                   bool nullable, char **out)
{
    json_t *v = NULL;
    int rc = get_as(rd, obj, where, key, required, is_string, "a string", &v);
    if (rc)
        return rc;
    if (!v)
        *out = nullable ? NULL : lg_strdup("");
    else
        *out = lg_strndup(json_string_value(v), json_string_length(v));
    return 0;
}

/* Absent optional numbers and booleans read as 0 and false. */
static int get_u64(struct rd *rd, json_t *obj, const char *where, const char *key, bool required,
                   uint64_t *out)
{
    json_t *v = NULL;
    int rc = get_as(rd, obj, where, key, required, is_count, "a non-negative integer", &v);
    *out = v ? (uint64_t)json_integer_value(v) : 0;
    return rc;
}

static int get_double(struct rd *rd, json_t *obj, const char *where, const char *key, bool required,
                      double *out)
{
    json_t *v = NULL;
    int rc = get_as(rd, obj, where, key, required, is_number, "a number", &v);
    *out = v ? json_number_value(v) : 0;
    return rc;
}

static int get_bool(struct rd *rd, json_t *obj, const char *where, const char *key, bool required,
                    bool *out)
{
    json_t *v = NULL;
    int rc = get_as(rd, obj, where, key, required, is_boolean, "true or false", &v);
    *out = v && json_is_true(v);
    return rc;
}

/* An object or array member; *out is NULL when absent and optional. */
static int get_typed(struct rd *rd, json_t *obj, const char *where, const char *key, bool required,
                     json_type type, json_t **out)
{
    return type == JSON_OBJECT ? get_as(rd, obj, where, key, required, is_object, "an object", out)
                               : get_as(rd, obj, where, key, required, is_array, "an array", out);
}

/* {"name": count, ...} in document order. */
static int read_counts(struct rd *rd, json_t *obj, const char *where, const char *key,
                       bool required, struct lg_count **out, size_t *n_out)
{
    json_t *m = NULL;
    int rc = get_typed(rd, obj, where, key, required, JSON_OBJECT, &m);
    if (rc || !m)
        return rc;
    size_t n = json_object_size(m);
    if (!n)
        return 0;
    *out = lg_calloc(n, sizeof(**out));
    *n_out = n;
    char *w = sub(where, key);
    size_t i = 0;
    const char *name;
    json_t *v = NULL;
    json_object_foreach(m, name, v)
    {
        if (i >= n)
            break;
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            rc = type_fail(rd, w, name, "a non-negative integer");
            break;
        }
        (*out)[i].name = lg_strdup(name);
        (*out)[i].count = (uint64_t)json_integer_value(v);
        i++;
    }
    free(w);
    return rc;
}

static int read_latency(struct rd *rd, json_t *obj, const char *where, const char *key,
                        bool required, struct lg_latency_ms *out)
{
    json_t *m = NULL;
    int rc = get_typed(rd, obj, where, key, required, JSON_OBJECT, &m);
    if (rc || !m)
        return rc;
    char *w = sub(where, key);
    struct {
        const char *key;
        double *v;
    } f[] = {{"min", &out->min}, {"p50", &out->p50},   {"p90", &out->p90}, {"p95", &out->p95},
             {"p99", &out->p99}, {"p999", &out->p999}, {"max", &out->max}, {"mean", &out->mean}};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && !rc; i++)
        rc = get_double(rd, m, w, f[i].key, true, f[i].v);
    free(w);
    return rc;
}

/* A phase summary (ttfb_ms, dns_ms, ...): absent or null reads as no sample (n 0,
 * figures 0), as in results written before phases were recorded; an object needs
 * "count" and every key of latency_ms. */
static int read_phase(struct rd *rd, json_t *obj, const char *where, const char *key,
                      struct lg_latency_ms *out, uint64_t *n)
{
    json_t *m = NULL;
    int rc = get_typed(rd, obj, where, key, false, JSON_OBJECT, &m);
    if (rc || !m)
        return rc;
    char *w = sub(where, key);
    rc = get_u64(rd, m, w, "count", true, n);
    free(w);
    return rc ? rc : read_latency(rd, obj, where, key, true, out);
}

static int read_hist(struct rd *rd, json_t *obj, const char *where, const char *key, bool required,
                     struct lg_hist **out)
{
    json_t *v = NULL;
    int rc = get(rd, obj, where, key, required, &v);
    if (rc || !v)
        return rc;
    if (!json_is_string(v))
        return type_fail(rd, where, key, "an encoded histogram (a string)");
    if (lg_hist_decode(json_string_value(v), out) != 0) {
        char *w = sub(where, key);
        rc = rd_fail(rd, w, "not a valid HdrHistogram V2 encoding");
        free(w);
    }
    return rc;
}

/* An encoded histogram kept as its text (segment results: cells, seconds, lag and
 * wait), checked to decode so that `merge` never meets a bad one half-way. *out is
 * NULL when absent. */
static int read_hist_text(struct rd *rd, json_t *obj, const char *where, const char *key,
                          char **out)
{
    struct lg_hist *h = NULL;
    int rc = read_hist(rd, obj, where, key, false, &h);
    if (rc || !h)
        return rc;
    lg_hist_free(h);
    json_t *v = json_object_get(obj, key);
    *out = lg_strndup(json_string_value(v), json_string_length(v));
    return 0;
}

/* A status code as a cell holds it: 0 (no response) or 100..999. */
static int get_status(struct rd *rd, json_t *obj, const char *where, int *out)
{
    uint64_t v = 0;
    int rc = get_u64(rd, obj, where, "status", true, &v);
    if (rc)
        return rc;
    if (v != 0 && (v < 100 || v > 999))
        return type_fail(rd, where, "status", "0 or an HTTP status (100..999)");
    *out = (int)v;
    return 0;
}

static int read_tag(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_tag *t = elem;
    int rc;
    if ((rc = get_str(rd, o, w, "name", true, false, &t->name)) ||
        (rc = get_str(rd, o, w, "value", true, false, &t->value)))
        return rc;
    return 0;
}

static int read_cell(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_cell *c = elem;
    int rc;
    if ((rc = get_status(rd, o, w, &c->status)) ||
        (rc = get_u64(rd, o, w, "requests", true, &c->requests)) ||
        (rc = get_u64(rd, o, w, "errors", true, &c->errors)) ||
        (rc = read_counts(rd, o, w, "error_classes", false, &c->error_classes,
                          &c->n_error_classes)) ||
        (rc = read_hist_text(rd, o, w, "histogram", &c->latency)) ||
        (rc = read_hist_text(rd, o, w, "histogram_uncorrected", &c->latency_uncorrected)) ||
        (rc = read_hist_text(rd, o, w, "ttfb", &c->ttfb)) ||
        (rc = read_hist_text(rd, o, w, "dns", &c->dns)) ||
        (rc = read_hist_text(rd, o, w, "connect", &c->connect)) ||
        (rc = read_hist_text(rd, o, w, "tls", &c->tls)))
        return rc;
    if (c->errors > c->requests)
        return rd_fail(rd, w, "errors (%llu) above requests (%llu)", (unsigned long long)c->errors,
                       (unsigned long long)c->requests);
    return 0;
}

/* The uncorrected figures of a step or scenario (open model only): either key makes
 * both required, so that figures and histogram never disagree about being there. */
static int read_uncorrected(struct rd *rd, json_t *o, const char *where, const char *latency_key,
                            bool *has, struct lg_latency_ms *latency, struct lg_hist **hist)
{
    *has = false;
    if (!rd->open)
        return 0;
    json_t *l = NULL, *h = NULL;
    int rc;
    if ((rc = get(rd, o, where, latency_key, false, &l)) ||
        (rc = get(rd, o, where, "histogram_uncorrected", false, &h)))
        return rc;
    if (!l && !h)
        return 0;
    if ((rc = read_latency(rd, o, where, latency_key, true, latency)) ||
        (rc = read_hist(rd, o, where, "histogram_uncorrected", true, hist)))
        return rc;
    *has = true;
    return 0;
}

/* Arrays of objects are read in two steps: the elements are allocated and counted in
 * the result first, then filled by fn one by one, so that a failure part-way leaves
 * everything read so far owned by the result (freed by lg_result_free). */
typedef int (*elem_fn)(struct rd *rd, json_t *o, const char *where, void *elem);

static void *alloc_elems(json_t *a, size_t size, size_t *n)
{
    *n = a ? json_array_size(a) : 0;
    return *n ? lg_calloc(*n, size) : NULL;
}

static int fill_elems(struct rd *rd, json_t *a, const char *where, const char *key, void *arr,
                      size_t size, elem_fn fn)
{
    int rc = 0;
    char *base = sub(where, key);
    for (size_t i = 0; a && i < json_array_size(a) && !rc; i++) {
        char *w = idx(base, i);
        json_t *e = json_array_get(a, i);
        if (!json_is_object(e))
            rc = rd_fail(rd, w, "expected an object");
        else
            rc = fn(rd, e, w, (char *)arr + i * size);
        free(w);
    }
    free(base);
    return rc;
}

/* rc = 0 or the error of reading obj[key] into arr (a typed pointer) and n. */
#define READ_ARRAY(rc, rd, obj, where, key, required, arr, n, fn)                                  \
    do {                                                                                           \
        json_t *a_ = NULL;                                                                         \
        if (((rc) = get_typed(rd, obj, where, key, required, JSON_ARRAY, &a_)))                    \
            break;                                                                                 \
        (arr) = alloc_elems(a_, sizeof(*(arr)), &(n));                                             \
        (rc) = fill_elems(rd, a_, where, key, (arr), sizeof(*(arr)), fn);                          \
    } while (0)

static int read_reason(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_count *c = elem;
    int rc;
    if ((rc = get_str(rd, o, w, "text", true, false, &c->name)) ||
        (rc = get_u64(rd, o, w, "count", true, &c->count)))
        return rc;
    return 0;
}

/* "reasons" may be absent (absent = none, so older results still read). */
static int read_check(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_check *c = elem;
    int rc;
    if ((rc = get_str(rd, o, w, "label", true, false, &c->label)) ||
        (rc = get_u64(rd, o, w, "passed", true, &c->passed)) ||
        (rc = get_u64(rd, o, w, "failed", true, &c->failed)))
        return rc;
    READ_ARRAY(rc, rd, o, w, "reasons", false, c->reasons, c->n_reasons, read_reason);
    return rc;
}

static int read_step(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_step *s = elem;
    int rc;
    json_t *checks = NULL;
    if ((rc = get_str(rd, o, w, "scenario", true, false, &s->scenario)) ||
        (rc = get_str(rd, o, w, "name", true, false, &s->name)) ||
        (rc = get_u64(rd, o, w, "requests", true, &s->requests)) ||
        (rc = get_u64(rd, o, w, "errors", true, &s->errors)) ||
        (rc = get_u64(rd, o, w, "unsent", false, &s->unsent)) ||
        (rc = read_counts(rd, o, w, "unsent_reasons", false, &s->unsent_reasons,
                          &s->n_unsent_reasons)) ||
        (rc = get_u64(rd, o, w, "retries", false, &s->retries)) ||
        (rc = get_u64(rd, o, w, "retries_refused", false, &s->retries_refused)) ||
        (rc = read_counts(rd, o, w, "status", true, &s->status, &s->n_status)) ||
        (rc = read_counts(rd, o, w, "error_classes", false, &s->error_classes,
                          &s->n_error_classes)) ||
        (rc = read_counts(rd, o, w, "protocols", false, &s->protocols, &s->n_protocols)) ||
        (rc = read_latency(rd, o, w, "latency_ms", true, &s->latency_ms)) ||
        (rc = read_phase(rd, o, w, "ttfb_ms", &s->ttfb_ms, &s->ttfb_n)) ||
        (rc = read_phase(rd, o, w, "dns_ms", &s->dns_ms, &s->dns_n)) ||
        (rc = read_phase(rd, o, w, "connect_ms", &s->connect_ms, &s->connect_n)) ||
        (rc = read_phase(rd, o, w, "tls_ms", &s->tls_ms, &s->tls_n)) ||
        (rc = get_typed(rd, o, w, "checks", true, JSON_OBJECT, &checks)))
        return rc;
    char *cw = sub(w, "checks");
    if (!(rc = get_u64(rd, checks, cw, "passed", true, &s->checks_passed)) &&
        !(rc = get_u64(rd, checks, cw, "failed", true, &s->checks_failed)))
        READ_ARRAY(rc, rd, checks, cw, "list", false, s->checks, s->n_checks, read_check);
    free(cw);
    if (rc || (rc = read_hist(rd, o, w, "histogram", true, &s->histogram)) ||
        (rc = read_uncorrected(rd, o, w, "latency_uncorrected_ms", &s->has_uncorrected,
                               &s->latency_uncorrected_ms, &s->histogram_uncorrected)))
        return rc;
    READ_ARRAY(rc, rd, o, w, "tags", false, s->tags, s->n_tags, read_tag);
    if (rc)
        return rc;
    READ_ARRAY(rc, rd, o, w, "cells", false, s->cells, s->n_cells, read_cell);
    return rc;
}

static int read_scenario(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_scenario *s = elem;
    int rc;
    if ((rc = get_str(rd, o, w, "name", true, false, &s->name)) ||
        (rc = get_u64(rd, o, w, "iterations", true, &s->iterations)) ||
        (rc = get_u64(rd, o, w, "iterations_failed", false, &s->iterations_failed)) ||
        (rc = get_u64(rd, o, w, "iterations_interrupted", false, &s->iterations_interrupted)) ||
        (rc = read_latency(rd, o, w, "iteration_ms", false, &s->iteration_ms)) ||
        (rc = read_hist(rd, o, w, "histogram", false, &s->histogram)))
        return rc;
    return read_uncorrected(rd, o, w, "iteration_uncorrected_ms", &s->has_uncorrected,
                            &s->iteration_uncorrected_ms, &s->histogram_uncorrected);
}

static int read_threshold(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_threshold *t = elem;
    int rc;
    if ((rc = get_str(rd, o, w, "expr", true, false, &t->expr)) ||
        (rc = get_str(rd, o, w, "severity", true, false, &t->severity)) ||
        (rc = get_bool(rd, o, w, "ok", true, &t->ok)) ||
        (rc = get_double(rd, o, w, "observed", true, &t->observed)) ||
        (rc = get_str(rd, o, w, "unit", false, false, &t->unit)) ||
        (rc = get_str(rd, o, w, "observed_text", false, false, &t->observed_text)) ||
        (rc = get_bool(rd, o, w, "no_samples", false, &t->no_samples)) ||
        (rc = get_bool(rd, o, w, "abort", false, &t->abort)))
        return rc;
    if (strcmp(t->severity, "critical") && strcmp(t->severity, "warning")) {
        char *sw = sub(w, "severity");
        rc = rd_fail(rd, sw, "expected \"critical\" or \"warning\", got \"%s\"", t->severity);
        free(sw);
    }
    return rc;
}

static int read_rule(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_rule *u = elem;
    int rc;
    if ((rc = get_str(rd, o, w, "name", true, false, &u->name)) ||
        (rc = get_bool(rd, o, w, "ok", true, &u->ok)) ||
        (rc = get_str(rd, o, w, "text", false, false, &u->text)))
        return rc;
    return 0;
}

static int read_point(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_point *p = elem;
    int rc;
    json_t *t = NULL;
    uint64_t vus;
    if ((rc = get(rd, o, w, "t", true, &t)))
        return rc;
    if (!json_is_integer(t))
        return type_fail(rd, w, "t", "an integer (seconds)");
    p->t_s = json_integer_value(t);
    if ((rc = get_u64(rd, o, w, "requests", true, &p->requests)) ||
        (rc = get_u64(rd, o, w, "errors", true, &p->errors)) ||
        (rc = get_u64(rd, o, w, "vus", false, &vus)) ||
        (rc = get_double(rd, o, w, "p50_ms", false, &p->p50_ms)) ||
        (rc = get_double(rd, o, w, "p95_ms", false, &p->p95_ms)) ||
        (rc = get_double(rd, o, w, "p99_ms", false, &p->p99_ms)) ||
        (rc = read_hist_text(rd, o, w, "histogram", &p->histogram)))
        return rc;
    if (vus > UINT32_MAX)
        return type_fail(rd, w, "vus", "a number of virtual users");
    p->vus = (uint32_t)vus;
    return 0;
}

/* "schedule": absent means the closed model (older results have none). In the
 * open model every key but "note" is required: a missing
 * "sustained" must not read as "the rate was not kept". */
static int read_schedule(struct rd *rd, json_t *root, struct lg_result_schedule *sc)
{
    json_t *o = NULL;
    char *model = NULL;
    int rc;
    if ((rc = get_typed(rd, root, "", "schedule", false, JSON_OBJECT, &o)) || !o)
        return rc;
    if ((rc = get_str(rd, o, "schedule", "model", true, false, &model)))
        return rc;
    if (!strcmp(model, "open"))
        sc->open = true;
    else if (strcmp(model, "closed"))
        rc = rd_fail(rd, "schedule.model", "expected \"open\" or \"closed\", got \"%s\"", model);
    free(model);
    if (rc || !sc->open)
        return rc;

    const char *w = "schedule";
    uint64_t max_vus = 0;
    if ((rc = get_double(rd, o, w, "peak_rate_per_s", true, &sc->peak_rate_per_s)) ||
        (rc = get_u64(rd, o, w, "max_vus", true, &max_vus)) ||
        (rc = get_double(rd, o, w, "max_lateness_s", true, &sc->max_lateness_s)) ||
        (rc = get_u64(rd, o, w, "scheduled", true, &sc->scheduled)) ||
        (rc = get_u64(rd, o, w, "started", true, &sc->started)) ||
        (rc = get_u64(rd, o, w, "dropped", true, &sc->dropped)) ||
        (rc = get_u64(rd, o, w, "waited", true, &sc->waited)) ||
        (rc = read_latency(rd, o, w, "lag_ms", true, &sc->lag_ms)) ||
        (rc = read_latency(rd, o, w, "wait_ms", true, &sc->wait_ms)) ||
        (rc = get_bool(rd, o, w, "sustained", true, &sc->sustained)) ||
        (rc = get_str(rd, o, w, "note", false, true, &sc->note)) ||
        (rc = read_hist_text(rd, o, w, "lag_histogram", &sc->lag_histogram)) ||
        (rc = read_hist_text(rd, o, w, "wait_histogram", &sc->wait_histogram)))
        return rc;
    if (max_vus > UINT32_MAX)
        return rd_fail(rd, "schedule.max_vus", "expected a number of virtual users");
    sc->max_vus = (uint32_t)max_vus;
    return 0;
}

/* A number that may be null (read as 0, as when absent). */
static int get_double_or_null(struct rd *rd, json_t *obj, const char *where, const char *key,
                              double *out)
{
    if (json_is_null(json_object_get(obj, key))) {
        *out = 0;
        return 0;
    }
    return get_double(rd, obj, where, key, false, out);
}

/* "limits": absent or null when the environment had none. */
static int read_limits(struct rd *rd, json_t *root, struct lg_result_limits *l)
{
    json_t *o = NULL;
    int rc;
    if (json_is_null(json_object_get(root, "limits")))
        return 0;
    if ((rc = get_typed(rd, root, "", "limits", false, JSON_OBJECT, &o)) || !o)
        return rc;
    const char *w = "limits";
    double max_vus = 0;
    uint64_t asked = 0;
    if ((rc = get_double_or_null(rd, o, w, "max_rate_per_s", &l->max_rate_per_s)) ||
        (rc = get_double_or_null(rd, o, w, "max_vus", &max_vus)) ||
        (rc = get_u64(rd, o, w, "vus_asked", false, &asked)) ||
        (rc = get_bool(rd, o, w, "vus_capped", false, &l->vus_capped)) ||
        (rc = get_double_or_null(rd, o, w, "rate_asked_per_s", &l->rate_asked_per_s)) ||
        (rc = get_bool(rd, o, w, "rate_capped", false, &l->rate_capped)) ||
        (rc = get_u64(rd, o, w, "requests_paced", false, &l->paced)))
        return rc;
    if (!(max_vus >= 0 && max_vus <= UINT32_MAX && max_vus == (double)(uint32_t)max_vus))
        return rd_fail(rd, "limits.max_vus", "expected a number of virtual users");
    if (asked > UINT32_MAX)
        return rd_fail(rd, "limits.vus_asked", "expected a number of virtual users");
    l->has = true;
    l->max_vus = (uint32_t)max_vus;
    l->vus_asked = (uint32_t)asked;
    return 0;
}

/* A number or null: *has says which (null and absent read as no value, 0). */
static int get_maybe(struct rd *rd, json_t *obj, const char *where, const char *key, bool *has,
                     double *out)
{
    json_t *v = NULL;
    int rc = get_as(rd, obj, where, key, false, is_number, "a number or null", &v);
    *has = v != NULL;
    *out = v ? json_number_value(v) : 0;
    return rc;
}

/* {"lo": N|null, "hi": N|null}, or null: no bound on either side. */
static int read_bounds(struct rd *rd, json_t *o, const char *w, const char *key, bool *has_lo,
                       double *lo, bool *has_hi, double *hi)
{
    json_t *b = NULL;
    int rc = get_typed(rd, o, w, key, false, JSON_OBJECT, &b);
    *has_lo = *has_hi = false;
    *lo = *hi = 0;
    if (rc || !b)
        return rc;
    char *wb = sub(w, key);
    if (!(rc = get_maybe(rd, b, wb, "lo", has_lo, lo)))
        rc = get_maybe(rd, b, wb, "hi", has_hi, hi);
    free(wb);
    return rc;
}

static int read_regression(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_regression *g = elem;
    int rc;
    if ((rc = get_str(rd, o, w, "scenario", false, true, &g->scenario)) ||
        (rc = get_str(rd, o, w, "step", false, true, &g->step)) ||
        (rc = get_str(rd, o, w, "metric", true, false, &g->metric)) ||
        (rc = get_str(rd, o, w, "status", true, false, &g->status)) ||
        (rc = get_maybe(rd, o, w, "base", &g->has_base, &g->base)) ||
        (rc = get_maybe(rd, o, w, "new", &g->has_new, &g->new)) ||
        (rc = read_bounds(rd, o, w, "base_bounds", &g->has_base_lo, &g->base_lo, &g->has_base_hi,
                          &g->base_hi)) ||
        (rc = read_bounds(rd, o, w, "new_bounds", &g->has_new_lo, &g->new_lo, &g->has_new_hi,
                          &g->new_hi)))
        return rc;
    if ((g->scenario == NULL) != (g->step == NULL))
        return rd_fail(rd, w, "expected both \"scenario\" and \"step\", or neither (overall)");
    return 0;
}

static int read_baseline_step(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_baseline_step *bs = elem;
    int rc;
    if ((rc = get_str(rd, o, w, "scenario", true, false, &bs->scenario)) ||
        (rc = get_str(rd, o, w, "step", true, false, &bs->step)) ||
        (rc = read_hist(rd, o, w, "histogram", true, &bs->histogram)))
        return rc;
    return 0;
}

/* "baseline": absent or null when the run had none. Its "histogram" and "steps" are
 * absent in results written before the baseline's curves were recorded. */
static int read_baseline(struct rd *rd, json_t *root, struct lg_result *r)
{
    json_t *o = NULL;
    int rc = get_typed(rd, root, "", "baseline", false, JSON_OBJECT, &o);
    if (rc || !o)
        return rc;
    struct lg_result_baseline *b = &r->baseline;
    const char *w = "baseline";
    b->has = true;
    if ((rc = get_str(rd, o, w, "file", true, false, &b->file)) ||
        (rc = get_str(rd, o, w, "started_at", false, true, &b->started_at)) ||
        (rc = get_double(rd, o, w, "budget", true, &b->budget)) ||
        (rc = get_double(rd, o, w, "confidence", true, &b->confidence)) ||
        (rc = get_str(rd, o, w, "severity", true, false, &b->severity)))
        return rc;
    if (strcmp(b->severity, "critical") && strcmp(b->severity, "warning"))
        return rd_fail(rd, "baseline.severity", "expected \"critical\" or \"warning\", got \"%s\"",
                       b->severity);
    if ((rc = read_hist(rd, o, w, "histogram", false, &b->histogram)))
        return rc;
    READ_ARRAY(rc, rd, o, w, "steps", false, b->steps, b->n_steps, read_baseline_step);
    if (rc)
        return rc;
    READ_ARRAY(rc, rd, root, "", "regressions", false, r->regressions, r->n_regressions,
               read_regression);
    return rc;
}

/* "segment", "config_hash" and "started_unix_ms" (`run --segment`); absent or
 * null in results written before them. */
static int read_segment(struct rd *rd, json_t *root, struct lg_result *r)
{
    json_t *seg = json_object_get(root, "segment"), *ms = NULL;
    int rc;
    if (seg && !json_is_null(seg)) {
        uint64_t k = 0, n = 0;
        if ((rc = get_typed(rd, root, "", "segment", false, JSON_OBJECT, &seg)) ||
            (rc = get_u64(rd, seg, "segment", "index", true, &k)) ||
            (rc = get_u64(rd, seg, "segment", "count", true, &n)))
            return rc;
        if (k < 1 || k > n || n > 1000)
            return rd_fail(rd, "segment", "expected 1 <= index <= count <= 1000, got %llu/%llu",
                           (unsigned long long)k, (unsigned long long)n);
        r->has_segment = true;
        r->segment_index = (uint32_t)k;
        r->segment_count = (uint32_t)n;
    }
    json_t *h = json_object_get(root, "config_hash");
    if (h && !json_is_null(h)) {
        if ((rc = get_str(rd, root, "", "config_hash", false, true, &r->config_hash)))
            return rc;
        bool ok = strlen(r->config_hash) == 71 && !strncmp(r->config_hash, "sha256:", 7);
        for (size_t i = 7; ok && i < 71; i++)
            ok = (r->config_hash[i] >= '0' && r->config_hash[i] <= '9') ||
                 (r->config_hash[i] >= 'a' && r->config_hash[i] <= 'f');
        if (!ok)
            return rd_fail(rd, "config_hash", "expected \"sha256:\" and 64 lowercase hex digits");
    }
    if ((rc = get_as(rd, root, "", "started_unix_ms", false, is_count, "a non-negative integer",
                     &ms)))
        return rc;
    r->started_unix_ms = ms ? (int64_t)json_integer_value(ms) : 0;
    return 0;
}

static int read_verdict_name(struct rd *rd, const char *w, const char *s, enum lg_verdict *out)
{
    if (!strcmp(s, "pass"))
        *out = LG_VERDICT_PASS;
    else if (!strcmp(s, "fail"))
        *out = LG_VERDICT_FAIL;
    else if (!strcmp(s, "aborted"))
        *out = LG_VERDICT_ABORTED;
    else
        return rd_fail(rd, w, "expected \"pass\", \"fail\" or \"aborted\", got \"%s\"", s);
    return 0;
}

static int read_merged_segment(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_merged_segment *g = elem;
    uint64_t k = 0;
    char *verdict = NULL;
    json_t *t = NULL;
    int rc;
    if ((rc = get_u64(rd, o, w, "index", true, &k)) ||
        (rc = get_str(rd, o, w, "file", false, false, &g->file)) ||
        (rc = get_str(rd, o, w, "verdict", true, false, &verdict)) ||
        (rc = get_str(rd, o, w, "abort_reason", false, true, &g->abort_reason)) ||
        (rc = get(rd, o, w, "started_unix_ms", false, &t)) ||
        (rc = get_double(rd, o, w, "duration_s", false, &g->duration_s)) ||
        (rc = get_u64(rd, o, w, "requests", false, &g->requests))) {
        free(verdict);
        return rc;
    }
    char *vw = sub(w, "verdict");
    rc = read_verdict_name(rd, vw, verdict, &g->verdict);
    free(vw);
    free(verdict);
    if (rc)
        return rc;
    if (t && !json_is_integer(t))
        return type_fail(rd, w, "started_unix_ms", "an integer (Unix milliseconds)");
    g->started_unix_ms = t ? json_integer_value(t) : 0;
    if (k < 1 || k > 1000)
        return type_fail(rd, w, "index", "a segment index (1..1000)");
    g->index = (uint32_t)k;
    return 0;
}

/* "merged": absent or null in a single run's result. */
static int read_merged(struct rd *rd, json_t *root, struct lg_result_merged *m)
{
    json_t *o = NULL, *missing = NULL;
    uint64_t n = 0;
    int rc;
    if ((rc = get_typed(rd, root, "", "merged", false, JSON_OBJECT, &o)) || !o)
        return rc;
    m->has = true;
    if ((rc = get_u64(rd, o, "merged", "count", true, &n)))
        return rc;
    if (n < 1 || n > 1000)
        return type_fail(rd, "merged", "count", "a segment count (1..1000)");
    m->count = (uint32_t)n;
    READ_ARRAY(rc, rd, o, "merged", "segments", true, m->segments, m->n_segments,
               read_merged_segment);
    if (rc || (rc = get_typed(rd, o, "merged", "missing", false, JSON_ARRAY, &missing)) || !missing)
        return rc;
    m->n_missing = json_array_size(missing);
    m->missing = m->n_missing ? lg_calloc(m->n_missing, sizeof(*m->missing)) : NULL;
    for (size_t i = 0; i < m->n_missing; i++) {
        json_t *v = json_array_get(missing, i);
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > (json_int_t)m->count) {
            char *w = idx("merged.missing", i);
            rc = rd_fail(rd, w, "expected a segment index (1..%u)", (unsigned)m->count);
            free(w);
            return rc;
        }
        m->missing[i] = (uint32_t)json_integer_value(v);
    }
    return 0;
}

/* ["p95", "error_rate"] into bits; an unknown name is refused. */
static int read_metrics(struct rd *rd, json_t *o, const char *w, unsigned *out)
{
    json_t *a = NULL;
    int rc = get_typed(rd, o, w, "metrics", true, JSON_ARRAY, &a);
    *out = 0;
    if (rc)
        return rc;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *v = json_array_get(a, i);
        int m = json_is_string(v) ? lg_cmp_metric_parse(json_string_value(v)) : -1;
        if (m < 0)
            return rd_fail(rd, w,
                           "metrics[%zu]: expected a metric name (p50, p90, p95, p99, "
                           "error_rate, checks)",
                           i);
        *out |= 1u << m;
    }
    return 0;
}

static int read_regset_step(struct rd *rd, json_t *o, const char *w, void *elem)
{
    struct lg_result_regset_step *e = elem;
    int rc;
    if ((rc = get_str(rd, o, w, "scenario", true, false, &e->scenario)) ||
        (rc = get_str(rd, o, w, "step", true, false, &e->step)) ||
        (rc = get_double(rd, o, w, "budget", true, &e->budget)) ||
        (rc = read_metrics(rd, o, w, &e->metrics)))
        return rc;
    return 0;
}

static int read_from(struct rd *rd, json_t *o, const char *key, enum lg_regset_from *out)
{
    char *s = NULL, w[64];
    int rc = get_str(rd, o, "regression.from", key, false, true, &s);
    *out = LG_REGSET_DEFAULT;
    if (rc || !s)
        return rc;
    for (int f = LG_REGSET_DEFAULT; f <= LG_REGSET_FLAG; f++)
        if (!strcmp(s, regset_from_names[f]))
            *out = (enum lg_regset_from)f;
    if (*out == LG_REGSET_DEFAULT && strcmp(s, "default")) {
        snprintf(w, sizeof(w), "regression.from.%s", key);
        rc = rd_fail(rd, w, "expected \"default\", \"suite\" or \"flag\", got \"%s\"", s);
    }
    free(s);
    return rc;
}

/* "regression": absent or null when the run had no settings of its own. */
static int read_regset(struct rd *rd, json_t *root, struct lg_result *r)
{
    json_t *o = NULL, *from = NULL;
    int rc = get_typed(rd, root, "", "regression", false, JSON_OBJECT, &o);
    if (rc || !o)
        return rc;
    struct lg_result_regset *g = &r->regression;
    const char *w = "regression";
    g->has = true;
    if ((rc = get_double(rd, o, w, "budget", true, &g->budget)) ||
        (rc = read_metrics(rd, o, w, &g->metrics)) ||
        (rc = get_double(rd, o, w, "confidence", true, &g->confidence)) ||
        (rc = get_typed(rd, o, w, "from", false, JSON_OBJECT, &from)))
        return rc;
    if (from && ((rc = read_from(rd, from, "budget", &g->budget_from)) ||
                 (rc = read_from(rd, from, "metrics", &g->metrics_from)) ||
                 (rc = read_from(rd, from, "confidence", &g->confidence_from))))
        return rc;
    READ_ARRAY(rc, rd, o, w, "steps", false, g->steps, g->n_steps, read_regset_step);
    return rc;
}

static int read_result(struct rd *rd, json_t *root, struct lg_result *r)
{
    int rc;
    json_t *totals = NULL, *config = NULL;
    char *s = NULL;

    if (!json_is_object(root))
        return rd_fail(rd, "", "not a loadgate result: expected a JSON object at the top level");
    /* Another tool's JSON: say so rather than name the first key it lacks. */
    if (!json_object_get(root, "schema"))
        return rd_fail(rd, "", "not a loadgate result: no \"schema\" key (expected \"%s\")",
                       LG_RESULT_SCHEMA);
    if ((rc = get_str(rd, root, "", "schema", true, false, &s)))
        return rc;
    if (strcmp(s, LG_RESULT_SCHEMA)) {
        rc = rd_fail(rd, "", "unsupported schema \"%s\" (expected \"%s\")", s, LG_RESULT_SCHEMA);
        free(s);
        return rc;
    }
    free(s);
    s = NULL;

    if ((rc = get_str(rd, root, "", "verdict", true, false, &s)))
        return rc;
    if (!strcmp(s, "pass"))
        r->verdict = LG_VERDICT_PASS;
    else if (!strcmp(s, "fail"))
        r->verdict = LG_VERDICT_FAIL;
    else if (!strcmp(s, "aborted"))
        r->verdict = LG_VERDICT_ABORTED;
    else
        rc = rd_fail(rd, "verdict", "expected \"pass\", \"fail\" or \"aborted\", got \"%s\"", s);
    free(s);
    if (rc)
        return rc;

    if ((rc = get_str(rd, root, "", "suite", false, false, &r->suite)) ||
        (rc = get_str(rd, root, "", "file", false, false, &r->file)) ||
        (rc = get_str(rd, root, "", "env", false, true, &r->env)) ||
        (rc = get_str(rd, root, "", "profile", false, true, &r->profile)) ||
        (rc = get_str(rd, root, "", "base_url", false, true, &r->base_url)) ||
        (rc = get_str(rd, root, "", "started_at", false, false, &r->started_at)) ||
        (rc = get_str(rd, root, "", "loadgate_version", false, true, &r->loadgate_version)) ||
        (rc = get_str(rd, root, "", "abort_reason", false, true, &r->abort_reason)) ||
        (rc = get_bool(rd, root, "", "default_gate", false, &r->default_gate)) ||
        (rc = get_bool(rd, root, "", "smoke_rule", false, &r->smoke_rule)))
        return rc;
    /* loadgate writes it without a password; a hand-made or edited result may hold
     * one, and no report may show it. */
    if (r->base_url) {
        char *redacted = lg_url_redact(r->base_url);
        free(r->base_url);
        r->base_url = redacted;
    }
    READ_ARRAY(rc, rd, root, "", "rules", false, r->rules, r->n_rules, read_rule);
    if (rc)
        return rc;

    if ((rc = get_typed(rd, root, "", "config", false, JSON_OBJECT, &config)))
        return rc;
    if (config) {
        uint64_t vus;
        if ((rc = get_u64(rd, config, "config", "vus", false, &vus)))
            return rc;
        if (vus > UINT32_MAX)
            return rd_fail(rd, "config.vus", "expected a number of virtual users");
        r->vus = (uint32_t)vus;
        json_t *proxy = NULL;
        if ((rc = get_str(rd, config, "config", "http", false, true, &r->http)) ||
            (rc = get_bool(rd, config, "config", "multiplex", false, &r->multiplex)))
            return rc;
        /* null or absent: no proxy */
        json_t *pv = json_object_get(config, "proxy");
        if (pv && !json_is_null(pv) &&
            (rc = get_typed(rd, config, "config", "proxy", false, JSON_OBJECT, &proxy)))
            return rc;
        if (proxy &&
            ((rc = get_str(rd, proxy, "config.proxy", "host", true, true, &r->proxy)) ||
             (rc = get_str(rd, proxy, "config.proxy", "variable", true, true, &r->proxy_variable))))
            return rc;
    }

    if ((rc = read_schedule(rd, root, &r->schedule)) || (rc = read_limits(rd, root, &r->limits)))
        return rc;
    rd->open = r->schedule.open;

    if ((rc = get_typed(rd, root, "", "totals", true, JSON_OBJECT, &totals)))
        return rc;
    if ((rc = get_u64(rd, totals, "totals", "requests", true, &r->requests)) ||
        (rc = get_u64(rd, totals, "totals", "errors", true, &r->errors)) ||
        (rc = get_u64(rd, totals, "totals", "unsent", false, &r->unsent)) ||
        (rc = read_counts(rd, totals, "totals", "unsent_reasons", false, &r->unsent_reasons,
                          &r->n_unsent_reasons)) ||
        (rc = get_u64(rd, totals, "totals", "iterations", true, &r->iterations)) ||
        (rc = get_u64(rd, totals, "totals", "iterations_failed", false, &r->iterations_failed)) ||
        (rc = get_u64(rd, totals, "totals", "iterations_interrupted", false,
                      &r->iterations_interrupted)) ||
        (rc = get_u64(rd, totals, "totals", "dropped_iterations", true, &r->dropped_iterations)) ||
        (rc = get_u64(rd, totals, "totals", "feed_exhausted", false, &r->feed_exhausted)) ||
        (rc = get_str(rd, totals, "totals", "feed_note", false, true, &r->feed_note)) ||
        (rc = get_double(rd, totals, "totals", "duration_s", true, &r->duration_s)) ||
        (rc = get_double(rd, totals, "totals", "rps", true, &r->rps)) ||
        (rc = get_u64(rd, totals, "totals", "checks_passed", false, &r->checks_passed)) ||
        (rc = get_u64(rd, totals, "totals", "checks_failed", false, &r->checks_failed)) ||
        (rc = get_u64(rd, totals, "totals", "retries", false, &r->retries)) ||
        (rc = get_u64(rd, totals, "totals", "retries_refused", false, &r->retries_refused)) ||
        (rc = get_u64(rd, totals, "totals", "connections", false, &r->connections)) ||
        (rc = read_counts(rd, totals, "totals", "error_classes", false, &r->error_classes,
                          &r->n_error_classes)))
        return rc;

    READ_ARRAY(rc, rd, root, "", "thresholds", true, r->thresholds, r->n_thresholds,
               read_threshold);
    if (rc)
        return rc;
    READ_ARRAY(rc, rd, root, "", "steps", true, r->steps, r->n_steps, read_step);
    if (rc)
        return rc;
    READ_ARRAY(rc, rd, root, "", "scenarios", false, r->scenarios, r->n_scenarios, read_scenario);
    if (rc)
        return rc;
    READ_ARRAY(rc, rd, root, "", "series", false, r->series, r->n_series, read_point);
    if (rc || (rc = read_baseline(rd, root, r)) || (rc = read_segment(rd, root, r)))
        return rc;
    if ((rc = read_merged(rd, root, &r->merged)))
        return rc;
    return read_regset(rd, root, r);
}

static int json_fail(struct rd *rd, const json_error_t *jerr)
{
    if (rd->err && rd->errlen)
        snprintf(rd->err, rd->errlen, "%s:%d:%d: invalid JSON: %s", rd->name, jerr->line,
                 jerr->column, jerr->text);
    return LG_ESYNTAX;
}

static int from_root(json_t *root, const char *name, struct lg_result **out, char *err,
                     size_t errlen)
{
    struct rd rd = {.name = name, .err = err, .errlen = errlen};
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    int rc = read_result(&rd, root, r);
    if (rc) {
        lg_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int lg_result_from_json(const char *text, size_t len, const char *name, struct lg_result **out,
                        char *err, size_t errlen)
{
    json_error_t jerr;
    if (!name)
        name = "result.json";
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        struct rd rd = {.name = name, .err = err, .errlen = errlen};
        return json_fail(&rd, &jerr);
    }
    int rc = from_root(root, name, out, err, errlen);
    json_decref(root);
    return rc;
}

int lg_result_read_json(const char *path, struct lg_result **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(e));
        errno = e;
        return LG_EIO;
    }
    json_error_t jerr;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    int read_errno = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (read_errno) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(read_errno));
        json_decref(root);
        errno = read_errno;
        return LG_EIO;
    }
    if (!root) {
        struct rd rd = {.name = path, .err = err, .errlen = errlen};
        return json_fail(&rd, &jerr);
    }
    int rc = from_root(root, path, out, err, errlen);
    json_decref(root);
    return rc;
}
