/* Unit tests for jsimd, differential against jansson: for hand-written documents,
 * hostile ones, the fuzz corpora and every prefix and one-byte mutation of them,
 * a body jsimd parses gives jansson's very tree (types, values, key order; see
 * jsame.h) and jansson accepts it too; a body jsimd leaves alone is jansson's to
 * judge (lg_jnum_loadb). The usual bodies do take the fast path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsimd.h"
#include "jnum.h"
#include "jsame.h"
#include "util.h"

/* What must hold for any body; returns whether jsimd parsed it. */
static bool differ_check(const char *s, size_t n)
{
    json_t *fast = lg_jsimd_loadb(s, n);
    if (!fast)
        return false;
    json_error_t err;
    json_t *ref = json_loadb(s, n, JSON_DECODE_ANY, &err);
    if (!ref)
        fail_msg("jsimd accepted what jansson refuses (%s): %.*s", err.text,
                 (int)(n < 200 ? n : 200), s);
    if (!jsame(fast, ref))
        fail_msg("jsimd's tree differs from jansson's: %.*s", (int)(n < 200 ? n : 200), s);
    json_decref(fast);
    json_decref(ref);
    return true;
}

static void fast_ok(const char *s)
{
    if (!differ_check(s, strlen(s)))
        fail_msg("jsimd left a usual body to jansson: %s", s);
}

static void left_to_jansson(const char *s, size_t n)
{
    json_t *fast = lg_jsimd_loadb(s, n);
    if (fast)
        fail_msg("jsimd parsed %.*s", (int)(n < 200 ? n : 200), s);
}

static void test_usual_documents(void **state)
{
    (void)state;
    static const char *docs[] = {
        "{}",
        "[]",
        "0",
        "-0",
        "1",
        "-1",
        "123456789012345678",
        "-123456789012345678",
        "1234567890123456789",
        "9223372036854775807",
        "-9223372036854775808",
        "1.0",
        "-0.0",
        "1e2",
        "1E+2",
        "1e-2",
        "0.1",
        "2.5e-308",
        "1e-400",
        "1.7976931348623157e308",
        "\"\"",
        "\"abc\"",
        "true",
        "false",
        "null",
        " \t\r\n[1, 2 ,3 ] \n",
        "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
        "{\"a\":1,\"b\":2,\"a\":3}", /* last value, first place */
        "{\"a\":{\"x\":1},\"a\":[2]}",
        "{\"\":0}",
        "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\\u20AC\\ud83d\\ude00\"",
        "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
        "{\"k\\u00e9y\":\"v\",\"key\":\"\\u0041\"}",
        "[[[[[[[[[[]]]]]]]]]]",
        "{\"season\":\"2025-s1\",\"total\":50,\"entries\":[{\"rank\":1,\"playerId\":\"demo-02\","
        "\"score\":10}]}",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
        fast_ok(docs[i]);
    /* -0 is jansson's integer 0; 1.0 and 1e2 are reals */
    json_t *v = lg_jsimd_loadb("[-0,1.0,1e2]", 12);
    assert_true(json_is_integer(json_array_get(v, 0)));
    assert_true(json_is_real(json_array_get(v, 1)));
    assert_true(json_is_real(json_array_get(v, 2)));
    json_decref(v);
}

/* Bodies jsimd leaves to jansson: what jansson refuses, and what it reads its own
 * way (numbers out of range, \u0000, deep nesting). */
static void test_left_to_jansson(void **state)
{
    (void)state;
    static const char *docs[] = {
        "",
        " ",
        "[",
        "]",
        "{",
        "{\"a\"}",
        "{\"a\" 1}",
        "{\"a\":}",
        "{a:1}",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{\"a\":1,}",
        "01",
        "-01",
        "1.",
        ".5",
        "+1",
        "-",
        "1e",
        "1e+",
        "--1",
        "0x10",
        "tru",
        "truex",
        "nul",
        "True",
        "NaN",
        "Infinity",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        "\"\\u0000\"",
        "{\"\\u0000\":1}",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\t\"",
        "\"\n\"",
        "\"\x01\"",
        "\"\xc0\x80\"",
        "\"\xc3\"",
        "\"\xed\xa0\x80\"",
        "\"\xf5\x80\x80\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xe0\x80\xaf\"",
        "\"\x80\"",
        "\xef\xbb\xbf{}",
        "1 2",
        "{} {}",
        "[1]x",
        "9223372036854775808",
        "18446744073709551615",
        "100000000000000000000000",
        "1e400",
        "-1e400",
        "[1e309]",
        "/* */ 1",
        "'a'",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
        left_to_jansson(docs[i], strlen(docs[i]));
    left_to_jansson("[1]\0", 4);
    left_to_jansson("\"a\0b\"", 5);
    left_to_jansson("1\0", 2);
}

static char *repeat(const char *open, const char *mid, const char *close, size_t n, size_t *len)
{
    size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
    char *s = lg_malloc(n * (lo + lc) + lm + 1), *p = s;
    for (size_t i = 0; i < n; i++, p += lo)
        memcpy(p, open, lo);
    memcpy(p, mid, lm);
    p += lm;
    for (size_t i = 0; i < n; i++, p += lc)
        memcpy(p, close, lc);
    *p = '\0';
    *len = (size_t)(p - s);
    return s;
}

/* Deep nesting: 1,023 levels are jsimd's (within simdjson's default depth), deeper ones
 * jansson's (which refuses beyond 2048 with its own message). */
static void test_nesting(void **state)
{
    (void)state;
    size_t n;
    char *s = repeat("[", "1", "]", 1023, &n);
    assert_true(differ_check(s, n));
    free(s);
    s = repeat("{\"a\":", "1", "}", 1024, &n);
    left_to_jansson(s, n);
    free(s);
    /* an empty innermost array is no level of its own to simdjson: 1,024 are its */
    s = repeat("[", "", "]", 1024, &n);
    assert_true(differ_check(s, n));
    free(s);
    s = repeat("[", "", "]", 1025, &n);
    left_to_jansson(s, n);
    free(s);
    s = repeat("{\"a\":", "1", "}", 2000, &n);
    json_t *deep = lg_jnum_loadb(s, n, NULL);
    assert_non_null(deep); /* jansson's, and still parsed */
    json_decref(deep);
    free(s);
    s = repeat("[", "", "]", 5000, &n);
    left_to_jansson(s, n);
    json_error_t e1, e2;
    json_t *j = lg_jnum_loadb(s, n, &e1);
    assert_null(j);
    assert_null(json_loadb(s, n, JSON_DECODE_ANY, &e2));
    assert_string_equal(e1.text, e2.text);
    assert_int_equal(e1.position, e2.position);
    free(s);
}

/* A body of usual JSON up to 256 KiB is jsimd's and the same as jansson's; a
 * 10 MB one is jansson's (the parser keeps its capacity for the thread's life);
 * cut short, either is refused. */
static void test_big_body(void **state)
{
    (void)state;
    struct lg_buf b = {0};
    lg_buf_puts(&b, "{\"rows\":[");
    size_t rows = 0;
    for (int i = 0; b.len < 10u << 20; i++, rows++)
        lg_buf_printf(&b, "%s{\"id\":%d,\"name\":\"row-%d\",\"x\":%d.5,\"ok\":true}", i ? "," : "",
                      i, i, i);
    lg_buf_puts(&b, "]}");
    left_to_jansson(b.data, b.len);
    json_t *big = lg_jnum_loadb(b.data, b.len, NULL);
    assert_non_null(big);
    assert_int_equal(json_array_size(json_object_get(big, "rows")), rows);
    json_decref(big);
    left_to_jansson(b.data, b.len - 1);
    assert_null(lg_jnum_loadb(b.data, b.len - 1, NULL));
    lg_buf_reset(&b);
    lg_buf_puts(&b, "{\"rows\":[");
    for (int i = 0; b.len < (256u << 10) - 100; i++)
        lg_buf_printf(&b, "%s{\"id\":%d,\"name\":\"row-%d\",\"x\":%d.5,\"ok\":true}", i ? "," : "",
                      i, i, i);
    lg_buf_puts(&b, "]}");
    assert_true(differ_check(b.data, b.len));
    left_to_jansson(b.data, b.len - 1);
    assert_null(json_loadb(b.data, b.len - 1, JSON_DECODE_ANY, NULL));
    lg_buf_free(&b);
}

/* bytes replacing one byte of a body: each a way of breaking JSON, or of changing
 * what a number or a string is */
static const char mutations[] = {'"',  '\\',   '0',    '9',    '-',    '.',    'e',    '}',
                                 ']',  '{',    '[',    ',',    ':',    ' ',    'u',    'n',
                                 '\0', '\x01', '\x7f', '\x80', '\xc3', '\xed', '\xf4', '\xff'};

static size_t diff_all(const char *s, size_t n, size_t *fast)
{
    size_t cases = 0;
    *fast += differ_check(s, n);
    cases++;
    if (n > 4096)
        return cases;
    for (size_t k = 0; k < n; k++, cases++)
        differ_check(s, k); /* every truncation */
    if (n > 2048)
        return cases;
    char *m = lg_malloc(n);
    memcpy(m, s, n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < sizeof(mutations); j++, cases++) {
            m[i] = mutations[j];
            differ_check(m, n);
        }
        m[i] = s[i];
    }
    free(m);
    return cases;
}

static void diff_dir(const char *dir, size_t *files, size_t *fast, size_t *cases)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot read %s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1536];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        struct lg_buf b = {0};
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            lg_buf_append(&b, chunk, n);
        fclose(f);
        *cases += diff_all(b.data ? b.data : "", b.len, fast);
        (*files)++;
        lg_buf_free(&b);
    }
    closedir(d);
}

/* The fuzz corpora of the targets that read JSON, and the result files. */
static void test_corpus(void **state)
{
    (void)state;
    static const char *dirs[] = {"/../fuzz/corpus/response", "/../fuzz/corpus/jsonpath",
                                 "/../fuzz/corpus/result", "/reports"};
    size_t files = 0, fast = 0, cases = 0;
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        char dir[1024];
        snprintf(dir, sizeof(dir), "%s%s", LG_TEST_DATA, dirs[i]);
        diff_dir(dir, &files, &fast, &cases);
    }
    print_message("%zu files, %zu parsed by jsimd, %zu bodies compared\n", files, fast, cases);
    assert_true(files >= 20);
    assert_true(fast >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usual_documents), cmocka_unit_test(test_left_to_jansson),
        cmocka_unit_test(test_nesting),         cmocka_unit_test(test_big_body),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
