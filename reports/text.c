/* text: the end-of-run terminal summary (also written as summary.txt) — what ran, a
 * per-step table, failed checks, each threshold with its observed value and mark,
 * and the verdict. Column widths follow the data, so long names never break it. */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "regress.h"
#include "units.h"
#include "util.h"

#ifndef LG_VERSION
#define LG_VERSION "0.0.0"
#endif

#define GREEN "\033[32m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

#define MARK_OK "\xe2\x9c\x93"   /* ✓ */
#define MARK_FAIL "\xe2\x9c\x97" /* ✗ */
#define SEP " \xc2\xb7 "         /* " · " */
#define TIMES "\xc3\x97"         /* × */

/* Columns on screen: one per UTF-8 code point (continuation bytes take none). */
static size_t dwidth(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        w += (*p & 0xc0) != 0x80;
    return w;
}

static void pad(FILE *f, size_t n)
{
    while (n--)
        fputc(' ', f);
}

/* A copy safe to print on a terminal: control characters (an escape sequence in a
 * step name or check label) become '?'. Caller frees. */
static char *clean(const char *s)
{
    char *c = lg_strdup(s ? s : "");
    for (unsigned char *p = (unsigned char *)c; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    return c;
}

static void put_clean(FILE *f, const char *s)
{
    char *c = clean(s);
    fputs(c, f);
    free(c);
}

/* Decimals for a rate: one, or three below 0.1/s so that a slow run does not read as
 * "0.0/s". */
static int rate_decimals(double v)
{
    return v > 0 && v < 0.095 ? 3 : 1;
}

static double rate(uint64_t count, double duration_s)
{
    return duration_s > 0 ? (double)count / duration_s : 0.0;
}

/* The name of the HTTP version a result asked for ("HTTP/2"). */
static const char *asked_proto(const struct lg_result *r)
{
    return r->http && !strcmp(r->http, "2") ? "HTTP/2" : "HTTP/1.1";
}

/* Whether every response of every step came in the version asked for. */
static bool protocols_as_asked(const struct lg_result *r)
{
    for (size_t i = 0; i < r->n_steps; i++)
        for (size_t k = 0; k < r->steps[i].n_protocols; k++)
            if (r->steps[i].protocols[k].count &&
                strcmp(r->steps[i].protocols[k].name ? r->steps[i].protocols[k].name : "",
                       asked_proto(r)))
                return false;
    return true;
}

/* The header's third line: the HTTP version asked for, the connections opened and
 * the proxy in use. Results written before these were recorded have none of it. */
static void connection_line(const struct lg_result *r, FILE *f)
{
    char a[64];
    if (!r->http)
        return;
    fprintf(f, "  %s%s", asked_proto(r),
            r->multiplex ? ", multiplexed" : ", one connection per VU");
    fprintf(f, SEP "%s connection%s opened", lg_fmt_count(r->connections, a, sizeof(a)),
            r->connections == 1 ? "" : "s");
    if (r->proxy) {
        fputs(SEP "via proxy ", f);
        put_clean(f, r->proxy);
        fputs(" (", f);
        put_clean(f, r->proxy_variable ? r->proxy_variable : "");
        fputc(')', f);
    }
    fputc('\n', f);
}

static char *step_label(const struct lg_result_step *s);

/* The responses of each step by HTTP version, when some came in another version than
 * the one asked for (a TLS server that offers only HTTP/1.1 to --http 2). */
static void protocol_lines(const struct lg_result *r, FILE *f)
{
    char a[32];
    if (!r->http || protocols_as_asked(r))
        return;
    fprintf(f, "\n  protocols (asked %s):\n", asked_proto(r));
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        if (!s->n_protocols)
            continue;
        char *l = step_label(s);
        fprintf(f, "    %s", l);
        free(l);
        for (size_t k = 0; k < s->n_protocols; k++) {
            fputs(k ? ", " : "  ", f);
            put_clean(f, s->protocols[k].name ? s->protocols[k].name : "");
            fprintf(f, " %s", lg_fmt_count(s->protocols[k].count, a, sizeof(a)));
        }
        fputc('\n', f);
    }
}

static void header(const struct lg_result *r, FILE *f)
{
    char a[64], b[64];
    fputs("  loadgate " LG_VERSION SEP, f);
    put_clean(f, r->suite && *r->suite ? r->suite : "(unnamed)");
    if (r->file && *r->file) {
        fputs(" (", f);
        put_clean(f, r->file);
        fputc(')', f);
    }
    if (r->env) {
        fputs(SEP "env ", f);
        put_clean(f, r->env);
    }
    if (r->profile) {
        fputs(SEP "profile ", f);
        put_clean(f, r->profile);
    }
    fputs("\n  ", f);
    if (r->base_url && *r->base_url) {
        put_clean(f, r->base_url);
        fputs(SEP, f);
    }
    fprintf(f, "%" PRIu32 " VU%s" SEP "%s" SEP, r->vus, r->vus == 1 ? "" : "s",
            lg_report_fmt_ms(r->duration_s * 1000.0, a, sizeof(a)));
    fprintf(f, "%s request%s (%s/s)" SEP, lg_fmt_count(r->requests, a, sizeof(a)),
            r->requests == 1 ? "" : "s", lg_report_fmt_rate(r->rps, b, sizeof(b)));
    if (r->unsent)
        fprintf(f, "%s unsent" SEP, lg_fmt_count(r->unsent, a, sizeof(a)));
    /* Interrupted iterations are not finished ones, and "failed" covers both. */
    if (r->iterations_interrupted)
        fprintf(f, "%s finished + %s interrupted iteration%s",
                lg_fmt_count(r->iterations, a, sizeof(a)),
                lg_fmt_count(r->iterations_interrupted, b, sizeof(b)),
                r->iterations_interrupted == 1 ? "" : "s");
    else
        fprintf(f, "%s iteration%s", lg_fmt_count(r->iterations, a, sizeof(a)),
                r->iterations == 1 ? "" : "s");
    if (r->iterations_failed)
        fprintf(f, " (%s failed)", lg_fmt_count(r->iterations_failed, a, sizeof(a)));
    if (r->dropped_iterations)
        fprintf(f, SEP "%s dropped", lg_fmt_count(r->dropped_iterations, a, sizeof(a)));
    fputc('\n', f);
    connection_line(r, f);
    if (r->merged.has) { /* `loadgate merge`: one run on several machines */
        fputs("  merged from ", f);
        lg_report_merged_line(r, f);
        fputc('\n', f);
    }
}

/* The environment's limits, and what they capped or paced. */
static void limits_line(const struct lg_result *r, FILE *f)
{
    const struct lg_result_limits *l = &r->limits;
    if (!l->has)
        return;
    char a[32], b[32];
    fputs("  limits:", f);
    if (l->max_rate_per_s > 0)
        fprintf(f, " %s requests/s", lg_report_fmt_rate(l->max_rate_per_s, a, sizeof(a)));
    if (l->max_vus)
        fprintf(f, "%s %s VU%s", l->max_rate_per_s > 0 ? "," : "",
                lg_fmt_count(l->max_vus, a, sizeof(a)), l->max_vus == 1 ? "" : "s");
    if (l->vus_capped)
        fprintf(f, SEP "VUs capped (asked %s)", lg_fmt_count(l->vus_asked, a, sizeof(a)));
    if (l->rate_capped)
        fprintf(f, SEP "arrivals capped (asked %s/s)",
                lg_report_fmt_rate(l->rate_asked_per_s, a, sizeof(a)));
    if (l->max_rate_per_s > 0)
        fprintf(f, SEP "%s request%s waited for the rate cap", lg_fmt_count(l->paced, b, sizeof(b)),
                l->paced == 1 ? "" : "s");
    fputc('\n', f);
}

enum {
    C_STEP,
    C_COUNT,
    C_RPS,
    C_P50,
    C_P90,
    C_P95,
    C_P99,
    C_MAX,
    C_ERRORS,
    C_UNSENT,
    C_CHECKS,
    NCOLS
};

static const char *const col_names[NCOLS] = {"step", "count", "rps",    "p50",    "p90",   "p95",
                                             "p99",  "max",   "errors", "unsent", "checks"};

/* Whether the step's figures from h have time samples (responses and timeouts): a
 * step whose every request was refused has requests but no latency, shown as "-",
 * never as 0. */
static bool step_timed(const struct lg_result_step *s, const struct lg_hist *h)
{
    return s->requests > 0 && (!h || h->total_count > 0);
}

static char *step_label(const struct lg_result_step *s)
{
    char *raw = lg_asprintf("%s/%s", s->scenario ? s->scenario : "", s->name ? s->name : "");
    char *c = clean(raw);
    free(raw);
    return c;
}

static void step_table(const struct lg_result *r, FILE *f)
{
    if (!r->n_steps) {
        fputs("  no step ran\n", f);
        return;
    }
    char *(*cells)[NCOLS] = lg_calloc(r->n_steps, sizeof(*cells));
    size_t width[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        width[c] = strlen(col_names[c]);
    /* the unsent column only when some request could not be sent */
    bool unsent = false;
    for (size_t i = 0; i < r->n_steps; i++)
        unsent = unsent || r->steps[i].unsent > 0;

    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        const struct lg_latency_ms *l = &s->latency_ms;
        char buf[64];
        char **row = cells[i];
        row[C_STEP] = step_label(s);
        row[C_COUNT] = lg_asprintf("%" PRIu64, s->requests);
        double rps = rate(s->requests, r->duration_s);
        row[C_RPS] = lg_asprintf("%.*f", rate_decimals(rps), rps);
        double lat[] = {l->p50, l->p90, l->p95, l->p99, l->max};
        for (int k = 0; k < 5; k++)
            row[C_P50 + k] = lg_strdup(
                step_timed(s, s->histogram) ? lg_report_fmt_ms(lat[k], buf, sizeof(buf)) : "-");
        row[C_ERRORS] = lg_asprintf("%" PRIu64, s->errors);
        row[C_UNSENT] = lg_asprintf("%" PRIu64, s->unsent);
        uint64_t total = s->checks_passed + s->checks_failed;
        row[C_CHECKS] =
            total ? lg_asprintf("%" PRIu64 "/%" PRIu64, s->checks_passed, total) : lg_strdup("-");
        for (int c = 0; c < NCOLS; c++)
            if (dwidth(row[c]) > width[c])
                width[c] = dwidth(row[c]);
    }

    /* The step column is left-aligned, the figures right-aligned; two spaces apart. */
    for (size_t i = 0; i <= r->n_steps; i++) {
        fputs("  ", f);
        for (int c = 0; c < NCOLS; c++) {
            if (c == C_UNSENT && !unsent)
                continue;
            const char *v = i == 0 ? col_names[c] : cells[i - 1][c];
            size_t gap = width[c] - dwidth(v);
            if (c == C_STEP) {
                fputs(v, f);
                pad(f, gap);
            } else {
                pad(f, gap + 2);
                fputs(v, f);
            }
        }
        fputc('\n', f);
    }

    for (size_t i = 0; i < r->n_steps; i++)
        for (int c = 0; c < NCOLS; c++)
            free(cells[i][c]);
    free(cells);
}

/* The four uncorrected figures as the summary prints them ("-" when untimed). */
static void uncorrected_cells(const struct lg_result_step *s, char v[4][64])
{
    const struct lg_latency_ms *l = &s->latency_uncorrected_ms;
    double x[] = {l->p50, l->p95, l->p99, l->max};
    bool timed = step_timed(s, s->histogram_uncorrected);
    for (int k = 0; k < 4; k++)
        if (timed)
            lg_report_fmt_ms(x[k], v[k], 64);
        else
            strcpy(v[k], "-");
}

/* A step's uncorrected line is worth printing only when it would read differently
 * from the table's corrected figures, i.e. some iteration of it waited for a VU. */
static bool uncorrected_differs(const struct lg_result_step *s)
{
    if (!s->has_uncorrected)
        return false;
    char u[4][64], c[4][64];
    uncorrected_cells(s, u);
    const struct lg_latency_ms *l = &s->latency_ms;
    double x[] = {l->p50, l->p95, l->p99, l->max};
    bool timed = step_timed(s, s->histogram);
    for (int k = 0; k < 4; k++) {
        if (timed)
            lg_report_fmt_ms(x[k], c[k], sizeof(c[k]));
        else
            strcpy(c[k], "-");
        if (strcmp(u[k], c[k]) != 0)
            return true;
    }
    return false;
}

/* Open model: the table holds figures measured from the scheduled instant; these
 * lines put the figures measured from the actual start right under it, so that
 * what waiting for a VU added reads at a glance. Labels are padded to line up. */
static void uncorrected_lines(const struct lg_result *r, FILE *f)
{
    if (!r->schedule.open)
        return;
    size_t w = 0;
    for (size_t i = 0; i < r->n_steps; i++) {
        if (!uncorrected_differs(&r->steps[i]))
            continue;
        char *l = step_label(&r->steps[i]);
        if (dwidth(l) > w)
            w = dwidth(l);
        free(l);
    }
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        if (!uncorrected_differs(s))
            continue;
        const char *names[] = {"p50", "p95", "p99", "max"};
        char v[4][64];
        uncorrected_cells(s, v);
        char *label = step_label(s);
        fprintf(f, "  uncorrected (as if no wait): %s", label);
        pad(f, w - dwidth(label));
        for (int k = 0; k < 4; k++)
            fprintf(f, " %s %s", names[k], v[k]);
        fputc('\n', f);
        free(label);
    }
}

/* Open model: what was due, what ran, what waited, and whether the harness kept up;
 * then, when the asked rate was not kept (or the engine left a note anyway), the
 * engine's plain sentence saying so. */
static void schedule_lines(const struct lg_result *r, FILE *f, bool color)
{
    const struct lg_result_schedule *sc = &r->schedule;
    if (!sc->open)
        return;
    char a[32], b[32], c[32], d[32];
    fprintf(f, "\n  open model: %s iteration%s due at up to %s/s, ",
            lg_fmt_count(sc->scheduled, a, sizeof(a)), sc->scheduled == 1 ? "" : "s",
            lg_report_fmt_rate(sc->peak_rate_per_s, b, sizeof(b)));
    fprintf(f, "%s started, %s dropped; ", lg_fmt_count(sc->started, a, sizeof(a)),
            lg_fmt_count(sc->dropped, b, sizeof(b)));
    fprintf(f, "waited for a VU: %s", lg_fmt_count(sc->waited, c, sizeof(c)));
    if (sc->waited)
        fprintf(f, " (p99 %s)", lg_report_fmt_ms(sc->wait_ms.p99, d, sizeof(d)));
    fprintf(f, "; harness lag p99 %s\n", lg_report_fmt_ms(sc->lag_ms.p99, a, sizeof(a)));

    if (sc->sustained && !sc->note)
        return;
    const char *mark = sc->sustained ? "!" : MARK_FAIL, *col = sc->sustained ? YELLOW : RED;
    fprintf(f, "  %s%s%s ", color ? col : "", mark, color ? RESET : "");
    put_clean(f, sc->note ? sc->note : "could not keep the asked rate");
    fputc('\n', f);
}

/* What an unsent reason (lg_unsent_name) means, for the reader of the summary. */
static void unsent_meaning(FILE *f, const char *name)
{
    static const char *const meanings[][2] = {
        {"unset_value", "a template read a value that was never captured"},
        {"no_list", "for_each found no list to walk"},
        {"unsafe_url", "the rendered URL was not http(s), or held a control character or space"},
        {"unsafe_header", "a rendered header value held CR, LF or NUL (it would inject a line)"},
        {"bad_value", "a template function could not use its arguments"},
        {"refused", "the transport refused the transfer"},
    };
    for (size_t i = 0; i < sizeof(meanings) / sizeof(*meanings); i++)
        if (!strcmp(name, meanings[i][0]))
            fprintf(f, "    %s: %s\n", meanings[i][0], meanings[i][1]);
}

/* Failed requests by class, then the requests that could not be sent: failures of
 * their steps, counted apart from requests. Returns whether it printed anything. */
static bool error_line(const struct lg_result *r, FILE *f)
{
    bool any = false;
    char buf[32];
    for (size_t i = 0; i < r->n_error_classes; i++) {
        const struct lg_count *e = &r->error_classes[i];
        if (!e->count)
            continue;
        fputs(any ? ", " : "\n  errors: ", f);
        put_clean(f, e->name);
        fprintf(f, " %s", lg_fmt_count(e->count, buf, sizeof(buf)));
        any = true;
    }
    if (any)
        fputc('\n', f);
    for (size_t i = 0; i < r->n_error_classes; i++)
        if (r->error_classes[i].count && !strcmp(r->error_classes[i].name, "body_too_large"))
            fputs("  body_too_large: a response body was larger than max_body (8 MiB unless "
                  "the step or its environment sets it); its transfer was stopped there\n",
                  f);
    if (r->unsent) {
        fprintf(f,
                "%s  unsent: %s request%s could not be sent (never reached the server; not "
                "counted as requests)",
                any ? "" : "\n", lg_fmt_count(r->unsent, buf, sizeof(buf)),
                r->unsent == 1 ? "" : "s");
        for (size_t i = 0; i < r->n_unsent_reasons; i++) {
            fputs(i ? ", " : ": ", f);
            put_clean(f, r->unsent_reasons[i].name);
            fprintf(f, " %s", lg_fmt_count(r->unsent_reasons[i].count, buf, sizeof(buf)));
        }
        fputc('\n', f);
        for (size_t i = 0; i < r->n_unsent_reasons; i++)
            unsent_meaning(f, r->unsent_reasons[i].name);
    }
    return any || r->unsent;
}

/* libcurl's re-sends after a reused connection closed without an answer: those it
 * made (idempotent methods; the server saw the request more than once) and those
 * refused (other methods, whose requests failed instead). */
static void retries_line(const struct lg_result *r, FILE *f, bool after_errors)
{
    char a[32], b[32];
    if (!r->retries && !r->retries_refused)
        return;
    fputs(after_errors ? "  retries: " : "\n  retries: ", f);
    if (r->retries)
        fprintf(f, "%s sent again after a reused connection closed unanswered",
                lg_fmt_count(r->retries, a, sizeof(a)));
    if (r->retries && r->retries_refused)
        fputs("; ", f);
    if (r->retries_refused)
        fprintf(f, "%s refused (not idempotent: failed as reset, never sent twice)",
                lg_fmt_count(r->retries_refused, b, sizeof(b)));
    fputc('\n', f);
}

/* A unique feed that ran out stopped VUs early: the run did less than was asked. */
static void feed_line(const struct lg_result *r, FILE *f, bool color)
{
    if (!r->feed_exhausted && !r->feed_note)
        return;
    char a[32];
    fprintf(f, "\n  %s!%s ", color ? YELLOW : "", color ? RESET : "");
    if (r->feed_note)
        put_clean(f, r->feed_note);
    else
        fprintf(f, "a unique feed ran out: %s VU%s stopped early",
                lg_fmt_count(r->feed_exhausted, a, sizeof(a)), r->feed_exhausted == 1 ? "" : "s");
    fputc('\n', f);
}

/* A failed check's reasons under it, each after how many failures gave it; the
 * failures whose reason was not kept make one more line. */
static void reasons(const struct lg_result_check *c, FILE *f)
{
    uint64_t kept = 0;
    size_t wcount = 0;
    char a[32];
    for (size_t k = 0; k < c->n_reasons; k++) {
        kept += c->reasons[k].count;
        size_t w = strlen(lg_fmt_count(c->reasons[k].count, a, sizeof(a)));
        wcount = w > wcount ? w : wcount;
    }
    if (!c->n_reasons)
        return;
    uint64_t other = c->failed > kept ? c->failed - kept : 0;
    if (other && strlen(lg_fmt_count(other, a, sizeof(a))) > wcount)
        wcount = strlen(a);
    for (size_t k = 0; k < c->n_reasons; k++) {
        lg_fmt_count(c->reasons[k].count, a, sizeof(a));
        pad(f, 8 + wcount - strlen(a));
        fprintf(f, "%s" TIMES " ", a);
        put_clean(f, c->reasons[k].name);
        fputc('\n', f);
    }
    if (other) {
        lg_fmt_count(other, a, sizeof(a));
        pad(f, 8 + wcount - strlen(a));
        fprintf(f, "%s" TIMES " other reasons (not kept)\n", a);
    }
}

/* Each failing check with its step and why it failed, so that a smoke run says which
 * check broke and how. */
static void failed_checks(const struct lg_result *r, FILE *f, bool color)
{
    size_t wstep = 0, wlabel = 0;
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        for (size_t j = 0; j < s->n_checks; j++) {
            if (!s->checks[j].failed)
                continue;
            char *st = step_label(s), *lb = clean(s->checks[j].label);
            if (dwidth(st) > wstep)
                wstep = dwidth(st);
            if (dwidth(lb) > wlabel)
                wlabel = dwidth(lb);
            free(st);
            free(lb);
        }
    }
    if (!wstep)
        return;
    fputs("\n  failed checks\n", f);
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        for (size_t j = 0; j < s->n_checks; j++) {
            const struct lg_result_check *c = &s->checks[j];
            if (!c->failed)
                continue;
            char *st = step_label(s), *lb = clean(c->label);
            char a[32], b[32];
            fprintf(f, "    %s%s%s %s", color ? RED : "", MARK_FAIL, color ? RESET : "", st);
            pad(f, wstep - dwidth(st) + 2);
            fputs(lb, f);
            pad(f, wlabel - dwidth(lb) + 2);
            fprintf(f, "%s of %s failed\n", lg_fmt_count(c->failed, a, sizeof(a)),
                    lg_fmt_count(c->passed + c->failed, b, sizeof(b)));
            reasons(c, f);
            free(st);
            free(lb);
        }
    }
}

/* The observed value on one line (a server's text could hold a line break). */
static char *observed(const struct lg_result_threshold *t)
{
    char *o = lg_report_observed(t), *c = clean(o);
    free(o);
    return c;
}

static bool is_warning(const struct lg_result_threshold *t)
{
    return t->severity && !strcmp(t->severity, "warning");
}

static char *threshold_label(const struct lg_result_threshold *t)
{
    char *e = clean(t->expr);
    char *l =
        lg_asprintf("%s%s%s", e, is_warning(t) ? "  (warning)" : "", t->abort ? "  (abort)" : "");
    free(e);
    return l;
}

/* The smoke profile's rule, as one more line of the gate: every check must pass,
 * and every request (the requests that failed without a failed check are named). */
static void smoke_line(const struct lg_result *r, FILE *f, bool color)
{
    if (!r->smoke_rule)
        return;
    uint64_t by_check = 0;
    for (size_t i = 0; i < r->n_error_classes; i++)
        if (r->error_classes[i].name && !strcmp(r->error_classes[i].name, "check"))
            by_check = r->error_classes[i].count;
    uint64_t other = r->errors > by_check ? r->errors - by_check : 0;
    bool ok = r->checks_failed == 0 && r->errors == 0;
    char a[32], b[32];
    fprintf(f, "    %s%s%s smoke profile: every check must pass \xe2\x80\x94 %s failed",
            color ? (ok ? GREEN : RED) : "", ok ? MARK_OK : MARK_FAIL, color ? RESET : "",
            lg_fmt_count(r->checks_failed, a, sizeof(a)));
    if (other)
        fprintf(f, ", %s failed request%s", lg_fmt_count(other, b, sizeof(b)),
                other == 1 ? "" : "s");
    fputc('\n', f);
}

/* The rules beside the thresholds, each with its mark and its sentence, so that a
 * failed verdict always names what decided it. */
static void rule_lines(const struct lg_result *r, FILE *f, bool color)
{
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct lg_result_rule *u = &r->rules[i];
        const char *label = lg_report_rule_label(u->name);
        fprintf(f, "    %s%s%s ", color ? (u->ok ? GREEN : RED) : "", u->ok ? MARK_OK : MARK_FAIL,
                color ? RESET : "");
        put_clean(f, label ? label : u->name);
        if (!label)
            fputs(" rule", f);
        if (u->text && *u->text) {
            fputs(": ", f);
            put_clean(f, u->text);
        }
        fputc('\n', f);
    }
}

static void thresholds(const struct lg_result *r, FILE *f, bool color)
{
    if (!r->n_thresholds && !r->default_gate && !r->smoke_rule && !r->n_rules)
        return;
    fputs("\n  thresholds\n", f);
    /* Results written before rules were recorded say only which rules applied. */
    if (r->default_gate && !r->n_thresholds && !r->n_rules)
        fprintf(f,
                "    no thresholds given: the strict default gate applies (no failed request, "
                "no failed check%s)\n",
                r->schedule.open ? ", no dropped iteration" : "");
    size_t w = 0;
    for (size_t i = 0; i < r->n_thresholds; i++) {
        char *l = threshold_label(&r->thresholds[i]);
        if (dwidth(l) > w)
            w = dwidth(l);
        free(l);
    }
    for (size_t i = 0; i < r->n_thresholds; i++) {
        const struct lg_result_threshold *t = &r->thresholds[i];
        const char *mark = MARK_OK, *c = GREEN;
        if (!t->ok && is_warning(t)) {
            mark = "!";
            c = YELLOW;
        } else if (!t->ok) {
            mark = MARK_FAIL;
            c = RED;
        }
        char *l = threshold_label(t), *o = observed(t);
        fprintf(f, "    %s%s%s %s", color ? c : "", mark, color ? RESET : "", l);
        pad(f, w - dwidth(l) + 2);
        fprintf(f, "%s\n", o);
        free(l);
        free(o);
    }
    if (r->n_rules)
        rule_lines(r, f, color);
    else
        smoke_line(r, f, color);
}

/* `run --baseline`: every judged metric with its mark (✗ a regression that fails
 * the gate, ! one only reported, ? inconclusive, ✓ otherwise), its figures and its
 * bounds, as `loadgate compare` shows them. */
static void regressions(const struct lg_result *r, FILE *f, bool color)
{
    if (!r->baseline.has)
        return;
    char *line = lg_regress_rule_line(r);
    fputs("\n  regressions: ", f);
    put_clean(f, line);
    fputc('\n', f);
    free(line);
    if (!r->n_regressions) {
        fputs("    no step to judge\n", f);
        return;
    }
    size_t w = 0;
    for (size_t i = 0; i < r->n_regressions; i++) {
        char *l = lg_regress_label(&r->regressions[i]), *c = clean(l);
        size_t lw = dwidth(c) + 1 + dwidth(r->regressions[i].metric);
        if (lw > w)
            w = lw;
        free(l);
        free(c);
    }
    bool critical = lg_regress_critical(r);
    for (size_t i = 0; i < r->n_regressions; i++) {
        const struct lg_result_regression *g = &r->regressions[i];
        struct lg_regress_cells v;
        lg_regress_cells(g, &v);
        const char *mark = MARK_OK, *col = GREEN;
        if (lg_regress_is(g, "regression")) {
            mark = critical ? MARK_FAIL : "!";
            col = critical ? RED : YELLOW;
        } else if (lg_regress_is(g, "inconclusive")) {
            mark = "?";
            col = YELLOW;
        }
        char *l = lg_regress_label(g), *c = clean(l), *m = clean(g->metric);
        fprintf(f, "    %s%s%s %s %s", color ? col : "", mark, color ? RESET : "", c, m);
        pad(f, w - (dwidth(c) + 1 + dwidth(m)) + 2);
        fprintf(f, "%s -> %s  %s %s  bounds %s -> %s  %s\n", v.base, v.new, v.change, v.rel,
                v.base_b, v.new_b, v.status);
        free(l);
        free(c);
        free(m);
    }
}

static void verdict(const struct lg_result *r, FILE *f, bool color)
{
    const char *name = "PASS", *c = GREEN;
    if (r->verdict == LG_VERDICT_FAIL) {
        name = "FAIL";
        c = RED;
    } else if (r->verdict == LG_VERDICT_ABORTED) {
        name = "ABORTED";
        c = RED;
    } else if (r->verdict != LG_VERDICT_PASS) {
        name = "UNKNOWN";
        c = RED;
    }
    fprintf(f, "\n  verdict: %s%s%s%s", color ? BOLD : "", color ? c : "", name,
            color ? RESET : "");
    if (r->verdict == LG_VERDICT_ABORTED && r->abort_reason && *r->abort_reason) {
        fputs(" (", f);
        put_clean(f, r->abort_reason);
        fputc(')', f);
    }
    fputc('\n', f);
}

void lg_report_text(const struct lg_result *r, FILE *f, bool color)
{
    header(r, f);
    limits_line(r, f);
    fputc('\n', f);
    step_table(r, f);
    uncorrected_lines(r, f);
    protocol_lines(r, f);
    schedule_lines(r, f, color);
    retries_line(r, f, error_line(r, f));
    feed_line(r, f, color);
    failed_checks(r, f, color);
    thresholds(r, f, color);
    regressions(r, f, color);
    verdict(r, f, color);
}

int lg_report_text_file(const struct lg_result *r, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        fprintf(stderr, "loadgate: out of memory writing the summary\n");
        abort();
    }
    lg_report_text(r, f, false);
    if (fclose(f) != 0 || !text) {
        fprintf(stderr, "loadgate: out of memory writing the summary\n");
        abort();
    }
    int rc = lg_write_atomic(path, text, len);
    int e = errno;
    free(text);
    errno = e;
    return rc;
}
