/* Unit tests for util (durations, buffers, PRNG), diag (FILE:LINE:COL output),
 * secrets and url (schemes, userinfo redaction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "secrets.h"
#include "slice.h"
#include "url.h"
#include "util.h"

static void test_util_duration_units(void **state)
{
    int64_t us = -1;
    assert_int_equal(lg_parse_duration_us("500ms", 0, &us), 0);
    assert_int_equal(us, 500000);
    assert_int_equal(lg_parse_duration_us("1.5s", 0, &us), 0);
    assert_int_equal(us, 1500000);
    assert_int_equal(lg_parse_duration_us("2m", 0, &us), 0);
    assert_int_equal(us, 120000000);
    assert_int_equal(lg_parse_duration_us("1h", 0, &us), 0);
    assert_int_equal(us, 3600000000LL);
    assert_int_equal(lg_parse_duration_us("250us", 0, &us), 0);
    assert_int_equal(us, 250);
    assert_int_equal(lg_parse_duration_us("0s", 0, &us), 0);
    assert_int_equal(us, 0);
}

static void test_util_duration_refuses_bad_input(void **state)
{
    int64_t us = 7;
    const char *bad[] = {"", "soon", "-5s", "5", "5 s", "5sec", "s", "1e300h", "+3s", "nanms"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(lg_parse_duration_us(bad[i], 0, &us), LG_ESYNTAX);
    assert_int_equal(us, 7);
    assert_int_equal(lg_parse_duration_us(NULL, 0, &us), LG_ESYNTAX);
}

static void test_util_duration_bare_number_uses_given_unit(void **state)
{
    int64_t us;
    assert_int_equal(lg_parse_duration_us("300", 1000, &us), 0);
    assert_int_equal(us, 300000);
}

static void test_util_fmt_duration(void **state)
{
    char b[32];
    assert_string_equal(lg_fmt_duration(812, b, sizeof(b)), "812us");
    assert_string_equal(lg_fmt_duration(250000, b, sizeof(b)), "250ms");
    assert_string_equal(lg_fmt_duration(1234, b, sizeof(b)), "1.234ms");
    assert_string_equal(lg_fmt_duration(1500000, b, sizeof(b)), "1.5s");
    assert_string_equal(lg_fmt_duration(120000000, b, sizeof(b)), "2m");
    assert_string_equal(lg_fmt_duration(150000000, b, sizeof(b)), "2m30s");
}

static void test_util_rate_forms(void **state)
{
    double v = -1;
    assert_int_equal(lg_parse_rate_per_s("50/s", &v), 0);
    assert_true(v == 50);
    assert_int_equal(lg_parse_rate_per_s("3000/m", &v), 0);
    assert_true(v == 50);
    assert_int_equal(lg_parse_rate_per_s("7200/h", &v), 0);
    assert_true(v == 2);
    assert_int_equal(lg_parse_rate_per_s("0.5", &v), 0);
    assert_true(v == 0.5);
    assert_int_equal(lg_parse_rate_per_s("0/s", &v), 0);
    assert_true(v == 0);
    assert_int_equal(lg_parse_rate_per_s("10000000/s", &v), 0);
    assert_true(v == 1e7);
}

static void test_util_rate_refuses_bad_input(void **state)
{
    double v = 7;
    const char *bad[] = {"",      "/s",     "soon", "1e3/s", "+5",  "-5/s", " 50",
                         "50 /s", "50/sec", "inf",  "nan",   "5/d", ".",    "1..2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        if (lg_parse_rate_per_s(bad[i], &v) != LG_ESYNTAX)
            fail_msg("'%s' was accepted", bad[i]);
    assert_int_equal(lg_parse_rate_per_s("10000001", &v), LG_ELIMIT);
    assert_true(v == 7);
}

static void test_util_url_is_absolute(void **state)
{
    assert_true(lg_url_is_absolute("http://a/"));
    assert_true(lg_url_is_absolute("HTTPS://a/b"));
    assert_false(lg_url_is_absolute("/v1/x"));
    assert_false(lg_url_is_absolute("ftp://a/"));
    assert_false(lg_url_is_absolute("http:/a"));
    assert_false(lg_url_is_absolute(""));
}

static void test_util_parse_size(void **state)
{
    uint64_t v = 0;
    assert_int_equal(lg_parse_size("8MiB", &v), LG_OK);
    assert_int_equal(v, 8388608);
    assert_int_equal(lg_parse_size("1048576", &v), LG_OK);
    assert_int_equal(v, 1048576);
    assert_int_equal(lg_parse_size("500kB", &v), LG_OK);
    assert_int_equal(v, 500000);
    assert_int_equal(lg_parse_size("2GB", &v), LG_OK);
    assert_int_equal(v, 2000000000);
    assert_int_equal(lg_parse_size("3KiB", &v), LG_OK);
    assert_int_equal(v, 3072);
    assert_int_equal(lg_parse_size("1024GiB", &v), LG_OK);
    assert_int_equal(v, 1ULL << 40);
    assert_int_equal(lg_parse_size("0", &v), LG_OK);
    assert_int_equal(v, 0);
    assert_int_equal(lg_parse_size("1025GiB", &v), LG_ELIMIT);
    assert_int_equal(lg_parse_size("9999999999999999", &v), LG_ELIMIT);
    assert_int_equal(lg_parse_size("", &v), LG_ESYNTAX);
    assert_int_equal(lg_parse_size("MiB", &v), LG_ESYNTAX);
    assert_int_equal(lg_parse_size("1.5MiB", &v), LG_ESYNTAX);
    assert_int_equal(lg_parse_size("-1", &v), LG_ESYNTAX);
    assert_int_equal(lg_parse_size("8 MiB", &v), LG_ESYNTAX);
    assert_int_equal(lg_parse_size("8mib", &v), LG_ESYNTAX);
}

static void test_util_parse_uint(void **state)
{
    unsigned long long v;
    assert_int_equal(lg_parse_uint("42", 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(lg_parse_uint("101", 100, &v), LG_ESYNTAX);
    assert_int_equal(lg_parse_uint("-5", 100, &v), LG_ESYNTAX);
    assert_int_equal(lg_parse_uint("4x", 100, &v), LG_ESYNTAX);
    assert_int_equal(lg_parse_uint("", 100, &v), LG_ESYNTAX);
}

static void test_util_buf_grows_and_stays_terminated(void **state)
{
    struct lg_buf b = {0};
    for (int i = 0; i < 1000; i++)
        lg_buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 2000);
    assert_int_equal(b.data[b.len], '\0');
    assert_memory_equal(b.data, "0,1,2,", 6);
    lg_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    lg_buf_puts(&b, "ab");
    lg_buf_putc(&b, 'c');
    char *s = lg_buf_take(&b);
    assert_string_equal(s, "abc");
    assert_null(b.data);
    free(s);
}

static void test_util_rng_is_deterministic_and_in_range(void **state)
{
    struct lg_rng a, b;
    lg_rng_seed(&a, 42);
    lg_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++)
        assert_int_equal(lg_rng_next(&a), lg_rng_next(&b));
    int seen[5] = {0};
    for (int i = 0; i < 10000; i++) {
        int64_t v = lg_rng_range(&a, 3, 7);
        assert_true(v >= 3 && v <= 7);
        seen[v - 3]++;
        double d = lg_rng_double(&a);
        assert_true(d >= 0 && d < 1);
    }
    for (int i = 0; i < 5; i++)
        assert_true(seen[i] > 1500); /* each of 5 values near 2000 */
}

static void test_diag_prints_file_line_col(void **state)
{
    struct lg_diags d = {0};
    lg_diags_add(&d, "a.yaml", 3, 7, "unknown key '%s'", "expct");
    lg_diags_add(&d, "b.yaml", 0, 0, "cannot read: %s", "No such file or directory");
    lg_diags_add(&d, NULL, 0, 0, "bad");
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    lg_diags_print(&d, f);
    fclose(f);
    assert_string_equal(out, "a.yaml:3:7: error: unknown key 'expct'\n"
                             "b.yaml: error: cannot read: No such file or directory\n"
                             "error: bad\n");
    free(out);
    lg_diags_free(&d);
    assert_int_equal(d.n, 0);
}

/* Secrets are kept longest first, once each; the longest one at a place wins. */
static void test_util_secrets_longest_first(void **state)
{
    (void)state;
    struct lg_secrets sec = {0};
    assert_int_equal(lg_secrets_match(NULL, "abc", 3), 0);
    lg_secrets_add(&sec, "abc", 3);
    lg_secrets_add(&sec, "", 0); /* ignored */
    lg_secrets_add(&sec, "abcdef", 6);
    lg_secrets_add(&sec, "abc", 3); /* already held */
    lg_secrets_add(&sec, "xy", 2);
    lg_secrets_add(&sec, "a\0b", 3); /* bytes, not C strings: a different one */
    assert_int_equal(sec.n, 4);
    assert_string_equal(sec.vals[0], "abcdef");
    assert_int_equal(sec.lens[3], 2);
    assert_int_equal(lg_secrets_match(&sec, "abcdefgh", 8), 6);
    assert_int_equal(lg_secrets_match(&sec, "abcdx", 5), 3);
    assert_int_equal(lg_secrets_match(&sec, "abcdef", 5), 3); /* only 5 bytes there */
    assert_int_equal(lg_secrets_match(&sec, "ab", 2), 0);
    assert_int_equal(lg_secrets_match(&sec, "a\0bc", 4), 3);
    assert_int_equal(lg_secrets_match(&sec, "zabc", 4), 0); /* only at the place given */
    lg_secrets_free(&sec);
    assert_int_equal(sec.n, 0);
    lg_secrets_free(NULL);
}

static void test_util_url_kind_by_scheme(void **state)
{
    (void)state;
    size_t n = 99;
#define KIND(s) lg_url_kind((s), strlen(s), &n)
    assert_int_equal(KIND("http://h/x"), LG_URL_HTTP);
    assert_int_equal(n, 4);
    assert_int_equal(KIND("HTTPS://h"), LG_URL_HTTP);
    assert_int_equal(n, 5);
    assert_int_equal(KIND("/file:///etc/hostname"), LG_URL_RELATIVE);
    assert_int_equal(n, 0);
    assert_int_equal(KIND("items?next=http://h"), LG_URL_RELATIVE);
    assert_int_equal(KIND("127.0.0.1:8080/x"), LG_URL_RELATIVE);
    assert_int_equal(KIND(""), LG_URL_RELATIVE);
    assert_int_equal(KIND("file:///etc/hostname"), LG_URL_OTHER);
    assert_int_equal(n, 4);
    assert_int_equal(KIND("gopher://h/"), LG_URL_OTHER);
    assert_int_equal(KIND("svn+ssh://h/"), LG_URL_OTHER);
    assert_int_equal(n, 7);
    assert_int_equal(KIND("localhost:8080/x"), LG_URL_OTHER);
    assert_int_equal(KIND("https:h"), LG_URL_OTHER);
    assert_int_equal(KIND("http:/h"), LG_URL_OTHER);
#undef KIND
    assert_true(lg_url_scheme_is_http("HttP", 4));
    assert_false(lg_url_scheme_is_http("httpx", 5));
}

static void test_util_url_redact_userinfo(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"https://user:pa55@host:8443/p?q=1", "https://user:***@host:8443/p?q=1"},
        {"http://tok3n@host", "http://***@host"},
        {"http://u:p@ss@host/x@y", "http://u:***@host/x@y"},
        {"http://host/a@b", "http://host/a@b"},
        {"http://u:@host", "http://u:@host"},
        {"https://host", "https://host"},
        {"not a url", "not a url"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *r = lg_url_redact(cases[i][0]);
        assert_string_equal(r, cases[i][1]);
        free(r);
    }
    assert_null(lg_url_redact(NULL));
    size_t len = 0;
    const char *url = "http://u:p@ss@host";
    assert_ptr_equal(lg_url_userinfo_secret(url, &len), url + 9);
    assert_int_equal(len, 4);
}

/* The password as the server gets it (decoded) and as libcurl sends it (Basic
 * credentials) are secrets too: a response may quote either. */
static void test_util_url_userinfo_secrets_decoded(void **state)
{
    (void)state;
    struct lg_secrets sec = {0};
    lg_url_userinfo_secrets("http://bob:hunter%402@host/x", &sec);
    const char *seen = "was \"hunter@2\"";
    assert_int_equal(lg_secrets_match(&sec, seen + 5, strlen(seen + 5)), 8);
    assert_int_equal(lg_secrets_match(&sec, "hunter%402", 10), 10);
    /* base64("bob:hunter@2") */
    assert_int_equal(lg_secrets_match(&sec, "Ym9iOmh1bnRlckAy", 16), 16);
    assert_int_equal(sec.n, 3);
    lg_secrets_free(&sec);
    lg_url_userinfo_secrets("http://tok3n@host", &sec);
    assert_int_equal(lg_secrets_match(&sec, "tok3n", 5), 5);
    assert_int_equal(lg_secrets_match(&sec, "dG9rM246", 8), 8); /* base64("tok3n:") */
    lg_secrets_free(&sec);
    lg_url_userinfo_secrets("http://host/a@b", &sec);
    assert_int_equal(sec.n, 0);
    lg_secrets_free(&sec);
}

static void test_util_url_base_problem(void **state)
{
    (void)state;
    assert_null(lg_url_base_problem("HTTPS://u:p%40ss@API.example.com:8443/v1/"));
    assert_null(lg_url_base_problem("http://[::1]:8080"));
    static const char *const bad[] = {"http://127.0.0.1:99999", "https://",
                                      "http://u:p@ss@host",     "http://exa mple",
                                      "http://host/?a=1",       "http://host#x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_non_null(lg_url_base_problem(bad[i]));
}

static void test_util_secrets_header_names(void **state)
{
    (void)state;
    static const char *const secret[] = {"Authorization", "proxy-authorization", "Cookie",
                                         "X-Api-Key",     "x-auth-token",        "X-Secret",
                                         "X-Session-Id",  "X-Password",          "X-Credentials"};
    static const char *const plain[] = {"Accept", "X-Trace", "User-Agent", "Content-Type",
                                        "Keep-Alive"};
    for (size_t i = 0; i < sizeof(secret) / sizeof(*secret); i++)
        assert_true(lg_secrets_header_name(secret[i]));
    for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
        assert_false(lg_secrets_header_name(plain[i]));
}

/* --segment K/N: exactly two decimal integers, 1 <= K <= N <= 1000. */
static void test_util_slice_parse(void **state)
{
    struct lg_slice sl;
    assert_int_equal(lg_slice_parse("2/3", &sl), 0);
    assert_int_equal(sl.index, 1);
    assert_int_equal(sl.count, 3);
    assert_int_equal(lg_slice_parse("1/1", &sl), 0);
    assert_true(lg_slice_whole(sl));
    assert_int_equal(lg_slice_parse("1000/1000", &sl), 0);
    assert_int_equal(sl.index, 999);
    assert_false(lg_slice_whole(sl));
    static const char *const bad[] = {
        "0/3", "4/3",  "1/0",  "a/b",  "1/3x", "-1/3", "1/1001", "3",           "",        "1/",
        "/3",  "1//3", " 1/3", "1/ 3", "+1/3", "1/3 ", "1.0/3",  "10000/10000", "00001/3", "1/3/3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sl = (struct lg_slice){7, 7};
        assert_int_equal(lg_slice_parse(bad[i], &sl), LG_ESYNTAX);
        assert_int_equal(sl.index, 7); /* untouched */
    }
    assert_int_equal(lg_slice_parse(NULL, &sl), LG_ESYNTAX);
}

/* The N slices of 0 .. total - 1: shares that sum to total and differ by at most
 * one, and items (lg_slice_global of each local index) that are disjoint, cover
 * every item once and are each lg_slice_has of their slice only. */
static void test_util_slice_shares_sum_and_are_disjoint(void **state)
{
    static const uint64_t totals[] = {0, 1, 2, 3, 5, 6, 7, 10, 13, 23, 97, 100, 1001};
    for (uint32_t n = 1; n <= 7; n++) {
        for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
            uint64_t total = totals[t], sum = 0;
            unsigned char *seen = calloc(total + 1, 1);
            for (uint32_t k = 0; k < n; k++) {
                struct lg_slice sl = {k, n};
                uint64_t share = lg_slice_share(sl, total);
                assert_true(share == total / n || share == total / n + 1);
                sum += share;
                for (uint64_t l = 0; l < share; l++) {
                    uint64_t g = lg_slice_global(sl, l);
                    assert_true(g < total);
                    assert_int_equal(seen[g], 0);
                    seen[g] = 1;
                    assert_true(lg_slice_has(sl, g));
                    for (uint32_t o = 0; o < n; o++)
                        if (o != k)
                            assert_false(lg_slice_has((struct lg_slice){o, n}, g));
                }
                /* the share is exactly the items below total */
                assert_true(lg_slice_global(sl, share) >= total);
            }
            assert_int_equal(sum, total);
            for (uint64_t g = 0; g < total; g++)
                assert_int_equal(seen[g], 1);
            free(seen);
        }
    }
    /* exact figures: 5 VUs over 3 segments are 2, 2, 1; 23 iterations 8, 8, 7 */
    assert_int_equal(lg_slice_share((struct lg_slice){0, 3}, 5), 2);
    assert_int_equal(lg_slice_share((struct lg_slice){1, 3}, 5), 2);
    assert_int_equal(lg_slice_share((struct lg_slice){2, 3}, 5), 1);
    assert_int_equal(lg_slice_share((struct lg_slice){2, 3}, 23), 7);
    assert_int_equal(lg_slice_share((struct lg_slice){3, 4}, 2), 0);
    assert_int_equal(lg_slice_global((struct lg_slice){2, 3}, 4), 14);
    /* the whole run: no --segment, or 1/1 */
    assert_int_equal(lg_slice_share((struct lg_slice){0, 0}, 23), 23);
    assert_int_equal(lg_slice_global((struct lg_slice){0, 0}, 4), 4);
    assert_true(lg_slice_has((struct lg_slice){0, 0}, 5));
    /* max_rate / N: the parts sum to the cap */
    assert_true(lg_slice_rate((struct lg_slice){1, 4}, 100) == 25);
    assert_true(lg_slice_rate((struct lg_slice){0, 1}, 100) == 100);
}

/* --start-at: RFC 3339 with a zone, or Unix seconds with a fraction. */
static void test_util_parse_instant(void **state)
{
    static const struct {
        const char *in;
        int64_t ms;
    } good[] = {
        {"2026-12-06T14:00:00Z", 1796565600000},
        {"2026-12-06T15:00:00.250+01:00", 1796565600250},
        {"2026-12-06t14:00:00z", 1796565600000},
        {"2026-12-06 09:30:00.5-04:30", 1796565600500},
        {"2026-12-06T14:00:00.123456789Z", 1796565600123},
        {"2028-02-29T00:00:00Z", 1835395200000},
        {"1970-01-01T00:00:00Z", 0},
        {"1796565600", 1796565600000},
        {"1796565600.25", 1796565600250},
        {"1796565600.0019", 1796565600001},
        {"0", 0},
        {"9999-12-31T23:59:59.999Z", 253402300799999},
        {"253402300799", 253402300799000},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int64_t ms = -1;
        assert_int_equal(lg_parse_instant_ms(good[i].in, &ms), 0);
        assert_int_equal(ms, good[i].ms);
    }
    static const char *const bad[] = {
        "",
        "now",
        "-1",
        "+1796565600",
        "1796565600.",
        "1796565600.x",
        "1796565600s",
        " 1796565600",
        "1796565600000", /* milliseconds: past year 9999 */
        "253402300800",
        "2026-12-06T14:00:00", /* no zone: ambiguous */
        "2026-12-06T14:00Z",   /* no seconds */
        "2026-12-06",
        "2026-13-06T14:00:00Z",
        "2026-02-29T14:00:00Z", /* not a leap year */
        "2026-12-32T14:00:00Z",
        "2026-12-06T24:00:00Z",
        "2026-12-06T14:60:00Z",
        "2026-12-06T14:00:60Z", /* leap second */
        "2026-12-06T14:00:00.Z",
        "2026-12-06T14:00:00+0100",
        "2026-12-06T14:00:00+24:00",
        "2026-12-06T14:00:00Z ",
        "2026-12-06X14:00:00Z",
        "1969-12-31T23:59:59Z",
        "1970-01-01T00:30:00+01:00", /* before 1970 */
        "26-12-06T14:00:00Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ms = 42;
        assert_int_equal(lg_parse_instant_ms(bad[i], &ms), LG_ESYNTAX);
        assert_int_equal(ms, 42);
    }
    assert_int_equal(lg_parse_instant_ms(NULL, NULL), LG_ESYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util_duration_units),
        cmocka_unit_test(test_util_duration_refuses_bad_input),
        cmocka_unit_test(test_util_duration_bare_number_uses_given_unit),
        cmocka_unit_test(test_util_fmt_duration),
        cmocka_unit_test(test_util_rate_forms),
        cmocka_unit_test(test_util_rate_refuses_bad_input),
        cmocka_unit_test(test_util_url_is_absolute),
        cmocka_unit_test(test_util_parse_uint),
        cmocka_unit_test(test_util_slice_parse),
        cmocka_unit_test(test_util_slice_shares_sum_and_are_disjoint),
        cmocka_unit_test(test_util_parse_instant),
        cmocka_unit_test(test_util_parse_size),
        cmocka_unit_test(test_util_buf_grows_and_stays_terminated),
        cmocka_unit_test(test_util_rng_is_deterministic_and_in_range),
        cmocka_unit_test(test_diag_prints_file_line_col),
        cmocka_unit_test(test_util_secrets_longest_first),
        cmocka_unit_test(test_util_url_kind_by_scheme),
        cmocka_unit_test(test_util_url_redact_userinfo),
        cmocka_unit_test(test_util_url_userinfo_secrets_decoded),
        cmocka_unit_test(test_util_url_base_problem),
        cmocka_unit_test(test_util_secrets_header_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
