/* threshold: parses "AGG(METRIC{filters}) OP VALUE" and checks the names it
 * mentions against the suite (evaluation is gate.c's). */
#include "threshold.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const metric_names[] = {
    [LG_M_LATENCY] = "latency",
    [LG_M_TTFB] = "ttfb",
    [LG_M_CONNECT] = "connect",
    [LG_M_TLS] = "tls",
    [LG_M_DNS] = "dns",
    [LG_M_ITERATION] = "iteration",
    [LG_M_ERROR_RATE] = "error_rate",
    [LG_M_CHECKS] = "checks",
    [LG_M_RPS] = "rps",
    [LG_M_DROPPED] = "dropped",
};
#define N_METRICS (sizeof(metric_names) / sizeof(metric_names[0]))

static const char *const filter_names[] = {
    [LG_F_SCENARIO] = "scenario",
    [LG_F_STEP] = "step",
    [LG_F_STATUS] = "status",
    [LG_F_TAG] = "tag",
};

bool lg_metric_is_time(enum lg_metric m)
{
    return m == LG_M_LATENCY || m == LG_M_TTFB || m == LG_M_CONNECT || m == LG_M_TLS ||
           m == LG_M_DNS || m == LG_M_ITERATION;
}

static enum lg_value_kind value_kind(enum lg_agg agg, enum lg_metric m)
{
    if (agg == LG_AGG_COUNT || m == LG_M_DROPPED)
        return LG_VK_COUNT;
    if (agg == LG_AGG_RATE || m == LG_M_RPS)
        return LG_VK_RATE;
    if (m == LG_M_ERROR_RATE || m == LG_M_CHECKS)
        return LG_VK_RATIO;
    return LG_VK_DURATION;
}

enum lg_value_kind lg_threshold_value_kind(const struct lg_threshold *t)
{
    return value_kind(t->agg, t->metric);
}

const char *lg_threshold_unit(const struct lg_threshold *t)
{
    switch (value_kind(t->agg, t->metric)) {
    case LG_VK_DURATION:
        return "ms";
    case LG_VK_RATIO:
        return "ratio";
    case LG_VK_RATE:
        return "per_s";
    case LG_VK_COUNT:
        return "count";
    }
    return "count";
}

/* ---- parsing ---- */

struct parser {
    const char *s;
    size_t i;
    char *err;
    size_t errlen;
    int *err_off;
};

static int fail(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, size_t off, const char *fmt, ...)
{
    if (p->err && p->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err, p->errlen, fmt, ap);
        va_end(ap);
    }
    if (p->err_off)
        *p->err_off = (int)off;
    return LG_ESYNTAX;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Characters of an aggregate or metric name ("p99.9", "error_rate"). */
static bool is_word(char c)
{
    return is_alnum(c) || c == '_' || c == '.';
}

/* Characters of a bare filter key or value ("tag.kind", "get-board"). */
static bool is_bare(char c)
{
    return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

static void skip_ws(struct parser *p)
{
    while (is_space(p->s[p->i]))
        p->i++;
}

static size_t scan(struct parser *p, bool (*cls)(char))
{
    size_t start = p->i;
    while (p->s[p->i] && cls(p->s[p->i]))
        p->i++;
    return p->i - start;
}

/* Length of the token at off (up to white space), for quoting in messages. */
static int token_len(const char *s, size_t off)
{
    size_t n = 0;
    while (s[off + n] && !is_space(s[off + n]) && n < 40)
        n++;
    return (int)n;
}

/* Parses "N" or "N.N" (no sign, no exponent) of exactly n bytes. */
static bool parse_plain_number(const char *s, size_t n, double *out)
{
    size_t i = 0, digits = 0;
    while (i < n && is_digit(s[i]))
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i]))
            i++, digits++;
    }
    if (i != n || digits == 0 || !is_digit(s[0]) || !is_digit(s[n - 1]))
        return false;
    char *tmp = lg_strndup(s, n);
    *out = strtod(tmp, NULL);
    free(tmp);
    return true;
}

static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && !memcmp(s, w, n);
}

/* Parses an aggregate name of n bytes at p->s + off. */
static int parse_agg(struct parser *p, size_t off, size_t n, struct lg_threshold *t)
{
    const char *w = p->s + off;
    static const struct {
        const char *name;
        enum lg_agg agg;
    } named[] = {{"avg", LG_AGG_AVG},
                 {"min", LG_AGG_MIN},
                 {"max", LG_AGG_MAX},
                 {"count", LG_AGG_COUNT},
                 {"rate", LG_AGG_RATE}};
    for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
        if (word_is(w, n, named[k].name)) {
            t->agg = named[k].agg;
            return 0;
        }
    }
    double pct;
    if (n >= 2 && w[0] == 'p' && parse_plain_number(w + 1, n - 1, &pct)) {
        if (pct > 100)
            return fail(p, off, "percentile %.*s is out of range (0..100)", (int)(n - 1), w + 1);
        t->agg = LG_AGG_PCT;
        t->pct = pct;
        return 0;
    }
    return fail(p, off, "unknown aggregate '%.*s' (use pN, avg, min, max, count or rate)", (int)n,
                w);
}

static bool lookup_metric(const char *w, size_t n, enum lg_metric *out)
{
    for (size_t k = 0; k < N_METRICS; k++) {
        if (word_is(w, n, metric_names[k])) {
            *out = (enum lg_metric)k;
            return true;
        }
    }
    return false;
}

static int parse_metric(struct parser *p, size_t off, size_t n, struct lg_threshold *t)
{
    if (n == 0)
        return fail(p, off,
                    "expected a metric name (latency, ttfb, connect, tls, dns, iteration, "
                    "error_rate, checks, rps or dropped)");
    if (!lookup_metric(p->s + off, n, &t->metric))
        return fail(p, off, "unknown metric '%.*s'", (int)n, p->s + off);
    return 0;
}

/* Which aggregates go with which metric. agg_off is where the aggregate was written. */
static int check_agg(struct parser *p, size_t agg_off, size_t metric_off,
                     const struct lg_threshold *t)
{
    const char *name = metric_names[t->metric];
    if (lg_metric_is_time(t->metric) && t->agg == LG_AGG_NONE)
        return fail(p, metric_off, "%s needs an aggregate, e.g. p95(%s)", name, name);
    if (!lg_metric_is_time(t->metric) && t->agg != LG_AGG_NONE)
        return fail(p, agg_off, "%s takes no aggregate", name);
    return 0;
}

/* Which filters go with which metric. */
static int check_filter(struct parser *p, size_t key_off, const struct lg_threshold *t,
                        const struct lg_filter *f)
{
    const char *name = metric_names[t->metric];
    if (t->metric == LG_M_DROPPED)
        return fail(p, key_off, "dropped takes no filters (it counts the whole run)");
    if (t->metric == LG_M_ITERATION && f->kind != LG_F_SCENARIO)
        return fail(p, key_off,
                    "iteration takes only a scenario= filter (iteration durations are per "
                    "scenario)");
    if (f->kind == LG_F_STATUS && t->metric != LG_M_LATENCY && t->metric != LG_M_TTFB &&
        t->metric != LG_M_CONNECT && t->metric != LG_M_TLS && t->metric != LG_M_DNS &&
        t->metric != LG_M_ERROR_RATE)
        return fail(p, key_off,
                    "status= does not apply to %s (only to latency, ttfb, connect, tls, dns "
                    "and error_rate)",
                    name);
    for (size_t k = 0; k < t->n_filters; k++) {
        const struct lg_filter *g = &t->filters[k];
        if (g->kind != f->kind)
            continue;
        if (f->kind == LG_F_TAG && strcmp(g->tag, f->tag))
            continue;
        if (f->kind == LG_F_TAG)
            return fail(p, key_off, "duplicate filter 'tag.%s'", f->tag);
        return fail(p, key_off, "duplicate filter '%s'", filter_names[f->kind]);
    }
    return 0;
}

/* A filter value: a bare word or a "quoted" string with \" and \\ escapes. Returns a
 * new string in *out. */
static int parse_filter_value(struct parser *p, const char *key, int key_len, char **out)
{
    size_t off = p->i;
    if (p->s[p->i] == '"') {
        struct lg_buf b = {0};
        p->i++;
        for (;;) {
            char c = p->s[p->i];
            if (c == '\0') {
                lg_buf_free(&b);
                return fail(p, off, "unterminated quoted value");
            }
            p->i++;
            if (c == '"')
                break;
            if (c == '\\' && (p->s[p->i] == '"' || p->s[p->i] == '\\'))
                c = p->s[p->i++];
            lg_buf_putc(&b, c);
        }
        if (b.len == 0) {
            lg_buf_free(&b);
            return fail(p, off, "empty value for '%.*s'", key_len, key);
        }
        *out = lg_buf_take(&b);
        return 0;
    }
    size_t n = scan(p, is_bare);
    if (n == 0)
        return fail(p, off, "expected a value after '%.*s='", key_len, key);
    *out = lg_strndup(p->s + off, n);
    return 0;
}

static void filter_clear(struct lg_filter *f)
{
    free(f->tag);
    free(f->value);
}

static void threshold_free_members(struct lg_threshold *t)
{
    for (size_t k = 0; k < t->n_filters; k++)
        filter_clear(&t->filters[k]);
    free(t->filters);
    free(t->expr);
}

/* "{key=value, ...}"; p->i is at the '{'. */
static int parse_filters(struct parser *p, struct lg_threshold *t)
{
    size_t cap = 0;
    p->i++;
    skip_ws(p);
    if (p->s[p->i] == '}')
        return fail(p, p->i, "empty filter list");
    for (;;) {
        size_t key_off = p->i;
        size_t n = scan(p, is_bare);
        const char *key = p->s + key_off;
        struct lg_filter f = {0};
        if (n == 0)
            return fail(p, key_off, "expected a filter (scenario=, step=, status= or tag.NAME=)");
        if (word_is(key, n, "scenario")) {
            f.kind = LG_F_SCENARIO;
        } else if (word_is(key, n, "step")) {
            f.kind = LG_F_STEP;
        } else if (word_is(key, n, "status")) {
            f.kind = LG_F_STATUS;
        } else if (n >= 3 && !memcmp(key, "tag", 3) && (n == 3 || key[3] == '.')) {
            if (n <= 4)
                return fail(p, key_off, "expected a tag name after 'tag.'");
            f.kind = LG_F_TAG;
        } else {
            return fail(p, key_off,
                        "unknown filter '%.*s' (use scenario=, step=, status= or tag.NAME=)",
                        (int)n, key);
        }
        if (f.kind == LG_F_TAG)
            f.tag = lg_strndup(key + 4, n - 4);
        int rc = check_filter(p, key_off, t, &f);
        if (rc) {
            filter_clear(&f);
            return rc;
        }
        skip_ws(p);
        if (p->s[p->i] != '=') {
            filter_clear(&f);
            return fail(p, p->i, "expected '=' after '%.*s'", (int)n, key);
        }
        p->i++;
        skip_ws(p);
        size_t val_off = p->i;
        rc = parse_filter_value(p, key, (int)n, &f.value);
        if (rc) {
            filter_clear(&f);
            return rc;
        }
        if (f.kind == LG_F_STATUS) {
            unsigned long long st;
            if (lg_parse_uint(f.value, 999, &st) || (st != 0 && (st < 100 || st > 599))) {
                fail(p, val_off, "status must be 0 (no response) or 100..599, not '%s'", f.value);
                filter_clear(&f);
                return LG_ESYNTAX;
            }
            f.status = (int)st;
        }
        LG_GROW(t->filters, t->n_filters + 1, cap);
        t->filters[t->n_filters++] = f;
        skip_ws(p);
        if (p->s[p->i] == ',') {
            p->i++;
            skip_ws(p);
            continue;
        }
        if (p->s[p->i] == '}') {
            p->i++;
            return 0;
        }
        return fail(p, p->i, "expected ',' or '}' in the filters");
    }
}

static int parse_cmp(struct parser *p, enum lg_cmp *out, int *len)
{
    const char *c = p->s + p->i;
    static const struct {
        const char *text;
        enum lg_cmp cmp;
    } ops[] = {{"<=", LG_CMP_LTE}, {">=", LG_CMP_GTE}, {"==", LG_CMP_EQ},
               {"!=", LG_CMP_NE},  {"<", LG_CMP_LT},   {">", LG_CMP_GT}};
    for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
        size_t n = strlen(ops[k].text);
        if (!strncmp(c, ops[k].text, n)) {
            *out = ops[k].cmp;
            *len = (int)n;
            p->i += n;
            return 0;
        }
    }
    if (*c == '=')
        return fail(p, p->i, "'=' is not a comparison; use == (or <, <=, >, >=, !=)");
    return fail(p, p->i, "expected a comparison (<, <=, >, >=, ==, !=)");
}

/* Parses the value token (n bytes at off) in the unit its metric takes, into the
 * metric's base unit. */
static int parse_value(struct parser *p, size_t off, size_t n, const struct lg_threshold *t,
                       double *out)
{
    const char *v = p->s + off;
    if (*v == '-')
        return fail(p, off, "'%.*s' is negative", (int)n, v);
    size_t num = 0;
    while (num < n && (is_digit(v[num]) || v[num] == '.'))
        num++;
    double x;
    if (!parse_plain_number(v, num, &x))
        return fail(p, off, "expected a number, found '%.*s'", (int)n, v);
    const char *unit = v + num;
    size_t unit_len = n - num;
    const char *name = metric_names[t->metric];

    switch (value_kind(t->agg, t->metric)) {
    case LG_VK_DURATION: {
        /* A bare number is milliseconds, as in k6 ("p(95)<500"). */
        int64_t us;
        char *tmp = lg_strndup(v, n);
        int rc = unit_len == 0 || word_is(unit, unit_len, "us") || word_is(unit, unit_len, "ms") ||
                         word_is(unit, unit_len, "s") || word_is(unit, unit_len, "m") ||
                         word_is(unit, unit_len, "h")
                     ? lg_parse_duration_us(tmp, 1000, &us)
                     : LG_ESYNTAX;
        free(tmp);
        if (rc)
            return fail(p, off, "'%.*s' is not a duration", (int)n, v);
        *out = (double)us;
        return 0;
    }
    case LG_VK_RATIO:
        if (word_is(unit, unit_len, "%")) {
            /* Scale in decimal ("0.3%" -> "0.3e-2") so that the ratio is the double
             * nearest to the written value, as if written as a ratio. */
            char *tmp = lg_asprintf("%.*se-2", (int)num, v);
            x = strtod(tmp, NULL);
            free(tmp);
            if (x > 1)
                return fail(p, off, "'%.*s' is more than 100%%", (int)n, v);
        } else if (unit_len == 0) {
            /* A bare 1 is read as 100% by some tools and as 1% by others ("error_rate
             * < 1" meant as one percent would pass every run): only a ratio below 1
             * may go without the percent sign. */
            if (x >= 1)
                return fail(p, off,
                            "'%.*s' is ambiguous: %s is a ratio below 1 or a percentage; "
                            "write %.*s%% (or 100%% for all)",
                            (int)n, v, name, (int)n, v);
        } else {
            return fail(p, off, "'%.*s' is not a ratio or a percentage", (int)n, v);
        }
        *out = x;
        return 0;
    case LG_VK_RATE:
        if (unit_len != 0 && !word_is(unit, unit_len, "/s"))
            return fail(p, off, "'%.*s' is not a rate (e.g. 100/s)", (int)n, v);
        *out = x;
        return 0;
    case LG_VK_COUNT:
        if (unit_len != 0)
            return fail(p, off, "'%.*s' is not a count", (int)n, v);
        *out = x;
        return 0;
    }
    return fail(p, off, "internal error: no unit");
}

static int parse(struct parser *p, struct lg_threshold *t)
{
    int rc;
    skip_ws(p);
    if (!p->s[p->i])
        return fail(p, p->i, "empty threshold");

    size_t w1 = p->i;
    size_t n1 = scan(p, is_word);
    if (n1 == 0)
        return fail(p, w1, "expected a metric or an aggregate such as p95(latency), found '%.*s'",
                    token_len(p->s, w1), p->s + w1);
    skip_ws(p);
    size_t metric_off;
    if (p->s[p->i] == '(') {
        if ((rc = parse_agg(p, w1, n1, t)))
            return rc;
        p->i++;
        skip_ws(p);
        metric_off = p->i;
        size_t n2 = scan(p, is_word);
        if ((rc = parse_metric(p, metric_off, n2, t)) || (rc = check_agg(p, w1, metric_off, t)))
            return rc;
        skip_ws(p);
        if (p->s[p->i] == '{' && (rc = parse_filters(p, t)))
            return rc;
        skip_ws(p);
        if (p->s[p->i] != ')')
            return fail(p, p->i, "expected ')' after %s", metric_names[t->metric]);
        p->i++;
        skip_ws(p);
        if (p->s[p->i] == '{')
            return fail(p, p->i,
                        "filters go inside the parentheses, e.g. p95(latency{step=start})");
    } else {
        enum lg_metric m;
        if (!lookup_metric(p->s + w1, n1, &m)) {
            struct lg_threshold probe = {0};
            struct parser quiet = {.s = p->s};
            if (parse_agg(&quiet, w1, n1, &probe) == 0)
                return fail(p, p->i, "expected '(' after %.*s", (int)n1, p->s + w1);
        }
        metric_off = w1;
        t->agg = LG_AGG_NONE;
        if ((rc = parse_metric(p, w1, n1, t)) || (rc = check_agg(p, w1, metric_off, t)))
            return rc;
        if (p->s[p->i] == '{' && (rc = parse_filters(p, t)))
            return rc;
        skip_ws(p);
    }

    size_t op_off = p->i;
    int op_len = 0;
    if ((rc = parse_cmp(p, &t->cmp, &op_len)))
        return rc;
    skip_ws(p);
    size_t v_off = p->i;
    size_t n_v = 0;
    while (p->s[p->i] && !is_space(p->s[p->i]))
        p->i++, n_v++;
    if (n_v == 0)
        return fail(p, v_off, "expected a value after '%.*s'", op_len, p->s + op_off);
    if ((rc = parse_value(p, v_off, n_v, t, &t->value)))
        return rc;
    skip_ws(p);
    if (p->s[p->i])
        return fail(p, p->i, "unexpected '%.*s' after the value", token_len(p->s, p->i),
                    p->s + p->i);
    return 0;
}

int lg_threshold_parse(const char *expr, struct lg_threshold *out, char *err, size_t errlen,
                       int *err_off)
{
    struct lg_threshold t = {0};
    struct parser p = {.s = expr ? expr : "", .err = err, .errlen = errlen, .err_off = err_off};
    int rc = parse(&p, &t);
    if (rc) {
        threshold_free_members(&t);
        memset(out, 0, sizeof(*out));
        return rc;
    }
    t.expr = lg_strdup(p.s);
    t.severity = LG_SEV_CRITICAL;
    t.abort = false;
    *out = t;
    return 0;
}

/* ---- names ---- */

static bool step_name_matches(const struct lg_suite *s, const struct lg_step *st, const char *v)
{
    if (!strcmp(st->name, v))
        return true;
    /* "SCENARIO.STEP" */
    const char *scen = s->scenarios[st->scenario].name;
    size_t n = strlen(scen);
    return !strncmp(v, scen, n) && v[n] == '.' && !strcmp(v + n + 1, st->name);
}

static bool step_has_tag(const struct lg_step *st, const char *name, const char *value)
{
    for (size_t k = 0; k < st->n_tags; k++) {
        if (!strcmp(st->tags[k].name, name) && (!value || !strcmp(st->tags[k].value, value)))
            return true;
    }
    return false;
}

/* Does the step pass every scenario, step and tag filter? (status is per cell) */
bool lg_threshold_selects_step(const struct lg_threshold *t, const struct lg_suite *s,
                               const struct lg_step *st)
{
    for (size_t k = 0; k < t->n_filters; k++) {
        const struct lg_filter *f = &t->filters[k];
        switch (f->kind) {
        case LG_F_SCENARIO:
            if (strcmp(s->scenarios[st->scenario].name, f->value))
                return false;
            break;
        case LG_F_STEP:
            if (!step_name_matches(s, st, f->value))
                return false;
            break;
        case LG_F_TAG:
            if (!step_has_tag(st, f->tag, f->value))
                return false;
            break;
        case LG_F_STATUS:
            break;
        }
    }
    return true;
}

const struct lg_filter *lg_threshold_filter(const struct lg_threshold *t, enum lg_filter_kind k)
{
    for (size_t i = 0; i < t->n_filters; i++) {
        if (t->filters[i].kind == k)
            return &t->filters[i];
    }
    return NULL;
}

/* Names for a message: distinct, in order of first appearance. */
struct namelist {
    const char **v;
    size_t n, cap;
};

static void names_add(struct namelist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++) {
        if (!strcmp(l->v[i], name))
            return;
    }
    LG_GROW(l->v, l->n + 1, l->cap);
    l->v[l->n++] = name;
}

/* "a, b, c" (at most 12 names, then "..."), or "none"; owned by the caller. */
static char *names_join(const struct namelist *l)
{
    struct lg_buf b = {0};
    for (size_t i = 0; i < l->n; i++) {
        if (i == 12) {
            lg_buf_puts(&b, ", ...");
            break;
        }
        if (i)
            lg_buf_puts(&b, ", ");
        lg_buf_puts(&b, l->v[i]);
    }
    if (l->n == 0)
        lg_buf_puts(&b, "none");
    return lg_buf_take(&b);
}

/* Writes the message to err and frees the name list. */
static int resolve_fail(char *err, size_t errlen, struct namelist *l, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int resolve_fail(char *err, size_t errlen, struct namelist *l, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    free(l->v);
    return LG_EINVAL;
}

/* Checks one step= or tag. filter against the steps of scen (NULL: every scenario). */
static int resolve_name(const struct lg_filter *f, const struct lg_suite *s,
                        const struct lg_scenario *scen, char *err, size_t errlen)
{
    struct namelist names = {0};
    bool found = false, tag_seen = false;
    for (size_t i = 0; i < s->n_steps && !found; i++) {
        const struct lg_step *st = s->steps[i];
        if (scen && st->scenario != scen->index)
            continue;
        if (f->kind == LG_F_STEP) {
            found = step_name_matches(s, st, f->value);
            continue;
        }
        for (size_t j = 0; j < st->n_tags; j++) {
            if (!strcmp(st->tags[j].name, f->tag)) {
                tag_seen = true;
                found = found || !strcmp(st->tags[j].value, f->value);
            }
        }
    }
    if (found)
        return 0;

    /* list what there is: step names, the tag's values, or the tags */
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct lg_step *st = s->steps[i];
        if (scen && st->scenario != scen->index)
            continue;
        if (f->kind == LG_F_STEP)
            names_add(&names, st->name);
        for (size_t j = 0; f->kind == LG_F_TAG && j < st->n_tags; j++) {
            if (!tag_seen)
                names_add(&names, st->tags[j].name);
            else if (!strcmp(st->tags[j].name, f->tag))
                names_add(&names, st->tags[j].value);
        }
    }
    char *list = names_join(&names);
    char *where = scen ? lg_asprintf(" in scenario '%s'", scen->name) : lg_strdup("");
    int rc;
    if (f->kind == LG_F_STEP)
        rc = resolve_fail(err, errlen, &names, "no step named '%s'%s (steps: %s)", f->value, where,
                          list);
    else if (tag_seen)
        rc = resolve_fail(err, errlen, &names, "no step%s has tag %s=%s (values: %s)", where,
                          f->tag, f->value, list);
    else
        rc = resolve_fail(err, errlen, &names, "no step%s has a tag '%s' (tags: %s)", where, f->tag,
                          list);
    free(list);
    free(where);
    return rc;
}

int lg_threshold_resolve(const struct lg_threshold *t, const struct lg_suite *s, char *err,
                         size_t errlen)
{
    const struct lg_filter *fscen = lg_threshold_filter(t, LG_F_SCENARIO);
    const struct lg_scenario *scen = NULL;
    int rc;

    if (fscen) {
        struct namelist names = {0};
        for (size_t i = 0; i < s->n_scenarios; i++) {
            if (!strcmp(s->scenarios[i].name, fscen->value))
                scen = &s->scenarios[i];
            names_add(&names, s->scenarios[i].name);
        }
        if (!scen) {
            char *list = names_join(&names);
            rc = resolve_fail(err, errlen, &names, "no scenario named '%s' (scenarios: %s)",
                              fscen->value, list);
            free(list);
            return rc;
        }
        free(names.v);
    }
    for (size_t k = 0; k < t->n_filters; k++) {
        const struct lg_filter *f = &t->filters[k];
        if ((f->kind == LG_F_STEP || f->kind == LG_F_TAG) &&
            (rc = resolve_name(f, s, scen, err, errlen)))
            return rc;
    }
    if (t->metric == LG_M_DROPPED || t->metric == LG_M_ITERATION)
        return 0;
    bool narrowed = false;
    for (size_t k = 0; k < t->n_filters; k++)
        narrowed = narrowed || t->filters[k].kind != LG_F_STATUS;
    if (!narrowed)
        return 0;

    /* Each name exists; together they must still select some step. */
    for (size_t i = 0; i < s->n_steps; i++) {
        if (lg_threshold_selects_step(t, s, s->steps[i]))
            return 0;
    }
    struct lg_buf b = {0};
    for (size_t k = 0; k < t->n_filters; k++) {
        const struct lg_filter *f = &t->filters[k];
        if (f->kind == LG_F_STATUS)
            continue;
        if (b.len)
            lg_buf_puts(&b, ", ");
        if (f->kind == LG_F_TAG)
            lg_buf_printf(&b, "tag.%s=%s", f->tag, f->value);
        else
            lg_buf_printf(&b, "%s=%s", filter_names[f->kind], f->value);
    }
    if (err && errlen)
        snprintf(err, errlen, "no step matches all of {%s}", b.data ? b.data : "");
    lg_buf_free(&b);
    return LG_EINVAL;
}
