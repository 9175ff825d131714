/* Unit tests for jnum: documents with numbers beyond jansson's range parse with
 * those numbers kept as text, byte for byte; documents jansson accepts parse as
 * jansson parses them; errors keep jansson's message and name their place in the
 * body; numbers compare exactly; dumps show literals unquoted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jnum.h"

static json_t *load(const char *s, json_error_t *err)
{
    return lg_jnum_loadb(s, strlen(s), err);
}

static json_t *load_ok(const char *s)
{
    json_error_t err;
    json_t *j = load(s, &err);
    if (!j)
        fail_msg("%s: %s at %d", s, err.text, err.position);
    return j;
}

/* v as text by lg_jnum_dump (compact); caller frees. */
static char *dump(const json_t *v)
{
    struct lg_buf b = {0};
    lg_jnum_dump(v, JSON_COMPACT, &b);
    return lg_buf_take(&b);
}

static void assert_literal(const json_t *v, const char *want)
{
    size_t n = 0;
    const char *lit = lg_jnum_literal(v, &n);
    assert_non_null(lit);
    assert_string_equal(lit, want);
    assert_int_equal(n, strlen(want));
    assert_true(lg_jnum_is_text(v));
    assert_true(lg_jnum_is_number(v));
}

static void test_jnum_accepted_documents_parse_as_jansson_parses_them(void **state)
{
    const char *docs[] = {
        "{\"a\": 1, \"b\": -9223372036854775808, \"c\": 9223372036854775807, \"d\": 1.5e308,"
        " \"e\": 1e-400, \"s\": \"x\", \"l\": [true, null, 0.1]}",
        "42",
        "\"text\"",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_t *ours = load_ok(docs[i]);
        json_t *theirs = json_loads(docs[i], JSON_DECODE_ANY, NULL);
        assert_non_null(theirs);
        assert_true(json_equal(ours, theirs));
        json_decref(ours);
        json_decref(theirs);
    }
}

static void test_jnum_integers_beyond_int64_are_kept_as_text(void **state)
{
    json_t *j = load_ok("{\"wei\": 1000000000000000000000, \"id\": 9223372036854775808,"
                        " \"debt\": -9223372036854775809, \"max\": 9223372036854775807,"
                        " \"min\": -9223372036854775808, \"n\": 5}");
    assert_literal(json_object_get(j, "wei"), "1000000000000000000000");
    assert_literal(json_object_get(j, "id"), "9223372036854775808");
    assert_literal(json_object_get(j, "debt"), "-9223372036854775809");
    assert_true(json_is_integer(json_object_get(j, "max")));
    assert_int_equal(json_integer_value(json_object_get(j, "max")), INT64_MAX);
    assert_int_equal(json_integer_value(json_object_get(j, "min")), INT64_MIN);
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 5);
    json_decref(j);
}

static void test_jnum_reals_beyond_a_double_are_kept_as_text(void **state)
{
    json_t *j = load_ok("[1e309, -1.5E+400, 1.7976931348623157e308, 1.8e308, 0.5, 1e-400]");
    assert_literal(json_array_get(j, 0), "1e309");
    assert_literal(json_array_get(j, 1), "-1.5E+400");
    assert_true(json_is_real(json_array_get(j, 2))); /* DBL_MAX itself fits */
    assert_literal(json_array_get(j, 3), "1.8e308");
    assert_true(json_real_value(json_array_get(j, 4)) == 0.5);
    assert_true(json_real_value(json_array_get(j, 5)) == 0.0); /* underflow: jansson's 0 */
    json_decref(j);

    j = load_ok(" 1e400 "); /* a whole body */
    assert_literal(j, "1e400");
    json_decref(j);
}

static void test_jnum_strings_and_keys_are_left_alone(void **state)
{
    json_t *j = load_ok("{\"1e400\": \"1e400\", \"q\": \"say \\\"1e400\\\" \\\\\", \"big\": 1e400,"
                        " \"esc\": \"\\\\u0000\", \"t\": [\"99999999999999999999\"]}");
    assert_string_equal(json_string_value(json_object_get(j, "1e400")), "1e400");
    assert_false(lg_jnum_is_text(json_object_get(j, "1e400")));
    assert_string_equal(json_string_value(json_object_get(j, "q")), "say \"1e400\" \\");
    assert_literal(json_object_get(j, "big"), "1e400");
    /* an escaped backslash before u0000 is text, not a NUL */
    assert_string_equal(json_string_value(json_object_get(j, "esc")), "\\u0000");
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "t"), 0)),
                        "99999999999999999999");
    json_decref(j);
}

static void test_jnum_a_nul_in_a_string_is_refused_as_jansson_refuses_it(void **state)
{
    json_error_t err;
    /* NUL only ever starts a number kept as text: a document with a real one stays
     * "not JSON", as it is for jansson without the big number. */
    const char *doc = "{\"a\": 1e400, \"b\": \"x\\u0000\"}";
    assert_null(load(doc, &err));
    assert_int_equal(json_error_code(&err), json_error_null_character);
    assert_string_equal(err.text, "\\u0000 is not allowed in a string");
    assert_int_equal(err.position, 20); /* the backslash */
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 20);

    /* before the big number, jansson itself refuses it first */
    assert_null(load("[\"\\u0000\", 1e400]", &err));
    assert_int_equal(json_error_code(&err), json_error_null_character);
}

static void test_jnum_errors_name_the_place_in_the_body(void **state)
{
    /* The same document with an in-range number of the same length: jansson's own
     * error is the one we must give, at the same place. */
    const char *ours = "{\"a\": 1e400,\n \"b\": [1e500 2]}";
    const char *same = "{\"a\": 12345,\n \"b\": [12345 2]}";
    json_error_t e1, e2;
    assert_null(load(ours, &e1));
    assert_null(json_loads(same, JSON_DECODE_ANY, &e2));
    assert_string_equal(e1.text, e2.text);
    assert_string_equal(e1.text, "']' expected near '2'");
    assert_int_equal(e1.position, e2.position);
    assert_int_equal(e1.line, 2);
    assert_int_equal(e1.column, e2.column);
    assert_int_equal(json_error_code(&e1), json_error_invalid_syntax);

    /* the token jansson stopped at is the big number itself: named as written */
    assert_null(load("[1 1e400]", &e1));
    assert_string_equal(e1.text, "']' expected near '1e400'");
    assert_int_equal(e1.position, 8);

    /* a number as an object key is no key */
    assert_null(load("{\"a\": 1e400, 1e400: 2}", &e1));
    assert_string_equal(e1.text, "real number overflow near '1e400'");
    assert_int_equal(e1.position, 18);

    /* err may be NULL */
    assert_null(lg_jnum_loadb("[1e400", 6, NULL));
}

static void test_jnum_new_takes_only_json_number_literals(void **state)
{
    const char *bad[] = {"", "01", "1.", "+1", ".5", "1e", "1e+", "-", "0x10", "1 ", "inf"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_null(lg_jnum_new(bad[i], strlen(bad[i])));
    json_t *v = lg_jnum_new("-12.5e-3", 8);
    assert_literal(v, "-12.5e-3");
    json_decref(v);

    /* strings that merely start with NUL are not numbers */
    json_t *s = json_stringn("\0abc", 4), *nul = json_stringn("\0", 1), *plain = json_string("1");
    assert_false(lg_jnum_is_text(s));
    assert_false(lg_jnum_is_text(nul));
    assert_false(lg_jnum_is_text(plain));
    assert_false(lg_jnum_is_number(plain));
    assert_null(lg_jnum_literal(s, NULL));
    json_decref(s);
    json_decref(nul);
    json_decref(plain);
}

static int cmp_of(json_t *a, json_t *b)
{
    int c = 99;
    assert_true(lg_jnum_cmp(a, b, &c));
    json_decref(a);
    json_decref(b);
    return c;
}

static json_t *T(const char *lit)
{
    json_t *v = lg_jnum_new(lit, strlen(lit));
    assert_non_null(v);
    return v;
}

static void test_jnum_cmp_is_exact_by_decimal_value(void **state)
{
    assert_int_equal(cmp_of(T("1000000000000000000000"), T("1e21")), 0);
    assert_int_equal(cmp_of(T("1000000000000000000000"), T("10.0e20")), 0);
    assert_int_equal(cmp_of(T("1000000000000000000000"), T("1000000000000000000001")), -1);
    assert_int_equal(cmp_of(T("1e400"), T("1e399")), 1);
    assert_int_equal(cmp_of(T("-1e400"), T("-1e399")), -1);
    assert_int_equal(cmp_of(T("-1e400"), json_integer(1)), -1);
    assert_int_equal(cmp_of(T("0.5"), json_integer(0)), 1);
    assert_int_equal(cmp_of(T("5.000"), json_integer(5)), 0);
    assert_int_equal(cmp_of(T("-0.0e9"), json_integer(0)), 0);
    assert_int_equal(cmp_of(T("9223372036854775808"), json_integer(INT64_MAX)), 1);
    assert_int_equal(cmp_of(T("-9223372036854775809"), json_integer(INT64_MIN)), -1);
    assert_int_equal(cmp_of(json_integer(9007199254740993), T("9007199254740992")), 1);
    assert_int_equal(cmp_of(T("123.456"), T("123.4561")), -1);
    assert_int_equal(cmp_of(T("1e-999999999999999999999"), T("0")), 1); /* saturated, still > 0 */
    assert_int_equal(cmp_of(json_integer(3), json_integer(-3)), 1);
    /* a real is a double already: compared as doubles */
    assert_int_equal(cmp_of(json_real(1e21), T("1000000000000000000001")), 0);
    assert_int_equal(cmp_of(json_real(1.5), T("1e400")), -1);
    assert_int_equal(cmp_of(json_real(0.25), json_integer(0)), 1);

    int c = 7;
    json_t *s = json_string("1"), *n = json_integer(1);
    assert_false(lg_jnum_cmp(s, n, &c));
    assert_int_equal(c, 7);
    json_decref(s);
    json_decref(n);
}

static void test_jnum_integral_value_and_int64(void **state)
{
    struct {
        const char *lit;
        bool integral;
    } cases[] = {{"1e400", true},
                 {"1.5", false},
                 {"12.50e1", true},
                 {"1.25e1", false},
                 {"1000000000000000000000", true},
                 {"-0.0", true},
                 {"1e-5", false},
                 {"0.000e-999", true}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = T(cases[i].lit);
        if (lg_jnum_is_integral(v) != cases[i].integral)
            fail_msg("%s", cases[i].lit);
        json_decref(v);
    }
    json_t *r = json_real(2.0), *h = json_real(2.5), *i = json_integer(-4);
    assert_true(lg_jnum_is_integral(r));
    assert_false(lg_jnum_is_integral(h));
    assert_true(lg_jnum_is_integral(i));
    json_decref(r);
    json_decref(h);
    json_decref(i);

    int64_t out = 0;
    assert_true(lg_jnum_to_int64("1e6", 3, &out));
    assert_int_equal(out, 1000000);
    assert_true(lg_jnum_to_int64("100.00", 6, &out));
    assert_int_equal(out, 100);
    assert_true(lg_jnum_to_int64("-9223372036854775808", 20, &out));
    assert_int_equal(out, INT64_MIN);
    assert_true(lg_jnum_to_int64("92233720368547758.07e2", 22, &out));
    assert_int_equal(out, INT64_MAX);
    assert_true(lg_jnum_to_int64("0e99", 4, &out));
    assert_int_equal(out, 0);
    assert_false(lg_jnum_to_int64("9223372036854775808", 19, &out));
    assert_false(lg_jnum_to_int64("1e19", 4, &out));
    assert_false(lg_jnum_to_int64("1.5", 3, &out));
    assert_false(lg_jnum_to_int64("1.", 2, &out));

    json_t *big = T("1000000000000000000000"), *inf = T("-1e400");
    assert_true(lg_jnum_value(big) == 1e21);
    assert_true(isinf(lg_jnum_value(inf)) && lg_jnum_value(inf) < 0);
    json_decref(big);
    json_decref(inf);

    assert_true(lg_jnum_fits("9223372036854775807", 19));
    assert_false(lg_jnum_fits("9223372036854775808", 19));
    assert_true(lg_jnum_fits("1e308", 5));
    assert_false(lg_jnum_fits("1e309", 5));
}

static void test_jnum_dump_writes_literals_unquoted(void **state)
{
    json_t *j = load_ok("[1e400, {\"a\": 1000000000000000000000, \"b\": \"\\\\u0000 1\"}, \"s\","
                        " 2.5, [-9223372036854775809]]");
    char *s = dump(j);
    assert_string_equal(s, "[1e400,{\"a\":1000000000000000000000,\"b\":\"\\\\u0000 1\"},\"s\",2.5,"
                           "[-9223372036854775809]]");
    free(s);
    s = dump(json_array_get(j, 0));
    assert_string_equal(s, "1e400");
    free(s);
    /* the dump reads back as the same value */
    json_t *again = load_ok(s = dump(j));
    free(s);
    char *a = dump(again), *b = dump(j);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(again);
    json_decref(j);

    /* without numbers kept as text: jansson's own text */
    j = load_ok("{\"x\":[1,\"\\u00e9\"]}");
    s = dump(j);
    assert_string_equal(s, "{\"x\":[1,\"\xc3\xa9\"]}");
    free(s);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jnum_accepted_documents_parse_as_jansson_parses_them),
        cmocka_unit_test(test_jnum_integers_beyond_int64_are_kept_as_text),
        cmocka_unit_test(test_jnum_reals_beyond_a_double_are_kept_as_text),
        cmocka_unit_test(test_jnum_strings_and_keys_are_left_alone),
        cmocka_unit_test(test_jnum_a_nul_in_a_string_is_refused_as_jansson_refuses_it),
        cmocka_unit_test(test_jnum_errors_name_the_place_in_the_body),
        cmocka_unit_test(test_jnum_new_takes_only_json_number_literals),
        cmocka_unit_test(test_jnum_cmp_is_exact_by_decimal_value),
        cmocka_unit_test(test_jnum_integral_value_and_int64),
        cmocka_unit_test(test_jnum_dump_writes_literals_unquoted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
