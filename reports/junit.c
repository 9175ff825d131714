/* junit: junit.xml for the test pane of CI systems (Jenkins, GitLab): the run, the
 * gate's rules and thresholds, and every check per scenario as test cases, with
 * observed vs limit in each failure. Every string is escaped into valid XML 1.0. */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "escape.h"
#include "regress.h"
#include "util.h"

/* A test case's outcome: its name, and a failure (message and body) or a note. */
struct tcase {
    const char *name;
    char *failure; /* NULL: passed */
    char *body;    /* the failure's text, or the passing case's <system-out> (may be NULL) */
    bool skipped;
};

static void put_case(struct lg_buf *b, const char *suite, const struct tcase *c)
{
    lg_buf_puts(b, "    <testcase name=\"");
    lg_esc_xml(b, c->name);
    lg_buf_puts(b, "\" classname=\"");
    lg_esc_xml(b, suite);
    lg_buf_puts(b, "\"");
    if (!c->failure && !c->skipped && !c->body) {
        lg_buf_puts(b, "/>\n");
        return;
    }
    lg_buf_puts(b, ">\n");
    if (c->failure || c->skipped) {
        lg_buf_printf(b, "      <%s message=\"", c->failure ? "failure" : "skipped");
        lg_esc_xml(b, c->failure ? c->failure : c->body);
        lg_buf_puts(b, "\"");
        if (c->failure && c->body) {
            lg_buf_puts(b, ">");
            lg_esc_xml(b, c->body);
            lg_buf_puts(b, "</failure>\n");
        } else {
            lg_buf_puts(b, "/>\n");
        }
    } else {
        lg_buf_puts(b, "      <system-out>");
        lg_esc_xml(b, c->body);
        lg_buf_puts(b, "</system-out>\n");
    }
    lg_buf_puts(b, "    </testcase>\n");
}

/* Writes a <testsuite> of n cases and frees their strings. Adds to the totals. */
static void put_suite(struct lg_buf *b, const struct lg_result *r, const char *name,
                      struct tcase *cases, size_t n, size_t *tests, size_t *failures,
                      size_t *skipped)
{
    size_t nf = 0, ns = 0;
    for (size_t i = 0; i < n; i++) {
        nf += cases[i].failure != NULL;
        ns += cases[i].skipped;
    }
    lg_buf_puts(b, "  <testsuite name=\"");
    lg_esc_xml(b, name);
    lg_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\"",
                  n, nf, ns, r->duration_s > 0 ? r->duration_s : 0.0);
    if (r->started_at) {
        lg_buf_puts(b, " timestamp=\"");
        lg_esc_xml(b, r->started_at);
        lg_buf_puts(b, "\"");
    }
    lg_buf_puts(b, ">\n");
    for (size_t i = 0; i < n; i++) {
        put_case(b, name, &cases[i]);
        free(cases[i].failure);
        free(cases[i].body);
    }
    lg_buf_puts(b, "  </testsuite>\n");
    *tests += n;
    *failures += nf;
    *skipped += ns;
}

static char *observed(const struct lg_result_threshold *t)
{
    if (t->no_samples)
        return lg_strdup("no samples");
    if (t->observed_text && *t->observed_text)
        return lg_strdup(t->observed_text);
    return lg_asprintf("%g%s%s", t->observed, t->unit ? " " : "", t->unit ? t->unit : "");
}

/* The reasons a check failed, one per line with its count ("5× $.id was 7, expected
 * < 5"), and the failures whose reason was not kept. */
static char *check_reasons(const struct lg_result_check *c)
{
    struct lg_buf rb = {0};
    uint64_t kept = 0;
    char a[32];
    for (size_t q = 0; q < c->n_reasons; q++) {
        kept += c->reasons[q].count;
        lg_buf_printf(&rb, "%s\xc3\x97 %s\n", lg_fmt_count(c->reasons[q].count, a, sizeof(a)),
                      c->reasons[q].name ? c->reasons[q].name : "");
    }
    if (c->failed > kept)
        lg_buf_printf(&rb, "%s\xc3\x97 other reasons (not kept)\n",
                      lg_fmt_count(c->failed - kept, a, sizeof(a)));
    return lg_buf_take(&rb);
}

static const char *scenario_of(const struct lg_result_step *s)
{
    return s->scenario ? s->scenario : "";
}

/* One suite per scenario with checks ("checks: SCENARIO", in the order the steps
 * come): a case per check named "STEP: LABEL", failed when any evaluation failed,
 * skipped when it was never evaluated. */
static void put_checks(struct lg_buf *b, const struct lg_result *r, size_t *tests, size_t *failures,
                       size_t *skipped)
{
    for (size_t i = 0; i < r->n_steps; i++) {
        const char *sc = scenario_of(&r->steps[i]);
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(scenario_of(&r->steps[k]), sc);
        size_t total = 0;
        for (size_t k = i; k < r->n_steps && !seen; k++)
            if (!strcmp(scenario_of(&r->steps[k]), sc))
                total += r->steps[k].n_checks;
        if (seen || !total)
            continue;
        struct tcase *cases = lg_calloc(total, sizeof(*cases));
        char **names = lg_calloc(total, sizeof(*names));
        size_t n = 0;
        char a[32], c2[32];
        for (size_t k = i; k < r->n_steps; k++) {
            const struct lg_result_step *s = &r->steps[k];
            if (strcmp(scenario_of(s), sc))
                continue;
            for (size_t j = 0; j < s->n_checks; j++, n++) {
                const struct lg_result_check *c = &s->checks[j];
                names[n] = lg_asprintf("%s: %s", s->name ? s->name : "", c->label ? c->label : "");
                cases[n].name = names[n];
                if (!c->passed && !c->failed) {
                    cases[n].skipped = true;
                    cases[n].body = lg_strdup("never evaluated");
                } else if (c->failed) {
                    cases[n].failure =
                        lg_asprintf("%s of %s failed (limit: none may fail)",
                                    lg_fmt_count(c->failed, a, sizeof(a)),
                                    lg_fmt_count(c->passed + c->failed, c2, sizeof(c2)));
                    cases[n].body = check_reasons(c);
                }
            }
        }
        char *suite = lg_asprintf("checks: %s", sc);
        put_suite(b, r, suite, cases, total, tests, failures, skipped);
        free(suite);
        for (size_t k = 0; k < total; k++)
            free(names[k]);
        free(names);
        free(cases);
    }
}

/* "run" (the run completed, else why it stopped; a failed verdict that no rule or
 * threshold explains fails it too), then each rule of the gate. */
static void put_rules(struct lg_buf *b, const struct lg_result *r, size_t *tests, size_t *failures,
                      size_t *skipped)
{
    struct tcase *cases = lg_calloc(r->n_rules + 1, sizeof(*cases));
    bool explained = false;
    for (size_t i = 0; i < r->n_thresholds; i++)
        explained |= !r->thresholds[i].ok &&
                     !(r->thresholds[i].severity && !strcmp(r->thresholds[i].severity, "warning"));
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct lg_result_rule *u = &r->rules[i];
        struct tcase *tc = &cases[i + 1];
        tc->name = u->name ? u->name : "";
        if (u->ok) {
            tc->body = u->text ? lg_strdup(u->text) : NULL;
        } else {
            tc->failure = lg_strdup(u->text ? u->text : "the rule failed the gate");
            explained = true;
        }
    }
    char dur[32];
    snprintf(dur, sizeof(dur), "%.3f", r->duration_s > 0 ? r->duration_s : 0.0);
    cases[0].name = "run";
    if (r->verdict == LG_VERDICT_ABORTED)
        cases[0].failure = lg_asprintf("aborted after %ss: %s", dur,
                                       r->abort_reason ? r->abort_reason : "no reason recorded");
    else if (r->verdict == LG_VERDICT_FAIL && !explained)
        cases[0].failure = lg_strdup("the gate failed the run");
    else
        cases[0].body =
            lg_asprintf("completed in %ss, verdict %s", dur, lg_verdict_name(r->verdict));
    put_suite(b, r, "rules", cases, r->n_rules + 1, tests, failures, skipped);
    free(cases);
}

/* Each threshold: a critical one that broke fails with observed vs limit; a
 * warning never fails (a broken one passes with a note in <system-out>). */
static void put_thresholds(struct lg_buf *b, const struct lg_result *r, size_t *tests,
                           size_t *failures, size_t *skipped)
{
    if (!r->n_thresholds)
        return;
    struct tcase *cases = lg_calloc(r->n_thresholds, sizeof(*cases));
    for (size_t i = 0; i < r->n_thresholds; i++) {
        const struct lg_result_threshold *t = &r->thresholds[i];
        bool warning = t->severity && !strcmp(t->severity, "warning");
        char *obs = observed(t);
        const char *expr = t->expr ? t->expr : "";
        cases[i].name = expr;
        if (t->ok)
            cases[i].body = lg_asprintf("observed %s, limit %s", obs, expr);
        else if (warning)
            cases[i].body =
                lg_asprintf("warning (does not fail the gate): observed %s, limit %s", obs, expr);
        else {
            cases[i].failure = lg_asprintf("observed %s, limit %s", obs, expr);
            if (t->abort)
                cases[i].body = lg_strdup("an abort threshold: breaking it stops the run");
        }
        free(obs);
    }
    put_suite(b, r, "thresholds", cases, r->n_thresholds, tests, failures, skipped);
    free(cases);
}

/* `run --baseline`: suite "regressions", a case per judged metric ("overall: p95",
 * "SCENARIO/STEP: p95"): a regression fails it when the severity is critical (a
 * warning passes with a note), an inconclusive one is skipped so that "could not
 * tell" never reads as a pass; the figures and bounds in the message. */
static void put_regressions(struct lg_buf *b, const struct lg_result *r, size_t *tests,
                            size_t *failures, size_t *skipped)
{
    if (!r->baseline.has || !r->n_regressions)
        return;
    struct tcase *cases = lg_calloc(r->n_regressions, sizeof(*cases));
    char **names = lg_calloc(r->n_regressions, sizeof(*names));
    bool critical = lg_regress_critical(r);
    for (size_t i = 0; i < r->n_regressions; i++) {
        const struct lg_result_regression *g = &r->regressions[i];
        struct lg_regress_cells v;
        lg_regress_cells(g, &v);
        char *l = lg_regress_label(g);
        names[i] = lg_asprintf("%s: %s", l, g->metric ? g->metric : "");
        free(l);
        cases[i].name = names[i];
        char *fig = lg_asprintf("base %s, new %s (%s, %s); bounds base %s, new %s", v.base, v.new,
                                v.change, v.rel, v.base_b, v.new_b);
        if (lg_regress_is(g, "regression") && critical) {
            cases[i].failure = lg_asprintf("regressed beyond the budget: %s", fig);
        } else if (lg_regress_is(g, "regression")) {
            cases[i].body = lg_asprintf(
                "warning (does not fail the gate): regressed beyond the budget: %s", fig);
        } else if (lg_regress_is(g, "inconclusive")) {
            cases[i].skipped = true;
            cases[i].body = lg_asprintf("inconclusive: too few samples to tell: %s", fig);
        } else {
            cases[i].body = lg_asprintf("%s: %s", g->status ? g->status : "", fig);
        }
        free(fig);
    }
    put_suite(b, r, "regressions", cases, r->n_regressions, tests, failures, skipped);
    for (size_t i = 0; i < r->n_regressions; i++)
        free(names[i]);
    free(names);
    free(cases);
}

char *lg_report_junit(const struct lg_result *r)
{
    struct lg_buf body = {0}, b = {0};
    size_t tests = 0, failures = 0, skipped = 0;
    put_rules(&body, r, &tests, &failures, &skipped);
    put_thresholds(&body, r, &tests, &failures, &skipped);
    put_regressions(&body, r, &tests, &failures, &skipped);
    put_checks(&body, r, &tests, &failures, &skipped);
    lg_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"loadgate: ");
    lg_esc_xml(&b, r->suite);
    lg_buf_printf(&b,
                  "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
                  tests, failures, skipped, r->duration_s > 0 ? r->duration_s : 0.0);
    lg_buf_append(&b, body.data, body.len);
    lg_buf_puts(&b, "</testsuites>\n");
    lg_buf_free(&body);
    return lg_buf_take(&b);
}

int lg_report_junit_file(const struct lg_result *r, const char *path)
{
    char *text = lg_report_junit(r);
    int rc = lg_write_atomic(path, text, strlen(text));
    int e = errno;
    free(text);
    errno = e;
    return rc;
}
