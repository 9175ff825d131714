/* Unit tests for junit.xml: a small hand-built result rendered byte for byte (a
 * passing, a failing and a broken warning threshold, the rules, checks with their
 * reasons, strings that need escaping), an aborted run, and the atomic file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "escape.h"
#include "report.h"
#include "util.h"

static void threshold(struct lg_result_threshold *t, const char *expr, const char *severity,
                      bool ok, const char *text)
{
    t->expr = lg_strdup(expr);
    t->severity = lg_strdup(severity);
    t->ok = ok;
    t->unit = lg_strdup("ms");
    t->observed_text = lg_strdup(text);
}

static void rule(struct lg_result_rule *u, const char *name, bool ok, const char *text)
{
    u->name = lg_strdup(name);
    u->ok = ok;
    u->text = lg_strdup(text);
}

static void check(struct lg_result_check *c, const char *label, uint64_t passed, uint64_t failed)
{
    c->label = lg_strdup(label);
    c->passed = passed;
    c->failed = failed;
}

static struct lg_result *make_result(void)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->verdict = LG_VERDICT_FAIL;
    r->suite = lg_strdup("shop <&> \"api\"");
    r->started_at = lg_strdup("2026-11-22T10:00:00Z");
    r->duration_s = 2.5;
    r->n_rules = 2;
    r->rules = lg_calloc(2, sizeof(*r->rules));
    rule(&r->rules[0], LG_RULE_NO_RESPONSE, true, "some request got a response");
    rule(&r->rules[1], LG_RULE_COMPLETION, true, "3 iterations finished");
    r->n_thresholds = 3;
    r->thresholds = lg_calloc(3, sizeof(*r->thresholds));
    threshold(&r->thresholds[0], "p95 < 500ms", "critical", true, "12.0ms");
    threshold(&r->thresholds[1], "p99 < 10ms", "critical", false, "31.2ms");
    threshold(&r->thresholds[2], "p50 < 1ms", "warning", false, "8.00ms");
    r->thresholds[1].abort = true;
    r->n_steps = 2;
    r->steps = lg_calloc(2, sizeof(*r->steps));
    r->steps[0].scenario = lg_strdup("login");
    r->steps[0].name = lg_strdup("post");
    r->steps[0].n_checks = 3;
    r->steps[0].checks = lg_calloc(3, sizeof(*r->steps[0].checks));
    check(&r->steps[0].checks[0], "status == 200", 5, 0);
    check(&r->steps[0].checks[1], "$.name equals \"a<b&c\"\x01\t'", 1, 4);
    check(&r->steps[0].checks[2], "header x-id", 0, 0);
    struct lg_result_check *c = &r->steps[0].checks[1];
    c->n_reasons = 2;
    c->reasons = lg_calloc(2, sizeof(*c->reasons));
    c->reasons[0].name = lg_strdup("$.name was \"<x>\\u0007\xff\", expected \"a<b&c\"");
    c->reasons[0].count = 2;
    c->reasons[1].name = lg_strdup("HTTP 500, expected 200 \xc3\xa9\xed\xa0\x80");
    c->reasons[1].count = 1;
    r->steps[1].scenario = lg_strdup("login");
    r->steps[1].name = lg_strdup("get");
    r->steps[1].n_checks = 1;
    r->steps[1].checks = lg_calloc(1, sizeof(*r->steps[1].checks));
    check(&r->steps[1].checks[0], "status == 200", 5, 0);
    return r;
}

static const char expected[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<testsuites name=\"loadgate: shop &lt;&amp;&gt; &quot;api&quot;\" tests=\"10\" "
    "failures=\"2\" errors=\"0\" skipped=\"1\" time=\"2.500\">\n"
    "  <testsuite name=\"rules\" tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"0\" "
    "time=\"2.500\" timestamp=\"2026-11-22T10:00:00Z\">\n"
    "    <testcase name=\"run\" classname=\"rules\">\n"
    "      <system-out>completed in 2.500s, verdict fail</system-out>\n"
    "    </testcase>\n"
    "    <testcase name=\"no_response\" classname=\"rules\">\n"
    "      <system-out>some request got a response</system-out>\n"
    "    </testcase>\n"
    "    <testcase name=\"completion\" classname=\"rules\">\n"
    "      <system-out>3 iterations finished</system-out>\n"
    "    </testcase>\n"
    "  </testsuite>\n"
    "  <testsuite name=\"thresholds\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\" "
    "time=\"2.500\" timestamp=\"2026-11-22T10:00:00Z\">\n"
    "    <testcase name=\"p95 &lt; 500ms\" classname=\"thresholds\">\n"
    "      <system-out>observed 12.0ms, limit p95 &lt; 500ms</system-out>\n"
    "    </testcase>\n"
    "    <testcase name=\"p99 &lt; 10ms\" classname=\"thresholds\">\n"
    "      <failure message=\"observed 31.2ms, limit p99 &lt; 10ms\">an abort threshold: "
    "breaking it stops the run</failure>\n"
    "    </testcase>\n"
    "    <testcase name=\"p50 &lt; 1ms\" classname=\"thresholds\">\n"
    "      <system-out>warning (does not fail the gate): observed 8.00ms, limit p50 &lt; "
    "1ms</system-out>\n"
    "    </testcase>\n"
    "  </testsuite>\n"
    "  <testsuite name=\"checks: login\" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\" "
    "time=\"2.500\" timestamp=\"2026-11-22T10:00:00Z\">\n"
    "    <testcase name=\"post: status == 200\" classname=\"checks: login\"/>\n"
    "    <testcase name=\"post: $.name equals &quot;a&lt;b&amp;c&quot;?&#9;&apos;\" "
    "classname=\"checks: login\">\n"
    "      <failure message=\"4 of 5 failed (limit: none may fail)\">2\xc3\x97 $.name was "
    "&quot;&lt;x&gt;\\u0007\xef\xbf\xbd&quot;, expected &quot;a&lt;b&amp;c&quot;&#10;"
    "1\xc3\x97 HTTP 500, expected 200 \xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd&#10;"
    "1\xc3\x97 other reasons (not kept)&#10;</failure>\n"
    "    </testcase>\n"
    "    <testcase name=\"post: header x-id\" classname=\"checks: login\">\n"
    "      <skipped message=\"never evaluated\"/>\n"
    "    </testcase>\n"
    "    <testcase name=\"get: status == 200\" classname=\"checks: login\"/>\n"
    "  </testsuite>\n"
    "</testsuites>\n";

static void test_junit_small_result_is_exact(void **state)
{
    (void)state;
    struct lg_result *r = make_result();
    char *x = lg_report_junit(r);
    assert_string_equal(x, expected);
    free(x);
    lg_result_free(r);
}

/* A failed verdict that no threshold or rule explains still fails a test case. */
static void test_junit_unexplained_fail_fails_run(void **state)
{
    (void)state;
    struct lg_result *r = make_result();
    r->thresholds[1].ok = true;
    char *x = lg_report_junit(r);
    assert_non_null(strstr(x, "<testcase name=\"run\" classname=\"rules\">\n"
                              "      <failure message=\"the gate failed the run\"/>\n"));
    assert_non_null(strstr(x, "tests=\"10\" failures=\"2\" errors=\"0\" skipped=\"1\""));
    free(x);
    lg_result_free(r);
}

static void test_junit_aborted_run_fails_with_reason(void **state)
{
    (void)state;
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->verdict = LG_VERDICT_ABORTED;
    r->suite = lg_strdup("s");
    r->duration_s = 1.25;
    r->abort_reason = lg_strdup("interrupted (SIGINT)");
    char *x = lg_report_junit(r);
    assert_string_equal(
        x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<testsuites name=\"loadgate: s\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\" "
           "time=\"1.250\">\n"
           "  <testsuite name=\"rules\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\" "
           "time=\"1.250\">\n"
           "    <testcase name=\"run\" classname=\"rules\">\n"
           "      <failure message=\"aborted after 1.250s: interrupted (SIGINT)\"/>\n"
           "    </testcase>\n"
           "  </testsuite>\n"
           "</testsuites>\n");
    free(x);
    lg_result_free(r);
}

static void test_junit_file_is_the_document(void **state)
{
    (void)state;
    char dir[] = "/tmp/lg-junit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = lg_asprintf("%s/junit.xml", dir);
    struct lg_result *r = make_result();
    assert_int_equal(lg_report_junit_file(r, path), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_string_equal(buf, expected);
    unlink(path);
    rmdir(dir);
    free(path);
    lg_result_free(r);
}

/* Bytes XML 1.0 cannot hold become U+FFFD: a stray byte, an overlong form, a
 * surrogate and the non-characters U+FFFE/U+FFFF (one U+FFFD per byte that starts
 * no XML character); U+FFFD itself, a 4-byte character and U+FFFC stay. */
static void test_junit_escape_keeps_only_xml_characters(void **state)
{
    (void)state;
    struct lg_buf b = {0};
    lg_esc_xml(&b, "a\xff|\xc0\xaf|\xed\xa0\x80|\xef\xbf\xbe|\xef\xbf\xbf|"
                   "\xef\xbf\xbd|\xf0\x9f\x98\x80|\xef\xbf\xbc|\x01");
    lg_buf_putc(&b, '\0');
    assert_string_equal(b.data, "a\xef\xbf\xbd|"
                                "\xef\xbf\xbd\xef\xbf\xbd|"
                                "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
                                "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
                                "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
                                "\xef\xbf\xbd|\xf0\x9f\x98\x80|\xef\xbf\xbc|?");
    lg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_junit_small_result_is_exact),
        cmocka_unit_test(test_junit_unexplained_fail_fails_run),
        cmocka_unit_test(test_junit_aborted_run_fails_with_reason),
        cmocka_unit_test(test_junit_file_is_the_document),
        cmocka_unit_test(test_junit_escape_keeps_only_xml_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
