/* markdown: summary.md, GitHub-flavoured Markdown for a pull-request comment or a job
 * summary — the verdict first, then the run's shape, the gate as a table, the steps,
 * the failed checks with their reasons and the errors. Every text that came from the
 * suite or a server is escaped, so that no reason can break a table or inject HTML. */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "escape.h"
#include "regress.h"
#include "units.h"
#include "util.h"

#define MARK_OK "\xe2\x9c\x93"   /* ✓ */
#define MARK_FAIL "\xe2\x9c\x97" /* ✗ */
#define SEP " \xc2\xb7 "         /* " · " */
#define TIMES "\xc3\x97"         /* × */

static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

static void verdict(const struct lg_result *r, FILE *f)
{
    const char *name = r->verdict == LG_VERDICT_PASS      ? "PASS"
                       : r->verdict == LG_VERDICT_FAIL    ? "FAIL"
                       : r->verdict == LG_VERDICT_ABORTED ? "ABORTED"
                                                          : "UNKNOWN";
    fprintf(f, "## %s loadgate: %s" SEP, r->verdict == LG_VERDICT_PASS ? MARK_OK : MARK_FAIL, name);
    lg_esc_md(f, r->suite && *r->suite ? r->suite : "(unnamed)");
    fputs("\n\n", f);
    if (r->verdict == LG_VERDICT_ABORTED) {
        fputs("**Aborted:** ", f);
        lg_esc_md(f, r->abort_reason && *r->abort_reason ? r->abort_reason : "no reason recorded");
        fputs("\n\n", f);
    }
}

/* The run's shape: what ran, how hard, where and how. */
static void shape(const struct lg_result *r, FILE *f)
{
    char a[64], b[64], c[64], d[64], e[64];
    const struct lg_result_schedule *sc = &r->schedule;
    if (sc->open)
        fprintf(f,
                "- **Model:** open, up to %s iterations/s, at most %s VU%s" SEP
                "%s due, %s started, %s dropped\n",
                lg_report_fmt_rate(sc->peak_rate_per_s, a, sizeof(a)),
                lg_fmt_count(sc->max_vus, b, sizeof(b)), plural(sc->max_vus),
                lg_fmt_count(sc->scheduled, c, sizeof(c)), lg_fmt_count(sc->started, d, sizeof(d)),
                lg_fmt_count(sc->dropped, e, sizeof(e)));
    else
        fprintf(f, "- **Model:** closed, %s VU%s\n", lg_fmt_count(r->vus, a, sizeof(a)),
                plural(r->vus));
    fprintf(f, "- **Duration:** %s" SEP "%s request%s (%s/s)",
            lg_report_fmt_ms(r->duration_s * 1000.0, a, sizeof(a)),
            lg_fmt_count(r->requests, b, sizeof(b)), plural(r->requests),
            lg_report_fmt_rate(r->rps, c, sizeof(c)));
    fprintf(f, SEP "%s iteration%s", lg_fmt_count(r->iterations, a, sizeof(a)),
            plural(r->iterations));
    if (r->iterations_interrupted)
        fprintf(f, " + %s interrupted", lg_fmt_count(r->iterations_interrupted, a, sizeof(a)));
    if (r->iterations_failed)
        fprintf(f, " (%s failed)", lg_fmt_count(r->iterations_failed, a, sizeof(a)));
    fputc('\n', f);
    fputs("- **Environment:** ", f);
    lg_esc_md(f, r->env ? r->env : "(none)");
    if (r->profile) {
        fputs(SEP "profile ", f);
        lg_esc_md(f, r->profile);
    }
    fputc('\n', f);
    if (r->http) {
        fprintf(f, "- **Protocol:** %s%s" SEP "%s connection%s opened",
                !strcmp(r->http, "2") ? "HTTP/2" : "HTTP/1.1",
                r->multiplex ? ", multiplexed" : ", one connection per VU",
                lg_fmt_count(r->connections, a, sizeof(a)), plural(r->connections));
        if (r->proxy) {
            fputs(SEP "via proxy ", f);
            lg_esc_md(f, r->proxy);
        }
        fputc('\n', f);
    }
    if (r->base_url && *r->base_url) {
        fputs("- **Base URL:** ", f);
        lg_esc_md(f, r->base_url);
        fputc('\n', f);
    }
    if (r->limits.has) {
        fputs("- **Limits:**", f);
        if (r->limits.max_rate_per_s > 0)
            fprintf(f, " %s requests/s",
                    lg_report_fmt_rate(r->limits.max_rate_per_s, a, sizeof(a)));
        if (r->limits.max_vus)
            fprintf(f, "%s %s VU%s", r->limits.max_rate_per_s > 0 ? "," : "",
                    lg_fmt_count(r->limits.max_vus, a, sizeof(a)), plural(r->limits.max_vus));
        if (r->limits.vus_capped || r->limits.rate_capped)
            fputs(SEP "capped the run", f);
        fputc('\n', f);
    }
    if (r->feed_note) {
        fputs("- **Feed:** ", f);
        lg_esc_md(f, r->feed_note);
        fputc('\n', f);
    }
    if (sc->note) {
        fputs("- **Schedule:** ", f);
        lg_esc_md(f, sc->note);
        fputc('\n', f);
    }
    if (r->merged.has) {
        fputs("- **Merged from:** ", f);
        lg_report_merged_line(r, f);
        fputc('\n', f);
    }
    if (r->started_at && *r->started_at) {
        fputs("- **Started:** ", f);
        lg_esc_md(f, r->started_at);
        fputc('\n', f);
    }
    fputc('\n', f);
}

/* Each threshold, then each rule of the gate, with its mark and what was observed; a
 * failing warning is marked "!" (it never fails the run). */
static void gate(const struct lg_result *r, FILE *f)
{
    if (!r->n_thresholds && !r->n_rules && !r->default_gate && !r->smoke_rule)
        return;
    fputs("### Gate\n\n", f);
    if (!r->n_thresholds && !r->n_rules) {
        /* results written before rules were recorded */
        fprintf(f, "%s applied.\n\n",
                r->smoke_rule ? "The smoke profile's rule (every check and request must pass)"
                              : "No thresholds given: the strict default gate");
        return;
    }
    fputs("| | threshold or rule | observed |\n|:-:|---|---|\n", f);
    for (size_t i = 0; i < r->n_thresholds; i++) {
        const struct lg_result_threshold *t = &r->thresholds[i];
        bool warning = t->severity && !strcmp(t->severity, "warning");
        char *o = lg_report_observed(t);
        fprintf(f, "| %s | ", t->ok ? MARK_OK : warning ? "!" : MARK_FAIL);
        lg_esc_md(f, t->expr);
        fprintf(f, "%s%s | ", warning ? " (warning)" : "", t->abort ? " (abort)" : "");
        lg_esc_md(f, o);
        fputs(" |\n", f);
        free(o);
    }
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct lg_result_rule *u = &r->rules[i];
        const char *label = lg_report_rule_label(u->name);
        fprintf(f, "| %s | ", u->ok ? MARK_OK : MARK_FAIL);
        lg_esc_md(f, label ? label : u->name);
        if (!label)
            fputs(" rule", f);
        fputs(" | ", f);
        lg_esc_md(f, u->text);
        fputs(" |\n", f);
    }
    fputc('\n', f);
}

/* `run --baseline`: a row per judged metric, with its mark, figures, bounds and
 * status (the marks of summary.txt: ! a regression only reported, ? inconclusive). */
static void regressions(const struct lg_result *r, FILE *f)
{
    if (!r->baseline.has)
        return;
    char *line = lg_regress_rule_line(r);
    fputs("### Regressions\n\n", f);
    lg_esc_md(f, line);
    fputs(".\n\n", f);
    free(line);
    if (!r->n_regressions) {
        fputs("No step to judge.\n\n", f);
        return;
    }
    fputs("| | step | metric | base | new | change | base bounds | new bounds | status |\n"
          "|:-:|---|---|---:|---:|---:|---:|---:|---|\n",
          f);
    bool critical = lg_regress_critical(r);
    for (size_t i = 0; i < r->n_regressions; i++) {
        const struct lg_result_regression *g = &r->regressions[i];
        struct lg_regress_cells v;
        lg_regress_cells(g, &v);
        const char *mark = lg_regress_is(g, "regression")     ? (critical ? MARK_FAIL : "!")
                           : lg_regress_is(g, "inconclusive") ? "?"
                                                              : MARK_OK;
        char *l = lg_regress_label(g);
        fprintf(f, "| %s | ", mark);
        lg_esc_md(f, l);
        fputs(" | ", f);
        lg_esc_md(f, g->metric);
        fprintf(f, " | %s | %s | %s %s | %s | %s | %s |\n", v.base, v.new, v.change, v.rel,
                v.base_b, v.new_b, v.status);
        free(l);
    }
    fputc('\n', f);
}

static void step_label(FILE *f, const struct lg_result_step *s)
{
    lg_esc_md(f, s->scenario);
    fputc('/', f);
    lg_esc_md(f, s->name);
}

/* count, rps, p50/p90/p95/p99/max ("-" without a time sample), errors, unsent (only
 * when some request could not be sent), checks passed of all. */
static void steps(const struct lg_result *r, FILE *f)
{
    fputs("### Steps\n\n", f);
    if (!r->n_steps) {
        fputs("No step ran.\n\n", f);
        return;
    }
    bool unsent = false;
    for (size_t i = 0; i < r->n_steps; i++)
        unsent = unsent || r->steps[i].unsent > 0;
    fprintf(f, "| step | count | rps | p50 | p90 | p95 | p99 | max | errors |%s checks |\n",
            unsent ? " unsent |" : "");
    fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|%s---:|\n", unsent ? "---:|" : "");
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        const struct lg_latency_ms *l = &s->latency_ms;
        char a[64];
        fputs("| ", f);
        step_label(f, s);
        fprintf(f, " | %s", lg_fmt_count(s->requests, a, sizeof(a)));
        double rps = r->duration_s > 0 ? (double)s->requests / r->duration_s : 0.0;
        fprintf(f, " | %s", lg_report_fmt_rate(rps, a, sizeof(a)));
        bool timed = s->requests > 0 && (!s->histogram || s->histogram->total_count > 0);
        double lat[] = {l->p50, l->p90, l->p95, l->p99, l->max};
        for (int k = 0; k < 5; k++)
            fprintf(f, " | %s", timed ? lg_report_fmt_ms(lat[k], a, sizeof(a)) : "-");
        fprintf(f, " | %s", lg_fmt_count(s->errors, a, sizeof(a)));
        if (unsent)
            fprintf(f, " | %s", lg_fmt_count(s->unsent, a, sizeof(a)));
        uint64_t total = s->checks_passed + s->checks_failed;
        if (total)
            fprintf(f, " | %" PRIu64 "/%" PRIu64 " |\n", s->checks_passed, total);
        else
            fputs(" | - |\n", f);
    }
    fputc('\n', f);
}

/* One row per kept reason of each failed check; the step, check and failure count
 * only on its first row. Failures whose reason was not kept make one more row. */
static void failed_checks(const struct lg_result *r, FILE *f)
{
    bool any = false;
    for (size_t i = 0; i < r->n_steps; i++)
        for (size_t j = 0; j < r->steps[i].n_checks; j++)
            any = any || r->steps[i].checks[j].failed;
    if (!any)
        return;
    fputs("### Failed checks\n\n| step | check | failed | reason | count |\n"
          "|---|---|---:|---|---:|\n",
          f);
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        for (size_t j = 0; j < s->n_checks; j++) {
            const struct lg_result_check *c = &s->checks[j];
            if (!c->failed)
                continue;
            char a[32], b[32];
            uint64_t kept = 0;
            fprintf(f, "| %s ", MARK_FAIL);
            step_label(f, s);
            fputs(" | ", f);
            lg_esc_md(f, c->label);
            fprintf(f, " | %s of %s", lg_fmt_count(c->failed, a, sizeof(a)),
                    lg_fmt_count(c->passed + c->failed, b, sizeof(b)));
            for (size_t k = 0; k < c->n_reasons; k++) {
                if (k)
                    fputs("| | | ", f);
                fputs(" | ", f);
                lg_esc_md(f, c->reasons[k].name);
                fprintf(f, " | %s |\n", lg_fmt_count(c->reasons[k].count, a, sizeof(a)));
                kept += c->reasons[k].count;
            }
            uint64_t other = c->failed > kept ? c->failed - kept : 0;
            if (other || !c->n_reasons)
                fprintf(f, "%s | %s | %s |\n", c->n_reasons ? "| | | " : "",
                        c->n_reasons ? "other reasons (not kept)" : "(no reason kept)",
                        lg_fmt_count(other, a, sizeof(a)));
        }
    }
    fputc('\n', f);
}

static void count_rows(FILE *f, const struct lg_count *c, size_t n)
{
    char a[32];
    for (size_t i = 0; i < n; i++) {
        if (!c[i].count)
            continue;
        fputs("| ", f);
        lg_esc_md(f, c[i].name);
        fprintf(f, " | %s |\n", lg_fmt_count(c[i].count, a, sizeof(a)));
    }
}

/* Failed requests by class, the requests that could not be sent by reason, and
 * libcurl's re-sends, when there were any. */
static void errors(const struct lg_result *r, FILE *f)
{
    bool any = false;
    char a[32], b[32];
    for (size_t i = 0; i < r->n_error_classes; i++)
        any = any || r->error_classes[i].count;
    if (!any && !r->unsent && !r->retries && !r->retries_refused)
        return;
    fputs("### Errors\n\n", f);
    if (any) {
        fputs("| error class | requests |\n|---|---:|\n", f);
        count_rows(f, r->error_classes, r->n_error_classes);
        fputc('\n', f);
    }
    if (r->unsent) {
        fprintf(f,
                "%s request%s could not be sent (never reached the server; not counted as "
                "requests):\n\n| unsent reason | requests |\n|---|---:|\n",
                lg_fmt_count(r->unsent, a, sizeof(a)), plural(r->unsent));
        count_rows(f, r->unsent_reasons, r->n_unsent_reasons);
        fputc('\n', f);
    }
    if (r->retries || r->retries_refused)
        fprintf(f,
                "Retries: %s sent again after a reused connection closed unanswered, %s "
                "refused (not idempotent).\n\n",
                lg_fmt_count(r->retries, a, sizeof(a)),
                lg_fmt_count(r->retries_refused, b, sizeof(b)));
}

static void render(const struct lg_result *r, FILE *f)
{
    verdict(r, f);
    shape(r, f);
    gate(r, f);
    regressions(r, f);
    steps(r, f);
    failed_checks(r, f);
    errors(r, f);
}

char *lg_report_markdown(const struct lg_result *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        fprintf(stderr, "loadgate: out of memory writing the Markdown summary\n");
        abort();
    }
    render(r, f);
    if (fclose(f) != 0 || !text) {
        fprintf(stderr, "loadgate: out of memory writing the Markdown summary\n");
        abort();
    }
    return text;
}

int lg_report_markdown_file(const struct lg_result *r, const char *path)
{
    char *text = lg_report_markdown(r);
    int rc = lg_write_atomic(path, text, strlen(text));
    int e = errno;
    free(text);
    errno = e;
    return rc;
}
