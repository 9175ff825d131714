/* Unit tests for jsonpath: exact selections for every path form and the exact
 * message and byte offset of every compile error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "jnum.h"
#include "jsonpath.h"
#include "util.h"

static const char *doc_src =
    "{\"a\": {\"b\": 1, \"c\": [10, 20, 30]},"
    " \"x-request-id\": \"r1\", \"0\": \"zero\", \"a b\": 2, \"it's\": 3,"
    " \"say \\\"hi\\\"\": 4, \"back\\\\slash\": 5, \"\": 6,"
    " \"obj\": {\"z\": 1, \"a\": 2, \"m\": {\"k\": 3}},"
    " \"list\": [{\"b\": [1, 2]}, {\"b\": []}, {\"c\": 9}, {\"b\": [3]}, 7],"
    " \"n\": null, \"s\": \"text\"}";

static int setup(void **state)
{
    json_error_t e;
    json_t *doc = json_loads(doc_src, 0, &e);
    assert_non_null(doc);
    *state = doc;
    return 0;
}

static int teardown(void **state)
{
    json_decref(*state);
    return 0;
}

/* Compiles path (must succeed), queries doc and returns the result as compact
 * JSON, or "(none)" when nothing is selected. Caller frees. */
static char *q(json_t *doc, const char *path)
{
    struct lg_jpath *p = NULL;
    char err[128] = "";
    int off = -1;
    int rc = lg_jpath_compile(path, &p, err, sizeof(err), &off);
    if (rc != 0)
        fail_msg("compile of %s failed: %s at %d", path, err, off);
    assert_string_equal(lg_jpath_src(p), path);
    json_t *v = lg_jpath_query(p, doc);
    char *s;
    if (!v) {
        assert_true(lg_jpath_is_singular(p));
        s = lg_strdup("(none)");
    } else {
        s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(v);
    }
    lg_jpath_free(p);
    return s;
}

#define assert_q(doc, path, expected)                                                              \
    do {                                                                                           \
        char *got_ = q((doc), (path));                                                             \
        assert_string_equal(got_, (expected));                                                     \
        free(got_);                                                                                \
    } while (0)

static void test_jsonpath_root(void **state)
{
    json_t *doc = *state;
    struct lg_jpath *p = NULL;
    assert_int_equal(lg_jpath_compile("$", &p, NULL, 0, NULL), 0);
    assert_true(lg_jpath_is_singular(p));
    json_t *v = lg_jpath_query(p, doc);
    assert_ptr_equal(v, doc);
    json_decref(v);
    assert_null(lg_jpath_query(p, NULL));
    lg_jpath_free(p);
}

static void test_jsonpath_dot_names(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$.a.b", "1");
    assert_q(doc, "$.a.c", "[10,20,30]");
    assert_q(doc, "$.s", "\"text\"");
    assert_q(doc, "$.n", "null");
    assert_q(doc, "$.missing", "(none)");
    assert_q(doc, "$.a.b.deeper", "(none)");
    assert_q(doc, "$.a.c.b", "(none)"); /* a name on an array selects nothing */
}

static void test_jsonpath_dot_name_dash_and_digits(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$.x-request-id", "\"r1\"");
    assert_q(doc, "$.0", "\"zero\"");
    assert_q(doc, "$.a_b", "(none)");
}

static void test_jsonpath_bracket_names(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$['a']['b']", "1");
    assert_q(doc, "$[\"a\"][\"b\"]", "1");
    assert_q(doc, "$['a b']", "2");
    assert_q(doc, "$[ 'a b' ]", "2");
    assert_q(doc, "$['']", "6");
    assert_q(doc, "$['a'].c[1]", "20");
}

static void test_jsonpath_bracket_escapes(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$['it\\'s']", "3");
    assert_q(doc, "$[\"it's\"]", "3");
    assert_q(doc, "$[\"say \\\"hi\\\"\"]", "4");
    assert_q(doc, "$['say \"hi\"']", "4");
    assert_q(doc, "$['back\\\\slash']", "5");
}

static void test_jsonpath_index(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$.a.c[0]", "10");
    assert_q(doc, "$.a.c[2]", "30");
    assert_q(doc, "$.a.c[3]", "(none)");
    assert_q(doc, "$.a[0]", "(none)"); /* an index on an object selects nothing */
    assert_q(doc, "$.list[0].b[1]", "2");
}

static void test_jsonpath_negative_index(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$.a.c[-1]", "30");
    assert_q(doc, "$.a.c[-3]", "10");
    assert_q(doc, "$.a.c[-4]", "(none)");
    assert_q(doc, "$.list[-2].b[0]", "3");
}

static void test_jsonpath_wildcard_array(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$.a.c[*]", "[10,20,30]");
    assert_q(doc, "$.list[*].c", "[9]");
    assert_q(doc, "$.a.c.*", "[10,20,30]");
}

static void test_jsonpath_wildcard_object_document_order(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$.obj[*]", "[1,2,{\"k\":3}]");
    assert_q(doc, "$.obj.*", "[1,2,{\"k\":3}]");
}

static void test_jsonpath_wildcard_selects_nothing(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$.s[*]", "[]");
    assert_q(doc, "$.missing[*]", "[]");
    assert_q(doc, "$.a.c[*].x", "[]");

    struct lg_jpath *p = NULL;
    assert_int_equal(lg_jpath_compile("$[*]", &p, NULL, 0, NULL), 0);
    assert_false(lg_jpath_is_singular(p));
    json_t *v = lg_jpath_query(p, NULL);
    assert_true(json_is_array(v));
    assert_int_equal(json_array_size(v), 0);
    json_decref(v);
    lg_jpath_free(p);
}

static void test_jsonpath_nested_wildcard(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$.list[*].b[*]", "[1,2,3]");
    assert_q(doc, "$.list[*].b", "[[1,2],[],[3]]");
    assert_q(doc, "$.list[*].b[-1]", "[2,3]");
}

static void test_jsonpath_singular(void **state)
{
    struct lg_jpath *p = NULL;
    assert_int_equal(lg_jpath_compile("$.a['b'][0][-1]", &p, NULL, 0, NULL), 0);
    assert_true(lg_jpath_is_singular(p));
    lg_jpath_free(p);
    assert_int_equal(lg_jpath_compile("$.a[*][0]", &p, NULL, 0, NULL), 0);
    assert_false(lg_jpath_is_singular(p));
    lg_jpath_free(p);
    lg_jpath_free(NULL);
}

static void assert_compile_error(const char *path, const char *msg, int offset)
{
    struct lg_jpath *p = (struct lg_jpath *)0x1;
    char err[128] = "";
    int off = -1;
    int rc = lg_jpath_compile(path, &p, err, sizeof(err), &off);
    if (rc != LG_ESYNTAX)
        fail_msg("%s: expected LG_ESYNTAX, got %d", path, rc);
    assert_ptr_equal(p, (struct lg_jpath *)0x1); /* untouched on error */
    if (strcmp(err, msg) != 0 || off != offset)
        fail_msg("%s: got \"%s\" at %d, expected \"%s\" at %d", path, err, off, msg, offset);
}

static void test_jsonpath_compile_errors(void **state)
{
    assert_compile_error("", "path must start with '$'", 0);
    assert_compile_error("a.b", "path must start with '$'", 0);
    assert_compile_error("$.", "empty name after '.'", 2);
    assert_compile_error("$.a.", "empty name after '.'", 4);
    assert_compile_error("$.a.[0]", "empty name after '.'", 4);
    assert_compile_error("$.a..b", "descendant segments ('..') are not supported", 3);
    assert_compile_error("$.a%", "expected '.' or '[', got '%'", 3);
    assert_compile_error("$.%", "unexpected character '%' in name (use ['...'] for it)", 2);
    assert_compile_error("$a", "expected '.' or '[', got 'a'", 1);
    assert_compile_error("$.abc[1x", "expected ']' after index", 7);
    assert_compile_error("$.abc[12", "expected ']' after index", 8);
    assert_compile_error("$['a'x]", "expected ']' after name", 5);
    assert_compile_error("$[*", "expected ']' after '*'", 3);
    assert_compile_error("$['abc", "unterminated string", 2);
    assert_compile_error("$[\"ab\\", "unterminated string", 2);
    assert_compile_error("$['a\\nb']", "unsupported escape '\\n' (only \\' \\\" \\\\)", 4);
    assert_compile_error("$[]", "expected a name, index or '*' after '['", 2);
    assert_compile_error("$[", "expected a name, index or '*' after '['", 2);
    assert_compile_error("$[-]", "expected a digit after '-'", 3);
    assert_compile_error("$[-0]", "-0 is not a valid index", 2);
    assert_compile_error("$[01]", "leading zeros are not allowed in an index", 2);
    assert_compile_error("$[9007199254740992]", "index is out of range", 2);
    assert_compile_error("$[1:2]", "array slices are not supported", 3);
    assert_compile_error("$[:2]", "array slices are not supported", 2);
    assert_compile_error("$[0,1]", "unions of selectors are not supported", 3);
    assert_compile_error("$[?@.a]", "filter expressions are not supported", 2);
}

static void test_jsonpath_compile_error_without_buffers(void **state)
{
    struct lg_jpath *p = NULL;
    assert_int_equal(lg_jpath_compile("$.", &p, NULL, 0, NULL), LG_ESYNTAX);
    assert_null(p);
    char err[8];
    int off = -1;
    assert_int_equal(lg_jpath_compile("nope", &p, err, sizeof(err), &off), LG_ESYNTAX);
    assert_string_equal(err, "path mu"); /* truncated to the buffer */
    assert_int_equal(off, 0);
}

static void test_jsonpath_max_index(void **state)
{
    json_t *doc = *state;
    assert_q(doc, "$.a.c[9007199254740991]", "(none)");
    assert_q(doc, "$.a.c[-9007199254740991]", "(none)");
}

/* A document with numbers beyond jansson's range (jnum.h): every selector walks it
 * as any other, and what it selects keeps each number's digits. */
static void test_jsonpath_big_numbers_are_selected_as_written(void **state)
{
    const char *src = "{\"tokens\": [{\"amount\": 1000000000000000000000, \"id\": 1},"
                      " {\"amount\": 2.5e400, \"id\": 18446744073709551616}],"
                      " \"total\": -1e999, \"n\": 3}";
    json_t *doc = lg_jnum_loadb(src, strlen(src), NULL);
    assert_non_null(doc);
    struct {
        const char *path, *want;
    } cases[] = {
        {"$.tokens[*].amount", "[1000000000000000000000,2.5e400]"},
        {"$.tokens[-1].id", "18446744073709551616"},
        {"$.tokens[0]", "{\"amount\":1000000000000000000000,\"id\":1}"},
        {"$['total']", "-1e999"},
        {"$.*", "[[{\"amount\":1000000000000000000000,\"id\":1},"
                "{\"amount\":2.5e400,\"id\":18446744073709551616}],-1e999,3]"},
        {"$.total.x", "(none)"},
        {"$.total[0]", "(none)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lg_jpath *p = NULL;
        assert_int_equal(lg_jpath_compile(cases[i].path, &p, NULL, 0, NULL), 0);
        json_t *v = lg_jpath_query(p, doc);
        struct lg_buf b = {0};
        if (v)
            lg_jnum_dump(v, JSON_COMPACT, &b);
        else
            lg_buf_puts(&b, "(none)");
        if (strcmp(b.data, cases[i].want) != 0)
            fail_msg("%s: got %s, want %s", cases[i].path, b.data, cases[i].want);
        lg_buf_free(&b);
        json_decref(v);
        lg_jpath_free(p);
    }
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_jsonpath_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_dot_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_dot_name_dash_and_digits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_bracket_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_bracket_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_negative_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_wildcard_array, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_wildcard_object_document_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_wildcard_selects_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jsonpath_nested_wildcard, setup, teardown),
        cmocka_unit_test(test_jsonpath_singular),
        cmocka_unit_test(test_jsonpath_compile_errors),
        cmocka_unit_test(test_jsonpath_compile_error_without_buffers),
        cmocka_unit_test_setup_teardown(test_jsonpath_max_index, setup, teardown),
        cmocka_unit_test(test_jsonpath_big_numbers_are_selected_as_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
