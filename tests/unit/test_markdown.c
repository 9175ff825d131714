/* Unit tests for summary.md: a small result rendered byte for byte (a pass, a fail
 * with a failing threshold, check and rule, an aborted run), and a reason holding
 * `|`, `<` and a backtick that must stay text inside its table cell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hist.h"
#include "report.h"
#include "util.h"

static struct lg_count *counts(size_t n, const char *const *names, const uint64_t *v)
{
    struct lg_count *c = lg_calloc(n, sizeof(*c));
    for (size_t i = 0; i < n; i++) {
        c[i].name = lg_strdup(names[i]);
        c[i].count = v[i];
    }
    return c;
}

static void threshold(struct lg_result_threshold *t, const char *expr, const char *severity,
                      bool ok, const char *text)
{
    t->expr = lg_strdup(expr);
    t->severity = lg_strdup(severity);
    t->ok = ok;
    t->unit = lg_strdup("ms");
    t->observed_text = lg_strdup(text);
}

/* A passing run: 2 VUs for 10 s, one step timed (1..1000 us), one that never ran,
 * one threshold and one rule, both met. */
static struct lg_result *pass_result(void)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->verdict = LG_VERDICT_PASS;
    r->suite = lg_strdup("shop");
    r->env = lg_strdup("staging");
    r->profile = lg_strdup("smoke");
    r->base_url = lg_strdup("https://shop.example/api");
    r->started_at = lg_strdup("2026-11-22T10:00:00Z");
    r->http = lg_strdup("1.1");
    r->connections = 2;
    r->vus = 2;
    r->duration_s = 10.0;
    r->requests = 1000;
    r->rps = 100.0;
    r->iterations = 1000;
    r->n_steps = 2;
    r->steps = lg_calloc(2, sizeof(*r->steps));
    struct lg_result_step *s = &r->steps[0];
    s->scenario = lg_strdup("buy");
    s->name = lg_strdup("cart");
    s->requests = 1000;
    s->histogram = lg_hist_new();
    for (int64_t v = 1; v <= 1000; v++)
        lg_hist_record(s->histogram, v);
    lg_latency_from_hist(s->histogram, &s->latency_ms);
    s->checks_passed = 1000;
    s = &r->steps[1];
    s->scenario = lg_strdup("buy");
    s->name = lg_strdup("pay");
    r->n_thresholds = 1;
    r->thresholds = lg_calloc(1, sizeof(*r->thresholds));
    threshold(&r->thresholds[0], "p95(latency) < 500ms", "critical", true, "950us");
    r->n_rules = 1;
    r->rules = lg_calloc(1, sizeof(*r->rules));
    r->rules[0].name = lg_strdup(LG_RULE_NO_RESPONSE);
    r->rules[0].ok = true;
    r->rules[0].text = lg_strdup("1,000 of 1,000 requests got a response");
    return r;
}

/* The same run failing: a critical threshold and a warning broken, a check failing
 * for a reason that holds `|`, `<html>` and a backtick (two failures of three kept),
 * failed requests by class and an unsent one. */
static struct lg_result *fail_result(void)
{
    struct lg_result *r = pass_result();
    r->verdict = LG_VERDICT_FAIL;
    r->errors = 3;
    r->iterations_failed = 3;
    r->unsent = 1;
    r->unsent_reasons = counts(1, (const char *const[]){"unset_value"}, (const uint64_t[]){1});
    r->n_unsent_reasons = 1;
    r->error_classes =
        counts(2, (const char *const[]){"check", "http_5xx"}, (const uint64_t[]){3, 0});
    r->n_error_classes = 2;
    struct lg_result_step *s = &r->steps[0];
    s->errors = 3;
    s->unsent = 1;
    s->checks_passed = 997;
    s->checks_failed = 3;
    s->n_checks = 2;
    s->checks = lg_calloc(2, sizeof(*s->checks));
    s->checks[0].label = lg_strdup("status is 200");
    s->checks[0].passed = 1000;
    s->checks[1].label = lg_strdup("$.total equals 5");
    s->checks[1].passed = 997;
    s->checks[1].failed = 3;
    s->checks[1].reasons =
        counts(1, (const char *const[]){"body is not JSON: near \"<html>a|b `c`\"\nat byte 1"},
               (const uint64_t[]){2});
    s->checks[1].n_reasons = 1;
    free(r->thresholds[0].observed_text);
    r->thresholds[0].observed_text = lg_strdup("612ms");
    r->thresholds[0].ok = false;
    r->n_thresholds = 2;
    r->thresholds = lg_realloc(r->thresholds, 2 * sizeof(*r->thresholds));
    memset(&r->thresholds[1], 0, sizeof(r->thresholds[1]));
    threshold(&r->thresholds[1], "p99(latency) < 10ms", "warning", false, "12.4ms");
    return r;
}

/* Renders r through lg_report_markdown_file and returns the file's text. */
static char *render(const struct lg_result *r)
{
    char path[] = "/tmp/lg-test-md-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(lg_report_markdown_file(r, path), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = lg_calloc(1, 1 << 16);
    size_t n = fread(text, 1, (1 << 16) - 1, f);
    text[n] = '\0';
    fclose(f);
    unlink(path);
    return text;
}

static const char *const shape =
    "- **Model:** closed, 2 VUs\n"
    "- **Duration:** 10.0s \xc2\xb7 1,000 requests (100.0/s) \xc2\xb7 1,000 iterations%s\n"
    "- **Environment:** staging \xc2\xb7 profile smoke\n"
    "- **Protocol:** HTTP/1.1, one connection per VU \xc2\xb7 2 connections opened\n"
    "- **Base URL:** https://shop.example/api\n"
    "- **Started:** 2026-11-22T10:00:00Z\n"
    "\n";

static void test_markdown_pass(void **state)
{
    (void)state;
    struct lg_result *r = pass_result();
    char *md = render(r);
    char *shape_pass = lg_asprintf(shape, "");
    char *want = lg_asprintf(
        "## \xe2\x9c\x93 loadgate: PASS \xc2\xb7 shop\n\n%s"
        "### Gate\n\n"
        "| | threshold or rule | observed |\n"
        "|:-:|---|---|\n"
        "| \xe2\x9c\x93 | p95(latency) &lt; 500ms | 950us |\n"
        "| \xe2\x9c\x93 | no-response rule | 1,000 of 1,000 requests got a response |\n"
        "\n"
        "### Steps\n\n"
        "| step | count | rps | p50 | p90 | p95 | p99 | max | errors | checks |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        "| buy/cart | 1,000 | 100.0 | 500us | 900us | 950us | 990us | 1.00ms | 0 | 1000/1000 |\n"
        "| buy/pay | 0 | 0.0 | - | - | - | - | - | 0 | - |\n"
        "\n",
        shape_pass);
    assert_string_equal(md, want);
    free(want);
    free(shape_pass);
    free(md);
    lg_result_free(r);
}

static void test_markdown_fail_escapes_reasons_in_their_cell(void **state)
{
    (void)state;
    struct lg_result *r = fail_result();
    char *md = render(r);
    char *shape_fail = lg_asprintf(shape, " (3 failed)");
    char *want = lg_asprintf(
        "## \xe2\x9c\x97 loadgate: FAIL \xc2\xb7 shop\n\n%s"
        "### Gate\n\n"
        "| | threshold or rule | observed |\n"
        "|:-:|---|---|\n"
        "| \xe2\x9c\x97 | p95(latency) &lt; 500ms | 612ms |\n"
        "| ! | p99(latency) &lt; 10ms (warning) | 12.4ms |\n"
        "| \xe2\x9c\x93 | no-response rule | 1,000 of 1,000 requests got a response |\n"
        "\n"
        "### Steps\n\n"
        "| step | count | rps | p50 | p90 | p95 | p99 | max | errors | unsent | checks |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        "| buy/cart | 1,000 | 100.0 | 500us | 900us | 950us | 990us | 1.00ms | 3 | 1 | 997/1000 |\n"
        "| buy/pay | 0 | 0.0 | - | - | - | - | - | 0 | 0 | - |\n"
        "\n"
        "### Failed checks\n\n"
        "| step | check | failed | reason | count |\n"
        "|---|---|---:|---|---:|\n"
        "| \xe2\x9c\x97 buy/cart | \\$.total equals 5 | 3 of 1,000 | body is not JSON: near "
        "\"&lt;html&gt;a\\|b \\`c\\`\" at byte 1 | 2 |\n"
        "| | |  | other reasons (not kept) | 1 |\n"
        "\n"
        "### Errors\n\n"
        "| error class | requests |\n"
        "|---|---:|\n"
        "| check | 3 |\n"
        "\n"
        "1 request could not be sent (never reached the server; not counted as requests):\n\n"
        "| unsent reason | requests |\n"
        "|---|---:|\n"
        "| unset\\_value | 1 |\n"
        "\n",
        shape_fail);
    assert_string_equal(md, want);
    free(want);
    free(shape_fail);
    free(md);
    lg_result_free(r);
}

static void test_markdown_aborted_says_why_first(void **state)
{
    (void)state;
    struct lg_result *r = pass_result();
    r->verdict = LG_VERDICT_ABORTED;
    r->abort_reason = lg_strdup("abort threshold error_rate < 5% broke at 12s");
    char *md = render(r);
    const char *want = "## \xe2\x9c\x97 loadgate: ABORTED \xc2\xb7 shop\n\n"
                       "**Aborted:** abort threshold error\\_rate &lt; 5% broke at 12s\n\n"
                       "- **Model:**";
    assert_memory_equal(md, want, strlen(want));
    free(md);
    lg_result_free(r);
}

static void test_markdown_open_model_counts_each_in_its_place(void **state)
{
    (void)state;
    struct lg_result *r = pass_result();
    r->schedule.open = true;
    r->schedule.peak_rate_per_s = 40.0;
    r->schedule.max_vus = 300;
    r->schedule.scheduled = 1500;
    r->schedule.started = 1497;
    r->schedule.dropped = 3;
    char *md = render(r);
    const char *want = "- **Model:** open, up to 40.0 iterations/s, at most 300 VUs \xc2\xb7 "
                       "1,500 due, 1,497 started, 3 dropped\n";
    assert_non_null(strstr(md, want));
    free(md);
    lg_result_free(r);
}

static void test_markdown_write_error_is_eio(void **state)
{
    (void)state;
    struct lg_result *r = pass_result();
    assert_int_not_equal(lg_report_markdown_file(r, "/nonexistent-dir/summary.md"), 0);
    lg_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markdown_pass),
        cmocka_unit_test(test_markdown_fail_escapes_reasons_in_their_cell),
        cmocka_unit_test(test_markdown_aborted_says_why_first),
        cmocka_unit_test(test_markdown_open_model_counts_each_in_its_place),
        cmocka_unit_test(test_markdown_write_error_is_eio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
