/* Unit tests for the response's JSON in the per-thread arena (jarena, and
 * lg_response_parse_json / lg_response_release_json / lg_response_keep in check.c):
 * hostile bodies give the same tree, or the same refusal with jansson's message
 * and place, as the parse without the arena; captured values kept with
 * lg_response_keep outlive the arena's reset and the next response's parse (in
 * sanitizer builds a reset arena is poisoned, so a value not kept would be
 * reported); two threads parse side by side, each in its own arena, and values
 * from malloc are freed as before while an arena is in use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jarena.h"
#include "jnum.h"
#include "jsame.h"
#include "jsonpath.h"
#include "util.h"

static int setup(void **state)
{
    (void)state;
    lg_jarena_install();
    return 0;
}

/* Parses body in the arena and compares with lg_jnum_loadb outside it (malloc). */
static void same_as_without_arena(const char *body, size_t len)
{
    json_error_t want_err, err;
    json_t *want = lg_jnum_loadb(body, len, &want_err);
    struct lg_response r = {.body = body, .body_len = len};
    lg_response_parse_json(&r, &err);
    if (!want) {
        assert_true(r.json_invalid);
        assert_null(r.json);
        assert_ptr_equal(r.json_error, &err);
        assert_string_equal(err.text, want_err.text);
        assert_int_equal(err.position, want_err.position);
        assert_int_equal(err.line, want_err.line);
        assert_int_equal(err.column, want_err.column);
        assert_int_equal(json_error_code(&err), json_error_code(&want_err));
    } else {
        assert_false(r.json_invalid);
        if (!jsame(r.json, want))
            fail_msg("tree differs in the arena: %.*s", (int)(len < 100 ? len : 100), body);
    }
    lg_response_release_json(&r);
    assert_null(r.json);
    json_decref(want);
}

static char *nest(size_t depth, size_t *len)
{
    char *s = lg_malloc(2 * depth + 2);
    memset(s, '[', depth);
    s[depth] = '1';
    memset(s + depth + 1, ']', depth);
    s[2 * depth + 1] = '\0';
    *len = 2 * depth + 1;
    return s;
}

static void test_hostile_bodies(void **state)
{
    (void)state;
    static const char *bodies[] = {
        "",
        "   ",
        "{\"entries\":[{\"rank\":1},{\"rank\":2}", /* truncated */
        "{\"name\":\"caf\xc3\"}",                  /* invalid UTF-8 */
        "{\"name\":\"\xed\xa0\x80\"}",             /* an encoded surrogate */
        "{\"a\":1,\"b\":2,\"a\":3}",               /* duplicate keys */
        "{\"big\":1e400,\"huge\":123456789012345678901234567890,\"i\":9223372036854775807}",
        "{\"n\":-9223372036854775809,\"r\":-1e400,\"k\":1}",
        "{\"s\":\"a\\u0000b\"}",             /* NUL escape */
        "{\"big\":1e400,\"s\":\"\\u0000\"}", /* both */
        "[-0,1.0,1e2,-0.0,1e-400]",
        "<html><body>502 Bad Gateway</body></html>",
        "{\"a\":1}\n{\"a\":2}",
        "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\x56\x4a\x54\xb2\x32\xac\x05\x00", /* gzip */
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        same_as_without_arena(bodies[i], strlen(bodies[i]));
    same_as_without_arena("{\"a\":\"b\0c\"}", 11); /* a raw NUL */
    size_t n;
    char *deep = nest(5000, &n);
    same_as_without_arena(deep, n);
    free(deep);
    deep = nest(2000, &n);
    same_as_without_arena(deep, n);
    free(deep);

    struct lg_buf b = {0};
    lg_buf_puts(&b, "[");
    for (int i = 0; b.len < 10u << 20; i++)
        lg_buf_printf(&b, "%s{\"id\":%d,\"name\":\"row-%d\"}", i ? "," : "", i, i);
    lg_buf_puts(&b, "]");
    same_as_without_arena(b.data, b.len);
    same_as_without_arena(b.data, b.len - 1);
    lg_buf_free(&b);
}

static json_t *query(const char *path, json_t *root)
{
    struct lg_jpath *p;
    char err[128];
    int off;
    assert_int_equal(lg_jpath_compile(path, &p, err, sizeof(err), &off), 0);
    json_t *v = lg_jpath_query(p, root);
    lg_jpath_free(p);
    return v;
}

/* A capture taken from one response, kept, then used after the arena was reset
 * and reused by the next response's parse. */
static void test_capture_outlives_reset(void **state)
{
    (void)state;
    static const char first[] = "{\"token\":\"tok-1\",\"ids\":[1,2,3],\"user\":{\"n\":\"ada\"},"
                                "\"big\":1e400}";
    static const char second[] = "{\"token\":\"XXXXXXXXXXXXXXXXXXXXX\",\"ids\":[9,9,9,9,9,9]}";
    json_error_t err;
    struct lg_response r = {.body = first, .body_len = strlen(first)};
    lg_response_parse_json(&r, &err);
    json_t *token = lg_response_keep(query("$.token", r.json));
    json_t *ids = lg_response_keep(query("$.ids[*]", r.json));
    json_t *user = lg_response_keep(query("$.user", r.json));
    json_t *big = lg_response_keep(query("$.big", r.json));
    lg_response_release_json(&r);
    for (int i = 0; i < 3; i++) {
        struct lg_response r2 = {.body = second, .body_len = strlen(second)};
        lg_response_parse_json(&r2, &err);
        assert_non_null(r2.json);
        lg_response_release_json(&r2);
    }
    assert_string_equal(json_string_value(token), "tok-1");
    assert_int_equal(json_array_size(ids), 3);
    assert_int_equal(json_integer_value(json_array_get(ids, 2)), 3);
    assert_string_equal(json_string_value(json_object_get(user, "n")), "ada");
    assert_string_equal(lg_jnum_literal(big, NULL), "1e400");
    json_decref(token);
    json_decref(ids);
    json_decref(user);
    json_decref(big);
    assert_null(lg_response_keep(NULL));
}

struct worker {
    const char *body;
    const char *want;
    int rounds;
    json_t *kept; /* from malloc, replaced every round while the arena is in use */
    int ok;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    json_error_t err;
    for (int i = 0; i < w->rounds; i++) {
        struct lg_response r = {.body = w->body, .body_len = strlen(w->body)};
        lg_response_parse_json(&r, &err);
        json_t *v = lg_response_keep(query("$.who", r.json));
        /* a malloc'd value freed between parse and release, as a capture's old
         * value is */
        json_decref(w->kept);
        w->kept = v;
        json_t *again = query("$.who", r.json);
        w->ok += json_equal(again, v);
        json_decref(again);
        lg_response_release_json(&r);
        if (strcmp(json_string_value(w->kept), w->want))
            return NULL;
    }
    return NULL;
}

static void test_two_threads(void **state)
{
    (void)state;
    struct worker w[2] = {
        {.body = "{\"who\":\"first\",\"pad\":[1,2,3,4,5,6,7,8,9]}",
         .want = "first",
         .rounds = 3000},
        {.body = "{\"pad\":{\"a\":[true,false]},\"who\":\"second\"}",
         .want = "second",
         .rounds = 3000},
    };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(w[i].ok, w[i].rounds);
        assert_string_equal(json_string_value(w[i].kept), w[i].want);
        json_decref(w[i].kept);
    }
}

/* A failed parse's values leave the arena before the next attempt (lg_jnum_loadb
 * rewinds after jsimd gives up): the memory is handed out again. */
static void test_rewind(void **state)
{
    (void)state;
    lg_jarena_begin();
    struct lg_jarena_mark m = lg_jarena_mark();
    json_t *a = json_string("first");
    uintptr_t where = (uintptr_t)a;
    json_decref(a);
    lg_jarena_rewind(m);
    json_t *b = json_string("again");
    assert_true((uintptr_t)b == where);
    json_decref(b);
    lg_jarena_end();
    lg_jarena_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_bodies),
        cmocka_unit_test(test_capture_outlives_reset),
        cmocka_unit_test(test_two_threads),
        cmocka_unit_test(test_rewind),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
