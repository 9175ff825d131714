/* Unit tests for the comparison reports (reports/cmp_*.c): one comparison built by
 * lg_compare from two fixed results, with hostile names everywhere (`<`, `&`, `"`,
 * `|`, backticks, a newline, a byte that is not UTF-8) and every status, rendered as
 * text, Markdown, JUnit and JSON and compared byte for byte with the expected files in
 * tests/data/cmp_reports/. A mismatch writes what was rendered next to the build
 * (cmp_reports.got.EXT) to diff against. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "comparison.h"
#include "hist.h"
#include "utf8.h"
#include "util.h"

/* A step's name with everything a renderer must keep in its place. */
#define HOSTILE "a<b & \"c\" | `d`\ne\xff"

struct spec {
    const char *scenario, *name;
    int64_t lo_us, n; /* n samples lo_us, lo_us + 1, ... (0: none) */
    uint64_t requests, errors;
};

static struct lg_result *result(const char *suite, const char *started, const struct spec *s,
                                size_t n, const char *scenario, const char *threshold)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->suite = lg_strdup(suite);
    r->started_at = lg_strdup(started);
    r->duration_s = 10;
    r->n_steps = n;
    r->steps = lg_calloc(n, sizeof(*r->steps));
    for (size_t i = 0; i < n; i++) {
        struct lg_result_step *st = &r->steps[i];
        st->scenario = lg_strdup(s[i].scenario);
        st->name = lg_strdup(s[i].name);
        st->histogram = lg_hist_new();
        for (int64_t k = 0; k < s[i].n; k++)
            lg_hist_record(st->histogram, s[i].lo_us + k);
        st->requests = s[i].requests;
        st->errors = s[i].errors;
        st->checks_passed = s[i].requests - s[i].errors;
        st->checks_failed = s[i].errors;
        r->requests += s[i].requests;
        r->errors += s[i].errors;
        r->checks_passed += st->checks_passed;
        r->checks_failed += st->checks_failed;
    }
    r->rps = (double)r->requests / r->duration_s;
    r->n_scenarios = 1;
    r->scenarios = lg_calloc(1, sizeof(*r->scenarios));
    r->scenarios[0].name = lg_strdup(scenario);
    r->n_thresholds = 1;
    r->thresholds = lg_calloc(1, sizeof(*r->thresholds));
    r->thresholds[0].expr = lg_strdup(threshold);
    r->thresholds[0].severity = lg_strdup("critical");
    r->thresholds[0].unit = lg_strdup("ms");
    return r;
}

struct fixture {
    struct lg_result *base, *new;
    struct lg_comparison *c;
    struct lg_cmp_doc doc;
};

/* BASE and NEW of suites named differently (allowed): the hostile step 30% slower on
 * 3,000 samples with its errors up from 3 to 90 (regression), "plain" unchanged on
 * 3,000 (ok), "fast" a third faster (improved), "tiny" on 5 samples (inconclusive),
 * "gone" in BASE only and a hostile
 * one in NEW only; a scenario and a threshold on each side only. NEW failed its gate. */
static int setup(void **state)
{
    const struct spec base[] = {
        {"svc", HOSTILE, 10000, 3000, 3000, 3}, {"svc", "plain", 20000, 3000, 3000, 0},
        {"svc", "tiny", 5000, 5, 5, 0},         {"svc", "gone`|<&\">", 1000, 10, 10, 0},
        {"svc", "fast", 30000, 3000, 3000, 0},
    };
    const struct spec new[] = {
        {"svc", "tiny", 10000, 5, 5, 0},        {"svc", HOSTILE, 13000, 3000, 3000, 90},
        {"svc", "plain", 20000, 3000, 3000, 0}, {"svc\n", "new\xfe|`x`", 1000, 10, 10, 0},
        {"svc", "fast", 20000, 3000, 3000, 0},
    };
    struct fixture *f = lg_calloc(1, sizeof(*f));
    f->base = result("shop <&> \"1\"", "2026-12-01T10:00:00Z", base, 5, "old|<`s`>",
                     "p95(latency) < 200ms && `x` | <y>");
    f->new =
        result("shop|`2`\n\xff", "2026-12-02T10:00:00Z", new, 5, "svc", "p99(latency) < 300ms");
    f->new->verdict = LG_VERDICT_FAIL;
    struct lg_compare_opts o;
    lg_compare_opts_init(&o);
    o.allow_different_suite = true;
    char err[256] = "";
    assert_int_equal(lg_compare(f->base, f->new, &o, &f->c, err, sizeof(err)), 0);
    f->doc = (struct lg_cmp_doc){.c = f->c,
                                 .base = f->base,
                                 .new = f->new,
                                 .base_path = "base/r|<&>\".json",
                                 .new_path = "new/`r`\n\xff.json"};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    lg_comparison_free(f->c);
    lg_result_free(f->base);
    lg_result_free(f->new);
    free(f);
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct lg_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        lg_buf_append(&b, chunk, n);
    fclose(fp);
    *len = b.len;
    return b.data ? lg_buf_take(&b) : lg_strdup("");
}

/* Compares got (len bytes) with tests/data/cmp_reports/expected.EXT byte for byte;
 * on a mismatch writes got to cmp_reports.got.EXT and names the first differing byte. */
static void expect_bytes(const char *got, size_t len, const char *ext)
{
    char *path = lg_asprintf("%s/cmp_reports/expected.%s", LG_TEST_DATA, ext);
    size_t want_len = 0;
    char *want = slurp(path, &want_len);
    bool same = want && want_len == len && memcmp(want, got, len) == 0;
    if (!same) {
        char *out = lg_asprintf("cmp_reports.got.%s", ext);
        FILE *fp = fopen(out, "wb");
        if (fp) {
            fwrite(got, 1, len, fp);
            fclose(fp);
        }
        size_t i = 0;
        while (want && i < len && i < want_len && want[i] == got[i])
            i++;
        print_error("%s: differs at byte %zu (got %zu bytes, want %zu); got written to %s\n", path,
                    i, len, want_len, out);
        free(out);
    }
    free(want);
    free(path);
    assert_true(same);
    /* whatever bytes the names held, the report is UTF-8 */
    assert_int_equal(strlen(got), len);
    assert_true(lg_utf8_valid(got));
}

static void test_cmp_reports_statuses(void **state)
{
    struct fixture *f = *state;
    const struct lg_comparison *c = f->c;
    /* the fixture covers what it says: every status, the one-side lists */
    assert_int_equal(c->n_rows, 4);
    assert_string_equal(c->rows[0].step, "tiny");
    assert_string_equal(c->rows[1].step, HOSTILE);
    assert_int_equal(c->rows[0].cells[LG_CMP_P95].status, LG_CMP_INCONCLUSIVE);
    assert_int_equal(c->rows[1].cells[LG_CMP_P95].status, LG_CMP_REGRESSION);
    assert_int_equal(c->rows[1].cells[LG_CMP_ERROR_RATE].status, LG_CMP_REGRESSION);
    assert_int_equal(c->rows[2].cells[LG_CMP_P95].status, LG_CMP_OK);
    assert_int_equal(c->rows[3].cells[LG_CMP_P95].status, LG_CMP_IMPROVED);
    assert_int_equal(c->rows[3].cells[LG_CMP_P50].status, LG_CMP_NOT_JUDGED);
    assert_int_equal(c->only_base.n_steps, 1);
    assert_int_equal(c->only_new.n_steps, 1);
    assert_int_equal(c->only_base.n_scenarios, 1);
    assert_int_equal(c->only_base.n_thresholds, 1);
    assert_true(c->different_suite);
}

static void test_cmp_reports_text_bytes(void **state)
{
    struct fixture *f = *state;
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    assert_non_null(fp);
    lg_cmp_report_text(&f->doc, fp);
    assert_int_equal(fclose(fp), 0);
    expect_bytes(text, len, "txt");
    free(text);
}

static void test_cmp_reports_markdown_bytes(void **state)
{
    struct fixture *f = *state;
    char *md = lg_cmp_report_markdown(&f->doc);
    expect_bytes(md, strlen(md), "md");
    free(md);
}

static void test_cmp_reports_junit_bytes(void **state)
{
    struct fixture *f = *state;
    char *xml = lg_cmp_report_junit(&f->doc);
    expect_bytes(xml, strlen(xml), "xml");
    free(xml);
}

static void test_cmp_reports_json_bytes(void **state)
{
    struct fixture *f = *state;
    char *json = lg_cmp_report_json(&f->doc);
    expect_bytes(json, strlen(json), "json");
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cmp_reports_statuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmp_reports_text_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmp_reports_markdown_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmp_reports_junit_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cmp_reports_json_bytes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
