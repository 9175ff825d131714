/* Unit tests for check: every check kind and op passing and failing with its exact
 * reason, and every capture kind, against hand-built responses and checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <math.h>
#include <time.h>

#include "check.h"
#include "jnum.h"
#include "util.h"

/* ---- a fake response ---- */

struct kv {
    const char *name, *value;
};

static const struct kv headers[] = {
    {"Content-Type", "application/json; charset=utf-8"},
    {"X-Request-Id", "req-42"},
    {"X-Long",
     "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-tail-of-it"},
    {"X-Latin1", "caf\xe9"},
    {NULL, NULL},
};

static const struct kv cookies[] = {
    {"session", "s3cr3t"},
    {NULL, NULL},
};

static const char *header_cb(void *ud, const char *name)
{
    const struct kv *t = ud;
    for (; t->name; t++)
        if (!strcasecmp(t->name, name))
            return t->value;
    return NULL;
}

static char *cookie_cb(void *ud, const char *name)
{
    for (const struct kv *t = cookies; t->name; t++)
        if (!strcmp(t->name, name))
            return lg_strdup(t->value);
    return NULL;
}

static const char *json_body =
    "{\"sessionId\": \"abc-123\", \"status\": \"pending\", \"count\": 3, \"ratio\": 0.25,"
    " \"one\": 1.0, \"big\": 12.5, \"ok\": true, \"nothing\": null, \"name\": \"h\xc3\xa9llo\","
    " \"obj\": {\"a\": 1, \"b\": [1, 2.0]},"
    " \"questions\": [{\"id\": \"q1\"}, {\"id\": \"q2\"}, {\"id\": \"q3\"}], \"empty\": []}";

struct fixture {
    struct lg_response r;
    char *body; /* exactly body_len bytes, no NUL terminator */
};

static int setup(void **state)
{
    struct fixture *f = lg_calloc(1, sizeof(*f));
    size_t len = strlen(json_body);
    f->body = lg_malloc(len);
    memcpy(f->body, json_body, len);
    json_error_t e;
    f->r.json = json_loadb(f->body, len, 0, &e);
    assert_non_null(f->r.json);
    f->r.status = 200;
    f->r.body = f->body;
    f->r.body_len = len;
    f->r.total_us = 250000;
    f->r.header = header_cb;
    f->r.cookie = cookie_cb;
    f->r.ud = (void *)headers;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    json_decref(f->r.json);
    free(f->body);
    free(f);
    return 0;
}

/* ---- building checks by hand ---- */

static struct lg_check mk(enum lg_check_kind kind, enum lg_check_op op)
{
    struct lg_check c;
    memset(&c, 0, sizeof(c));
    c.kind = kind;
    c.op = op;
    return c;
}

static struct lg_check mk_json(const char *path, enum lg_check_op op)
{
    struct lg_check c = mk(LG_CHECK_JSON, op);
    char err[128];
    int off;
    if (lg_jpath_compile(path, &c.path, err, sizeof(err), &off))
        fail_msg("%s: %s at %d", path, err, off);
    return c;
}

static void set_re(regex_t *re, bool *has_re, const char *pattern)
{
    int rc = regcomp(re, pattern, REG_EXTENDED);
    assert_int_equal(rc, 0);
    *has_re = true;
}

static void clear(struct lg_check *c)
{
    lg_jpath_free(c->path);
    json_decref(c->expected);
    json_decref(c->bound);
    lg_tmpl_free(c->expected_tmpl);
    if (c->has_re)
        regfree(&c->re);
    memset(c, 0, sizeof(*c));
}

#define assert_pass(c, r)                                                                          \
    do {                                                                                           \
        char why_[256] = "";                                                                       \
        if (!lg_check_eval((c), (r), NULL, why_, sizeof(why_)))                                    \
            fail_msg("expected a pass, failed with \"%s\"", why_);                                 \
    } while (0)

#define assert_fail_why(c, r, expected)                                                            \
    do {                                                                                           \
        char why_[256] = "";                                                                       \
        assert_false(lg_check_eval((c), (r), NULL, why_, sizeof(why_)));                           \
        assert_string_equal(why_, (expected));                                                     \
    } while (0)

/* ---- status ---- */

static void test_check_status_in_ranges(void **state)
{
    struct fixture *f = *state;
    struct lg_status_range ranges[] = {{200, 299}, {404, 404}};
    struct lg_check c = mk(LG_CHECK_STATUS, LG_OP_IN);
    c.ranges = ranges;
    c.n_ranges = 2;
    f->r.status = 200;
    assert_pass(&c, &f->r);
    f->r.status = 299;
    assert_pass(&c, &f->r);
    f->r.status = 404;
    assert_pass(&c, &f->r);
    f->r.status = 500;
    assert_fail_why(&c, &f->r, "HTTP 500, expected 200..299 or 404");
    f->r.status = 403;
    assert_fail_why(&c, &f->r, "HTTP 403, expected 200..299 or 404");
    c.n_ranges = 1;
    assert_fail_why(&c, &f->r, "HTTP 403, expected 200..299");
}

/* ---- headers ---- */

static void test_check_header_exists(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_HEADER, LG_OP_EXISTS);
    c.bool_arg = true;
    c.header = "x-request-id";
    assert_pass(&c, &f->r);
    c.header = "x-frame-options";
    assert_fail_why(&c, &f->r, "header x-frame-options is missing");
    c.bool_arg = false;
    assert_pass(&c, &f->r);
    c.header = "content-type";
    assert_fail_why(&c, &f->r, "header content-type is present, expected absent");
}

static void test_check_header_equals(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_HEADER, LG_OP_EQUALS);
    c.header = "x-request-id";
    c.expected = json_string("req-42");
    assert_pass(&c, &f->r);
    json_decref(c.expected);
    c.expected = json_string("REQ-42"); /* values compare case-sensitively */
    assert_fail_why(&c, &f->r, "header x-request-id was \"req-42\", expected \"REQ-42\"");
    c.header = "x-missing";
    assert_fail_why(&c, &f->r, "header x-missing is missing");
    clear(&c);

    struct kv counted[] = {{"X-Count", "5"}, {NULL, NULL}};
    f->r.ud = counted;
    c = mk(LG_CHECK_HEADER, LG_OP_EQUALS);
    c.header = "x-count";
    c.expected = json_integer(5); /* an unquoted number compares as its text */
    assert_pass(&c, &f->r);
    json_decref(c.expected);
    c.expected = json_integer(6);
    assert_fail_why(&c, &f->r, "header x-count was \"5\", expected \"6\"");
    clear(&c);
}

static void test_check_header_contains(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_HEADER, LG_OP_CONTAINS);
    c.header = "content-type";
    c.text = "application/json";
    assert_pass(&c, &f->r);
    c.text = "text/html";
    assert_fail_why(&c, &f->r,
                    "header content-type was \"application/json; charset=utf-8\", expected it "
                    "to contain \"text/html\"");
    c.header = "x-missing";
    assert_fail_why(&c, &f->r, "header x-missing is missing");
}

static void test_check_header_matches(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_HEADER, LG_OP_MATCHES);
    c.header = "X-Request-Id";
    set_re(&c.re, &c.has_re, "^req-[0-9]+$");
    assert_pass(&c, &f->r);
    regfree(&c.re);
    set_re(&c.re, &c.has_re, "^id-");
    c.text = "^id-";
    assert_fail_why(&c, &f->r, "header X-Request-Id was \"req-42\", expected a match for ^id-");
    clear(&c);
}

static void test_check_header_long_value_is_cut(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_HEADER, LG_OP_CONTAINS);
    c.header = "x-long";
    c.text = "nope";
    assert_fail_why(&c, &f->r,
                    "header x-long was "
                    "\"0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN...\", "
                    "expected it to contain \"nope\"");
}

static void test_check_header_without_callback(void **state)
{
    struct fixture *f = *state;
    f->r.header = NULL;
    struct lg_check c = mk(LG_CHECK_HEADER, LG_OP_EXISTS);
    c.header = "content-type";
    c.bool_arg = true;
    assert_fail_why(&c, &f->r, "header content-type is missing");
}

/* ---- JSON ---- */

static void test_check_json_no_body(void **state)
{
    struct fixture *f = *state;
    json_t *saved = f->r.json;
    struct lg_check c = mk_json("$.sessionId", LG_OP_EXISTS);
    c.bool_arg = true;
    f->r.json = NULL;
    f->r.json_invalid = true;
    assert_fail_why(&c, &f->r, "body is not JSON");
    f->r.json_invalid = false;
    assert_fail_why(&c, &f->r, "no JSON body");
    f->r.json = saved;
    clear(&c);
}

static void test_check_json_exists(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk_json("$.sessionId", LG_OP_EXISTS);
    c.bool_arg = true;
    assert_pass(&c, &f->r);
    c.bool_arg = false;
    assert_fail_why(&c, &f->r, "$.sessionId is present, expected absent");
    clear(&c);

    c = mk_json("$.nothing", LG_OP_EXISTS); /* null is a value: it exists */
    c.bool_arg = true;
    assert_pass(&c, &f->r);
    clear(&c);

    c = mk_json("$.token", LG_OP_EXISTS);
    c.bool_arg = true;
    assert_fail_why(&c, &f->r, "$.token is missing");
    c.bool_arg = false;
    assert_pass(&c, &f->r);
    clear(&c);
}

static void test_check_json_exists_wildcard(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk_json("$.questions[*].id", LG_OP_EXISTS);
    c.bool_arg = true;
    assert_pass(&c, &f->r);
    c.bool_arg = false;
    assert_fail_why(&c, &f->r, "$.questions[*].id matched 3 values, expected none");
    clear(&c);

    c = mk_json("$.empty[*]", LG_OP_EXISTS);
    c.bool_arg = true;
    assert_fail_why(&c, &f->r, "$.empty[*] matched nothing");
    c.bool_arg = false;
    assert_pass(&c, &f->r);
    clear(&c);
}

static void test_check_json_equals(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk_json("$.status", LG_OP_EQUALS);
    c.expected = json_string("pending");
    assert_pass(&c, &f->r);
    json_decref(c.expected);
    c.expected = json_string("confirmed");
    assert_fail_why(&c, &f->r, "$.status was \"pending\", expected \"confirmed\"");
    clear(&c);

    c = mk_json("$.count", LG_OP_EQUALS);
    c.expected = json_integer(4);
    assert_fail_why(&c, &f->r, "$.count was 3, expected 4");
    json_decref(c.expected);
    c.expected = json_string("3"); /* a string is not a number */
    assert_fail_why(&c, &f->r, "$.count was 3, expected \"3\"");
    clear(&c);

    c = mk_json("$.token", LG_OP_EQUALS);
    c.expected = json_string("x");
    assert_fail_why(&c, &f->r, "$.token is missing");
    clear(&c);

    c = mk_json("$.ok", LG_OP_EQUALS);
    c.expected = json_true();
    assert_pass(&c, &f->r);
    clear(&c);

    c = mk_json("$.nothing", LG_OP_EQUALS);
    c.expected = json_null();
    assert_pass(&c, &f->r);
    json_decref(c.expected);
    c.expected = json_false();
    assert_fail_why(&c, &f->r, "$.nothing was null, expected false");
    clear(&c);
}

static void test_check_json_equals_numbers_by_value(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk_json("$.one", LG_OP_EQUALS); /* 1.0 in the body */
    c.expected = json_integer(1);
    assert_pass(&c, &f->r);
    clear(&c);

    c = mk_json("$.count", LG_OP_EQUALS); /* 3 in the body */
    c.expected = json_real(3.0);
    assert_pass(&c, &f->r);
    json_decref(c.expected);
    c.expected = json_real(3.5);
    assert_fail_why(&c, &f->r, "$.count was 3, expected 3.5");
    clear(&c);

    c = mk_json("$.obj", LG_OP_EQUALS); /* {"a": 1, "b": [1, 2.0]} */
    c.expected = json_pack("{s:f, s:[i, i]}", "a", 1.0, "b", 1, 2);
    assert_pass(&c, &f->r);
    json_decref(c.expected);
    c.expected = json_pack("{s:i, s:[i, i, i]}", "a", 1, "b", 1, 2, 3);
    assert_fail_why(&c, &f->r,
                    "$.obj was {\"a\":1,\"b\":[1,2.0]}, expected {\"a\":1,\"b\":[1,2,3]}");
    clear(&c);
}

static void test_check_json_equals_wildcard_is_array(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk_json("$.questions[*].id", LG_OP_EQUALS);
    c.expected = json_pack("[s, s, s]", "q1", "q2", "q3");
    assert_pass(&c, &f->r);
    json_decref(c.expected);
    c.expected = json_pack("[s]", "q1");
    assert_fail_why(&c, &f->r, "$.questions[*].id was [\"q1\",\"q2\",\"q3\"], expected [\"q1\"]");
    clear(&c);
}

static void test_check_json_matches(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk_json("$.sessionId", LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, "^[a-z]+-[0-9]+$");
    assert_pass(&c, &f->r);
    clear(&c);

    c = mk_json("$.status", LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, "^(confirmed|failed)$");
    assert_fail_why(&c, &f->r, "$.status was \"pending\", expected a match");
    c.text = "^(confirmed|failed)$";
    assert_fail_why(&c, &f->r,
                    "$.status was \"pending\", expected a match for ^(confirmed|failed)$");
    clear(&c);

    c = mk_json("$.missing", LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, ".");
    assert_fail_why(&c, &f->r, "$.missing is missing");
    clear(&c);
}

static void test_check_json_matches_non_string_text(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk_json("$.count", LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, "^[0-9]$");
    assert_pass(&c, &f->r);
    clear(&c);

    c = mk_json("$.ok", LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, "^true$");
    assert_pass(&c, &f->r);
    clear(&c);

    c = mk_json("$.obj.b", LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, "^\\[1,");
    assert_pass(&c, &f->r);
    clear(&c);

    c = mk_json("$.count", LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, "^[a-z]+$");
    c.text = "^[a-z]+$";
    assert_fail_why(&c, &f->r, "$.count was 3, expected a match for ^[a-z]+$");
    clear(&c);
}

static void check_type(struct fixture *f, const char *path, enum lg_json_type t, const char *why)
{
    struct lg_check c = mk_json(path, LG_OP_TYPE);
    c.json_type = t;
    if (why)
        assert_fail_why(&c, &f->r, why);
    else
        assert_pass(&c, &f->r);
    clear(&c);
}

static void test_check_json_type(void **state)
{
    struct fixture *f = *state;
    check_type(f, "$.status", LG_JT_STRING, NULL);
    check_type(f, "$.count", LG_JT_INTEGER, NULL);
    check_type(f, "$.one", LG_JT_INTEGER, NULL); /* 1.0 is integral */
    check_type(f, "$.count", LG_JT_NUMBER, NULL);
    check_type(f, "$.ratio", LG_JT_NUMBER, NULL);
    check_type(f, "$.ok", LG_JT_BOOLEAN, NULL);
    check_type(f, "$.obj", LG_JT_OBJECT, NULL);
    check_type(f, "$.questions", LG_JT_ARRAY, NULL);
    check_type(f, "$.nothing", LG_JT_NULL, NULL);
    check_type(f, "$.questions[*]", LG_JT_ARRAY, NULL);

    check_type(f, "$.ratio", LG_JT_INTEGER,
               "$.ratio was a non-integer number, expected an integer");
    check_type(f, "$.count", LG_JT_STRING, "$.count was an integer, expected a string");
    check_type(f, "$.one", LG_JT_STRING, "$.one was a number, expected a string");
    check_type(f, "$.status", LG_JT_NUMBER, "$.status was a string, expected a number");
    check_type(f, "$.ok", LG_JT_NULL, "$.ok was a boolean, expected null");
    check_type(f, "$.obj", LG_JT_ARRAY, "$.obj was an object, expected an array");
    check_type(f, "$.questions", LG_JT_OBJECT, "$.questions was an array, expected an object");
    check_type(f, "$.nothing", LG_JT_STRING, "$.nothing was null, expected a string");
    check_type(f, "$.status", LG_JT_BOOLEAN, "$.status was a string, expected a boolean");
    check_type(f, "$.missing", LG_JT_STRING, "$.missing is missing");
}

static void check_length(struct fixture *f, const char *path, double n, const char *why)
{
    struct lg_check c = mk_json(path, LG_OP_LENGTH);
    c.number = n;
    if (why)
        assert_fail_why(&c, &f->r, why);
    else
        assert_pass(&c, &f->r);
    clear(&c);
}

static void test_check_json_length(void **state)
{
    struct fixture *f = *state;
    check_length(f, "$.questions", 3, NULL);
    check_length(f, "$.questions", 10, "$.questions had length 3, expected 10");
    check_length(f, "$.obj", 2, NULL);
    check_length(f, "$.empty", 0, NULL);
    check_length(f, "$.name", 5, NULL); /* "héllo": code points, not bytes (6) */
    check_length(f, "$.name", 6, "$.name had length 5, expected 6");
    check_length(f, "$.questions[*].id", 3, NULL);
    check_length(f, "$.count", 1, "$.count was an integer, which has no length");
    check_length(f, "$.missing", 1, "$.missing is missing");
}

static void check_cmp(struct fixture *f, const char *path, enum lg_check_op op, double n,
                      const char *why)
{
    struct lg_check c = mk_json(path, op);
    c.number = n;
    if (why)
        assert_fail_why(&c, &f->r, why);
    else
        assert_pass(&c, &f->r);
    clear(&c);
}

static void test_check_json_compare(void **state)
{
    struct fixture *f = *state;
    check_cmp(f, "$.count", LG_OP_LT, 4, NULL);
    check_cmp(f, "$.count", LG_OP_LT, 3, "$.count was 3, expected < 3");
    check_cmp(f, "$.count", LG_OP_LTE, 3, NULL);
    check_cmp(f, "$.count", LG_OP_LTE, 2.5, "$.count was 3, expected <= 2.5");
    check_cmp(f, "$.ratio", LG_OP_GT, 0.2, NULL);
    check_cmp(f, "$.ratio", LG_OP_GT, 0.25, "$.ratio was 0.25, expected > 0.25");
    check_cmp(f, "$.big", LG_OP_GTE, 12.5, NULL);
    check_cmp(f, "$.big", LG_OP_GTE, 13, "$.big was 12.5, expected >= 13");
    check_cmp(f, "$.one", LG_OP_GT, 1e20, "$.one was 1.0, expected > 1e+20");
    check_cmp(f, "$.status", LG_OP_LT, 1, "$.status was \"pending\", expected a number < 1");
    check_cmp(f, "$.ok", LG_OP_GT, 0, "$.ok was true, expected a number > 0");
    check_cmp(f, "$.missing", LG_OP_GT, 0, "$.missing is missing");
}

/* ---- body and latency ---- */

static void test_check_body_contains(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_BODY, LG_OP_CONTAINS);
    c.text = "\"empty\": []}"; /* the very last bytes: no NUL after them */
    assert_pass(&c, &f->r);
    c.text = "sessionID";
    char expect[64];
    snprintf(expect, sizeof(expect), "body (%zu bytes) does not contain \"sessionID\"",
             f->r.body_len);
    assert_fail_why(&c, &f->r, expect);
    f->r.body = NULL;
    f->r.body_len = 0;
    assert_fail_why(&c, &f->r, "body (0 bytes) does not contain \"sessionID\"");
}

static void test_check_body_matches(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_BODY, LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, "\\[\\]\\}$"); /* anchored at body_len, not at a NUL */
    assert_pass(&c, &f->r);
    regfree(&c.re);
    set_re(&c.re, &c.has_re, "\"count\": [0-9]+,");
    assert_pass(&c, &f->r);
    regfree(&c.re);
    set_re(&c.re, &c.has_re, "\"count\": \"");
    char expect[64];
    snprintf(expect, sizeof(expect), "body (%zu bytes) does not match", f->r.body_len);
    assert_fail_why(&c, &f->r, expect);

    /* a prefix of the body: nothing past body_len is read */
    f->r.body_len = 10;
    regfree(&c.re);
    set_re(&c.re, &c.has_re, "abc");
    assert_fail_why(&c, &f->r, "body (10 bytes) does not match");
    c.text = "a\\.c"; /* the regex as written: backslashes as they are */
    assert_fail_why(&c, &f->r, "body (10 bytes) does not match a\\.c");
    clear(&c);
}

static void test_check_latency(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_LATENCY, LG_OP_LTE);
    c.latency_us = 250000;
    assert_pass(&c, &f->r); /* 250ms <= 250ms */
    f->r.total_us = 1500000;
    assert_fail_why(&c, &f->r, "took 1.5s, expected at most 250ms");
    f->r.total_us = 250001;
    assert_fail_why(&c, &f->r, "took 250ms, expected at most 250ms");
}

static void test_check_until_is_internal(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_UNTIL, LG_OP_EXISTS);
    assert_fail_why(&c, &f->r, "internal");
}

static void test_check_why_may_be_null(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk(LG_CHECK_LATENCY, LG_OP_LTE);
    f->r.total_us = 2;
    assert_false(lg_check_eval(&c, &f->r, NULL, NULL, 0));
    char why[8];
    c = mk_json("$.questions", LG_OP_LENGTH);
    assert_false(lg_check_eval(&c, &f->r, NULL, why, sizeof(why)));
    assert_string_equal(why, "$.qu..."); /* cut to the buffer, and says so */
    clear(&c);
}

/* ---- EQUALS with a template ---- */

struct tmpl_env {
    char *names[2];
    struct lg_scope scope;
    json_t *slots[2];
    struct lg_rng rng;
    struct lg_tmpl_ctx ctx;
};

static void tmpl_env_init(struct tmpl_env *e, json_t *sid, json_t *n)
{
    memset(e, 0, sizeof(*e));
    e->names[0] = "sid";
    e->names[1] = "n";
    e->scope.names = e->names;
    e->scope.n = e->scope.cap = 2;
    e->slots[0] = sid;
    e->slots[1] = n;
    lg_rng_seed(&e->rng, 1);
    e->ctx.slots = e->slots;
    e->ctx.n_slots = 2;
    e->ctx.scope = &e->scope;
    e->ctx.vu_id = 1;
    e->ctx.rng = &e->rng;
}

static void tmpl_env_free(struct tmpl_env *e)
{
    json_decref(e->slots[0]);
    json_decref(e->slots[1]);
}

static struct lg_tmpl *compile_tmpl(const char *src, const struct lg_scope *scope)
{
    struct lg_tmpl *t = NULL;
    struct lg_tmpl_err err;
    if (lg_tmpl_compile(src, LG_TMPL_RAW, scope, &t, &err))
        fail_msg("template %s: %s at %d", src, err.msg, err.offset);
    return t;
}

static bool eval_ctx(const struct lg_check *c, const struct lg_response *r,
                     const struct lg_tmpl_ctx *ctx, char *why, size_t whylen)
{
    why[0] = '\0';
    return lg_check_eval(c, r, ctx, why, whylen);
}

static void test_check_json_equals_template(void **state)
{
    struct fixture *f = *state;
    struct tmpl_env e;
    char why[256];
    tmpl_env_init(&e, json_string("abc"), json_integer(3));

    struct lg_check c = mk_json("$.sessionId", LG_OP_EQUALS);
    c.expected_tmpl = compile_tmpl("{{sid}}-123", &e.scope);
    assert_true(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    json_decref(e.slots[0]);
    e.slots[0] = json_string("xyz");
    assert_false(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    assert_string_equal(why, "$.sessionId was \"abc-123\", expected \"xyz-123\"");
    clear(&c);

    /* numbers compare through their text */
    c = mk_json("$.count", LG_OP_EQUALS);
    c.expected_tmpl = compile_tmpl("{{n}}", &e.scope);
    assert_true(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    clear(&c);

    c = mk_json("$.missing", LG_OP_EQUALS);
    c.expected_tmpl = compile_tmpl("{{n}}", &e.scope);
    assert_false(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    assert_string_equal(why, "$.missing is missing");
    clear(&c);
    tmpl_env_free(&e);
}

static void test_check_equals_template_unset_slot(void **state)
{
    struct fixture *f = *state;
    struct tmpl_env e;
    char why[256];
    tmpl_env_init(&e, NULL, json_integer(3));
    struct lg_check c = mk_json("$.sessionId", LG_OP_EQUALS);
    c.expected_tmpl = compile_tmpl("{{sid}}", &e.scope);
    assert_false(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    assert_string_equal(why, "expected value reads 'sid', which is not set");
    clear(&c);
    tmpl_env_free(&e);
}

static void test_check_header_equals_template_hides_secret(void **state)
{
    struct fixture *f = *state;
    struct tmpl_env e;
    char why[256];
    tmpl_env_init(&e, json_string("req"), NULL);
    setenv("LG_TEST_CHECK_SECRET", "hunter2", 1);

    struct lg_check c = mk(LG_CHECK_HEADER, LG_OP_EQUALS);
    c.header = "x-request-id";
    c.expected_tmpl = compile_tmpl("{{sid}}-42", &e.scope);
    assert_true(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    lg_tmpl_free(c.expected_tmpl);
    c.expected_tmpl = compile_tmpl("x-{{env.LG_TEST_CHECK_SECRET}}", &e.scope);
    /* without the run's secrets, a template reading env.* is not shown at all */
    assert_false(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    assert_string_equal(why, "header x-request-id was \"req-42\", expected \"[secret]\"");
    /* with them, only the secret is hidden */
    struct lg_secrets sec = {0};
    lg_tmpl_secrets(c.expected_tmpl, &sec);
    f->r.secrets = &sec;
    assert_false(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    assert_string_equal(why, "header x-request-id was \"req-42\", expected \"x-[secret]\"");
    clear(&c);

    c = mk_json("$.status", LG_OP_EQUALS);
    c.expected_tmpl = compile_tmpl("{{env.LG_TEST_CHECK_SECRET}}", &e.scope);
    assert_false(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    assert_string_equal(why, "$.status was \"pending\", expected \"[secret]\"");
    clear(&c);
    f->r.secrets = NULL;
    lg_secrets_free(&sec);
    unsetenv("LG_TEST_CHECK_SECRET");
    tmpl_env_free(&e);
}

/* A response that echoes secrets back: in values, cut values, compact JSON, headers,
 * derived values and jansson's message, each is hidden before anything is cut. */
static const struct kv echo_headers[] = {
    {"Authorization", "Bearer hunter2"},
    {"X-Basic", "Basic aHVudGVyMg=="}, /* base64 of hunter2 */
    {NULL, NULL},
};

static void test_check_reasons_hide_secrets(void **state)
{
    (void)state;
    setenv("LG_TEST_CHECK_SECRET", "hunter2", 1);
    setenv("LG_TEST_CHECK_QUOTED", "pa\"ss", 1);
    setenv("LG_TEST_CHECK_STRADDLE", "1, zzz", 1);
    struct lg_secrets sec = {0};
    struct lg_tmpl *t =
        compile_tmpl("{{env.LG_TEST_CHECK_SECRET}} {{base64 env.LG_TEST_CHECK_SECRET}} "
                     "{{env.LG_TEST_CHECK_QUOTED}} {{env.LG_TEST_CHECK_STRADDLE}}",
                     NULL);
    lg_tmpl_secrets(t, &sec);
    lg_tmpl_free(t);

    const char *body = "{\"key\": \"hunter2\", \"long\": "
                       "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaahunter2-tail\", "
                       "\"obj\": {\"k\": \"pa\\\"ss\", \"n\": 1}}";
    struct lg_response r = {.status = 200,
                            .body = body,
                            .body_len = strlen(body),
                            .header = header_cb,
                            .ud = (void *)echo_headers,
                            .secrets = &sec};
    r.json = json_loadb(body, r.body_len, 0, NULL);
    assert_non_null(r.json);

    struct lg_check c = mk_json("$.key", LG_OP_EQUALS);
    c.expected = json_string("x");
    assert_fail_why(&c, &r, "$.key was \"[secret]\", expected \"x\"");
    clear(&c);

    /* 55 bytes, then the secret across the 60-byte cut: hidden whole, then cut */
    c = mk_json("$.long", LG_OP_EQUALS);
    c.expected = json_string("x");
    assert_fail_why(
        &c, &r,
        "$.long was \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa[secret]...\", "
        "expected \"x\"");
    clear(&c);

    /* compact JSON writes the quote escaped: that form is known too */
    c = mk_json("$.obj", LG_OP_EQUALS);
    c.expected = json_null();
    assert_fail_why(&c, &r, "$.obj was {\"k\":\"[secret]\",\"n\":1}, expected null");
    clear(&c);

    c = mk(LG_CHECK_HEADER, LG_OP_EQUALS);
    c.header = "authorization";
    c.expected = json_string("x");
    assert_fail_why(&c, &r, "header authorization was \"Bearer [secret]\", expected \"x\"");
    c.header = "x-basic";
    assert_fail_why(&c, &r, "header x-basic was \"Basic [secret]\", expected \"x\"");
    clear(&c);

    /* jansson's message quotes the body */
    json_decref(r.json);
    r.json = NULL;
    r.json_invalid = true;
    body = "{\"a\": hunter2}";
    r.body = body;
    r.body_len = strlen(body);
    json_error_t err;
    assert_null(json_loadb(body, r.body_len, JSON_DECODE_ANY, &err));
    r.json_error = &err;
    c = mk_json("$.a", LG_OP_EXISTS);
    c.bool_arg = true;
    assert_fail_why(&c, &r, "body is not JSON: invalid token near \"[secret]}\" at byte 7");
    /* jansson's token ("xhunter") would end inside the secret; the body is quoted */
    body = "{\"a\": xhunter2}";
    r.body = body;
    r.body_len = strlen(body);
    assert_null(json_loadb(body, r.body_len, JSON_DECODE_ANY, &err));
    assert_fail_why(&c, &r, "body is not JSON: invalid token near \"x[secret]}\" at byte 7");
    /* a secret that begins before the token and runs into it */
    body = "[1, zzz]";
    r.body = body;
    r.body_len = strlen(body);
    assert_null(json_loadb(body, r.body_len, JSON_DECODE_ANY, &err));
    assert_fail_why(&c, &r, "body is not JSON: invalid token near \"[secret]]\" at byte 5");
    clear(&c);

    lg_secrets_free(&sec);
    unsetenv("LG_TEST_CHECK_SECRET");
    unsetenv("LG_TEST_CHECK_QUOTED");
    unsetenv("LG_TEST_CHECK_STRADDLE");
}

/* jansson's own message, and where the offending token starts (1-based). */
static void test_check_json_not_json_says_where(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk_json("$.status", LG_OP_EXISTS);
    c.bool_arg = true;
    const char *bodies[] = {"<html>maintenance</html>", "{\"id\": 7, \"status\": pending}",
                            "{\"id\": 7,", "", "<html><head><title>500 Internal Server Error"};
    const char *want[] = {
        "body is not JSON: invalid token near \"<html>maintenance</html>\" at byte 1",
        "body is not JSON: invalid token near \"pending}\" at byte 21",
        "body is not JSON: string or '}' expected near end of file at byte 9",
        "body is empty, expected JSON",
        "body is not JSON: invalid token near \"<html><head><title>500 I...\" at byte 1",
    };
    json_t *saved = f->r.json;
    f->r.json = NULL;
    f->r.json_invalid = true;
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        json_error_t err;
        f->r.body = bodies[i];
        f->r.body_len = strlen(bodies[i]);
        assert_null(json_loadb(f->r.body, f->r.body_len, JSON_DECODE_ANY, &err));
        f->r.json_error = &err;
        assert_fail_why(&c, &f->r, want[i]);
    }
    f->r.json = saved;
    f->r.json_error = NULL;
    f->r.body = f->body;
    clear(&c);
}

/* A reason longer than the buffer ends in "..." and is never cut inside a UTF-8
 * sequence. */
static void test_check_reason_cut_on_utf8_boundary(void **state)
{
    struct fixture *f = *state;
    struct lg_check c = mk_json("$.name", LG_OP_EQUALS); /* "h\xc3\xa9llo" */
    c.expected = json_string("x");
    char why[17];
    assert_false(lg_check_eval(&c, &f->r, NULL, why, sizeof(why)));
    assert_string_equal(why, "$.name was \"h...");
    char full[64];
    assert_false(lg_check_eval(&c, &f->r, NULL, full, sizeof(full)));
    assert_string_equal(full, "$.name was \"h\xc3\xa9llo\", expected \"x\"");
    clear(&c);
}

/* ---- captures ---- */

static struct lg_capture mk_cap(enum lg_capture_kind kind)
{
    struct lg_capture c;
    memset(&c, 0, sizeof(c));
    c.kind = kind;
    c.name = "v";
    return c;
}

/* Runs a capture that must succeed and returns its value as compact JSON. */
static char *cap_ok(const struct lg_capture *c, const struct lg_response *r)
{
    json_t *v = NULL;
    char why[256] = "";
    int rc = lg_capture_eval(c, r, &v, why, sizeof(why));
    if (rc != 0)
        fail_msg("capture failed (%d): %s", rc, why);
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    return s;
}

#define assert_cap(c, r, expected)                                                                 \
    do {                                                                                           \
        char *got_ = cap_ok((c), (r));                                                             \
        assert_string_equal(got_, (expected));                                                     \
        free(got_);                                                                                \
    } while (0)

#define assert_cap_fails(c, r, expected)                                                           \
    do {                                                                                           \
        json_t *v_ = (json_t *)0x1;                                                                \
        char why_[256] = "";                                                                       \
        assert_int_equal(lg_capture_eval((c), (r), &v_, why_, sizeof(why_)), LG_ENOTFOUND);        \
        assert_ptr_equal(v_, (json_t *)0x1);                                                       \
        assert_string_equal(why_, (expected));                                                     \
    } while (0)

static void set_cap_path(struct lg_capture *c, const char *path)
{
    lg_jpath_free(c->path);
    c->path = NULL;
    assert_int_equal(lg_jpath_compile(path, &c->path, NULL, 0, NULL), 0);
}

static void test_check_capture_json(void **state)
{
    struct fixture *f = *state;
    struct lg_capture c = mk_cap(LG_CAPTURE_JSON);
    set_cap_path(&c, "$.sessionId");
    assert_cap(&c, &f->r, "\"abc-123\"");
    set_cap_path(&c, "$.count");
    assert_cap(&c, &f->r, "3");
    set_cap_path(&c, "$.nothing");
    assert_cap(&c, &f->r, "null");
    set_cap_path(&c, "$.obj");
    assert_cap(&c, &f->r, "{\"a\":1,\"b\":[1,2.0]}");
    set_cap_path(&c, "$.empty");
    assert_cap(&c, &f->r, "[]"); /* a singular path to an empty array is a value */
    set_cap_path(&c, "$.questions[*].id");
    assert_cap(&c, &f->r, "[\"q1\",\"q2\",\"q3\"]");
    lg_jpath_free(c.path);
}

static void test_check_capture_json_nothing(void **state)
{
    struct fixture *f = *state;
    struct lg_capture c = mk_cap(LG_CAPTURE_JSON);
    set_cap_path(&c, "$.sessionID");
    assert_cap_fails(&c, &f->r, "$.sessionID matched nothing");
    set_cap_path(&c, "$.empty[*]"); /* a list path that selects nothing: an empty list */
    assert_cap(&c, &f->r, "[]");
    set_cap_path(&c, "$.sessionId");
    json_t *saved = f->r.json;
    f->r.json = NULL;
    f->r.json_invalid = true;
    assert_cap_fails(&c, &f->r, "body is not JSON");
    f->r.json_invalid = false;
    assert_cap_fails(&c, &f->r, "no JSON body");
    f->r.json = saved;
    lg_jpath_free(c.path);
}

static void test_check_capture_header(void **state)
{
    struct fixture *f = *state;
    struct lg_capture c = mk_cap(LG_CAPTURE_HEADER);
    c.header = "x-request-id";
    assert_cap(&c, &f->r, "\"req-42\"");
    c.header = "x-latin1"; /* not UTF-8: the bad byte becomes U+FFFD */
    assert_cap(&c, &f->r, "\"caf\xef\xbf\xbd\"");
    c.header = "x-missing";
    assert_cap_fails(&c, &f->r, "header x-missing is missing");
}

static void test_check_capture_regex(void **state)
{
    struct fixture *f = *state;
    struct lg_capture c = mk_cap(LG_CAPTURE_REGEX);
    set_re(&c.re, &c.has_re, "\"sessionId\": \"([^\"]+)\"");
    assert_cap(&c, &f->r, "\"abc-123\""); /* group 1 */
    regfree(&c.re);
    set_re(&c.re, &c.has_re, "q[0-9]");
    assert_cap(&c, &f->r, "\"q1\""); /* no group: the whole (first) match */
    regfree(&c.re);
    set_re(&c.re, &c.has_re, "\"count\": (x)?3");
    assert_cap(&c, &f->r, "\"\""); /* group 1 did not take part */
    regfree(&c.re);
    set_re(&c.re, &c.has_re, "\"empty\": \\[\\]\\}$");
    assert_cap(&c, &f->r, "\"\\\"empty\\\": []}\"");
    regfree(&c.re);
    set_re(&c.re, &c.has_re, "token=([a-z]+)");
    char expect[80];
    snprintf(expect, sizeof(expect), "regex matched nothing in the body (%zu bytes)",
             f->r.body_len);
    assert_cap_fails(&c, &f->r, expect);
    regfree(&c.re);
}

static void test_check_capture_cookie(void **state)
{
    struct fixture *f = *state;
    struct lg_capture c = mk_cap(LG_CAPTURE_COOKIE);
    c.header = "session";
    assert_cap(&c, &f->r, "\"s3cr3t\"");
    c.header = "other";
    assert_cap_fails(&c, &f->r, "cookie other is not set");
    f->r.cookie = NULL;
    c.header = "session";
    assert_cap_fails(&c, &f->r, "cookie session is not set");
}

/* ---- TLS ---- */

/* What the VU would read from the connection: plain data behind the callback. */
struct fake_tls {
    bool https;
    int version;
    int64_t not_after_unix;
};

static int tls_cb(void *ud, int *version, int64_t *not_after_unix)
{
    const struct fake_tls *t = ud;
    if (!t->https)
        return -1;
    *version = t->version;
    *not_after_unix = t->not_after_unix;
    return 0;
}

static struct lg_check mk_tls_version(int min)
{
    struct lg_check c = mk(LG_CHECK_TLS, LG_OP_GTE);
    c.tls_min_version = min;
    return c;
}

static struct lg_check mk_cert(int64_t min_valid_s)
{
    struct lg_check c = mk(LG_CHECK_TLS, LG_OP_GTE);
    c.cert_min_valid_s = min_valid_s;
    return c;
}

#define DAY_S 86400
#define HOUR_S 3600

static void test_check_tls_version(void **state)
{
    int64_t now = (int64_t)time(NULL);
    struct fake_tls t = {.https = true, .version = 0x0303, .not_after_unix = now + 90 * DAY_S};
    struct lg_response r = {.status = 200, .tls = tls_cb, .ud = &t};
    struct lg_check c = mk_tls_version(0x0303); /* tls >= 1.2 */
    assert_pass(&c, &r);
    t.version = 0x0304;
    assert_pass(&c, &r);
    t.version = 0x0302;
    assert_fail_why(&c, &r, "TLS 1.1 is below 1.2");
    t.version = 0x0301;
    assert_fail_why(&c, &r, "TLS 1.0 is below 1.2");
    t.version = 0x0300;
    assert_fail_why(&c, &r, "SSL 3.0 is below 1.2");
    c = mk_tls_version(0x0304);
    t.version = 0x0303;
    assert_fail_why(&c, &r, "TLS 1.2 is below 1.3");
}

static void test_check_tls_certificate_validity(void **state)
{
    int64_t now = (int64_t)time(NULL);
    struct fake_tls t = {.https = true, .version = 0x0304, .not_after_unix = now + 90 * DAY_S};
    struct lg_response r = {.status = 200, .tls = tls_cb, .ud = &t};
    struct lg_check c = mk_cert(14 * DAY_S);
    assert_pass(&c, &r);
    /* A margin of minutes on each side keeps the text exact whatever the clock
     * does between here and the check's own time(NULL). */
    t.not_after_unix = now + 14 * DAY_S + 10 * 60;
    assert_pass(&c, &r);
    t.not_after_unix = now + 3 * DAY_S + 4 * HOUR_S + 30 * 60;
    assert_fail_why(&c, &r, "certificate expires in 3d 4h (needs 14d)");
    t.not_after_unix = now + 13 * DAY_S + 30 * 60;
    assert_fail_why(&c, &r, "certificate expires in 13d (needs 14d)");
    t.not_after_unix = now + 5 * HOUR_S + 12 * 60 + 30;
    assert_fail_why(&c, &r, "certificate expires in 5h 12m (needs 14d)");
    t.not_after_unix = now - 2 * DAY_S - 3 * HOUR_S - 30 * 60;
    assert_fail_why(&c, &r, "certificate expired 2d 3h ago");

    /* 336h reads as 14d; 0 asks only that it has not expired. */
    c = mk_cert(336 * HOUR_S + 90 * 60);
    t.not_after_unix = now + DAY_S + 30 * 60;
    assert_fail_why(&c, &r, "certificate expires in 1d (needs 14d 1h)");
    c = mk_cert(0);
    assert_pass(&c, &r);
    t.not_after_unix = now - 2 * HOUR_S - 20;
    assert_fail_why(&c, &r, "certificate expired 2h ago");
}

static void test_check_tls_not_https(void **state)
{
    struct fake_tls t = {.https = false};
    struct lg_response r = {.status = 200, .tls = tls_cb, .ud = &t};
    struct lg_check v = mk_tls_version(0x0303), cert = mk_cert(14 * DAY_S);
    assert_fail_why(&v, &r, "not HTTPS");
    assert_fail_why(&cert, &r, "not HTTPS");
    r.tls = NULL; /* a VU that offers no TLS information */
    assert_fail_why(&v, &r, "not HTTPS");
    assert_fail_why(&cert, &r, "not HTTPS");
}

/* ---- numbers beyond jansson's range ---- */

static const char *big_body =
    "{\"wei\": 1000000000000000000000, \"huge\": 1e309, \"neg\": -1e400,"
    " \"id\": 9007199254740993, \"r\": 0.25, \"list\": [1e400, 2], \"s\": \"1e400\","
    " \"long\": 1000000000000000000000000000000000000000000000000000000000000000000000000}";

static int setup_big(void **state)
{
    struct fixture *f = lg_calloc(1, sizeof(*f));
    size_t len = strlen(big_body);
    f->body = lg_malloc(len);
    memcpy(f->body, big_body, len);
    json_error_t e;
    f->r.json = lg_jnum_loadb(f->body, len, &e);
    if (!f->r.json)
        fail_msg("%s at %d", e.text, e.position);
    f->r.status = 200;
    f->r.body = f->body;
    f->r.body_len = len;
    *state = f;
    return 0;
}

static json_t *big(const char *lit)
{
    json_t *v = lg_jnum_new(lit, strlen(lit));
    assert_non_null(v);
    return v;
}

static void check_equals(struct fixture *f, const char *path, json_t *expected, const char *why)
{
    struct lg_check c = mk_json(path, LG_OP_EQUALS);
    c.expected = expected;
    if (why)
        assert_fail_why(&c, &f->r, why);
    else
        assert_pass(&c, &f->r);
    clear(&c);
}

static void test_check_json_big_numbers_equal_exactly(void **state)
{
    struct fixture *f = *state;
    check_equals(f, "$.wei", big("1e21"), NULL);
    check_equals(f, "$.wei", big("1000000000000000000000.000"), NULL);
    check_equals(f, "$.wei", big("1000000000000000000001"),
                 "$.wei was 1000000000000000000000, expected 1000000000000000000001");
    check_equals(f, "$.wei", json_real(1e21), NULL); /* a real compares as a double */
    check_equals(f, "$.wei", json_integer(5), "$.wei was 1000000000000000000000, expected 5");
    check_equals(
        f, "$.wei", json_string("1000000000000000000000"),
        "$.wei was 1000000000000000000000, expected \"1000000000000000000000\""); /* a string is not
                                                                                     a number */
    check_equals(f, "$.huge", big("10e308"), NULL);
    check_equals(f, "$.neg", big("1e400"), "$.neg was -1e400, expected 1e400");
    check_equals(f, "$.s", big("1e400"),
                 "$.s was \"1e400\", expected 1e400"); /* the document's string */
    check_equals(f, "$.s", json_string("1e400"), NULL);
    check_equals(f, "$.list", json_pack("[o, i]", big("1e400"), 2), NULL);
    check_equals(f, "$.list", json_pack("[i, i]", 2, 1), "$.list was [1e400,2], expected [2,1]");
    check_equals(
        f, "$.long", json_integer(1),
        "$.long was 100000000000000000000000000000000000000000000000000000000000..., expected 1");

    /* a template renders a number kept as text as its digits */
    struct tmpl_env e;
    char why[256];
    tmpl_env_init(&e, json_string("x"), big("1000000000000000000000"));
    struct lg_check c = mk_json("$.wei", LG_OP_EQUALS);
    c.expected_tmpl = compile_tmpl("{{n}}", &e.scope);
    assert_true(eval_ctx(&c, &f->r, &e.ctx, why, sizeof(why)));
    clear(&c);
    tmpl_env_free(&e);
}

static void test_check_json_big_numbers_type_length_matches(void **state)
{
    struct fixture *f = *state;
    check_type(f, "$.wei", LG_JT_NUMBER, NULL);
    check_type(f, "$.wei", LG_JT_INTEGER, NULL);
    check_type(f, "$.wei", LG_JT_STRING, "$.wei was an integer, expected a string");
    check_type(f, "$.huge", LG_JT_INTEGER, NULL); /* 1e309 has no fraction */
    check_type(f, "$.huge", LG_JT_STRING, "$.huge was a number, expected a string");
    check_type(f, "$.s", LG_JT_NUMBER, "$.s was a string, expected a number");
    check_type(f, "$.s", LG_JT_STRING, NULL);

    check_length(f, "$.wei", 22, "$.wei was an integer, which has no length");
    check_length(f, "$.s", 5, NULL);

    struct lg_check c = mk_json("$.wei", LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, "^10+$");
    assert_pass(&c, &f->r);
    clear(&c);
    c = mk_json("$.huge", LG_OP_MATCHES);
    set_re(&c.re, &c.has_re, "^[0-9]+$");
    assert_fail_why(&c, &f->r, "$.huge was 1e309, expected a match");
    clear(&c);

    c = mk_json("$.wei", LG_OP_EXISTS);
    c.bool_arg = true;
    assert_pass(&c, &f->r);
    clear(&c);
}

/* A comparison with its bound as the loader keeps it: number, and bound exactly
 * (NULL: only the double, as a bound written in hexadecimal). */
static void check_bound(struct fixture *f, const char *path, enum lg_check_op op, json_t *bound,
                        double n, const char *why)
{
    struct lg_check c = mk_json(path, op);
    c.bound = bound;
    c.number = n;
    if (why)
        assert_fail_why(&c, &f->r, why);
    else
        assert_pass(&c, &f->r);
    clear(&c);
}

static void test_check_json_big_numbers_compare_exactly(void **state)
{
    struct fixture *f = *state;
    check_bound(f, "$.wei", LG_OP_GT, big("999999999999999999999"), 1e21, NULL);
    check_bound(f, "$.wei", LG_OP_LT, big("1000000000000000000001"), 1e21, NULL);
    check_bound(f, "$.wei", LG_OP_LT, big("1e21"), 1e21,
                "$.wei was 1000000000000000000000, expected < 1e21");
    check_bound(f, "$.wei", LG_OP_LTE, big("1e21"), 1e21, NULL);
    check_bound(f, "$.wei", LG_OP_GTE, json_integer(INT64_MAX), 9.2e18, NULL);
    check_bound(f, "$.huge", LG_OP_GT, big("1e308"), 1e308, NULL);
    check_bound(f, "$.huge", LG_OP_GT, big("1e310"), HUGE_VAL,
                "$.huge was 1e309, expected > 1e310");
    check_bound(f, "$.neg", LG_OP_LT, json_integer(INT64_MIN), -9.2e18, NULL);
    check_bound(f, "$.neg", LG_OP_GTE, big("-1e401"), -HUGE_VAL, NULL);
    /* an integer the double rounds (2^53 + 1) compares exactly with its bound */
    check_bound(f, "$.id", LG_OP_GT, json_integer(9007199254740992), 9007199254740992.0, NULL);
    check_bound(f, "$.id", LG_OP_LT, big("9007199254740993.5"), 9007199254740994.0, NULL);
    /* a real in the body is a double: compared with the double bound */
    check_bound(f, "$.r", LG_OP_LT, big("0.5"), 0.5, NULL);
    check_bound(f, "$.r", LG_OP_GT, big("0.5"), 0.5, "$.r was 0.25, expected > 0.5");
    /* without an exact bound: as doubles */
    check_bound(f, "$.wei", LG_OP_GT, NULL, 1e20, NULL);
    check_bound(f, "$.huge", LG_OP_GT, NULL, 1e308, NULL);
    check_bound(f, "$.s", LG_OP_GT, big("1"), 1, "$.s was \"1e400\", expected a number > 1");
}

static void test_check_capture_big_numbers(void **state)
{
    struct fixture *f = *state;
    struct lg_capture c = mk_cap(LG_CAPTURE_JSON);
    json_t *v = NULL;
    char why[256] = "";
    struct lg_buf text = {0};
    set_cap_path(&c, "$.wei");
    assert_int_equal(lg_capture_eval(&c, &f->r, &v, why, sizeof(why)), 0);
    lg_tmpl_value_text(v, &text);
    assert_string_equal(text.data, "1000000000000000000000");
    json_decref(v);
    lg_buf_reset(&text);
    set_cap_path(&c, "$.list");
    assert_int_equal(lg_capture_eval(&c, &f->r, &v, why, sizeof(why)), 0);
    lg_tmpl_value_text(v, &text);
    assert_string_equal(text.data, "[1e400,2]");
    json_decref(v);
    lg_buf_free(&text);
    lg_jpath_free(c.path);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#define B(name) cmocka_unit_test_setup_teardown(name, setup_big, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_check_status_in_ranges),
        T(test_check_header_exists),
        T(test_check_header_equals),
        T(test_check_header_contains),
        T(test_check_header_matches),
        T(test_check_header_long_value_is_cut),
        T(test_check_header_without_callback),
        T(test_check_json_no_body),
        T(test_check_json_exists),
        T(test_check_json_exists_wildcard),
        T(test_check_json_equals),
        T(test_check_json_equals_numbers_by_value),
        T(test_check_json_equals_wildcard_is_array),
        T(test_check_json_matches),
        T(test_check_json_matches_non_string_text),
        T(test_check_json_type),
        T(test_check_json_length),
        T(test_check_json_compare),
        T(test_check_body_contains),
        T(test_check_body_matches),
        T(test_check_latency),
        cmocka_unit_test(test_check_tls_version),
        cmocka_unit_test(test_check_tls_certificate_validity),
        cmocka_unit_test(test_check_tls_not_https),
        T(test_check_until_is_internal),
        T(test_check_why_may_be_null),
        T(test_check_json_equals_template),
        T(test_check_equals_template_unset_slot),
        T(test_check_header_equals_template_hides_secret),
        T(test_check_reasons_hide_secrets),
        T(test_check_json_not_json_says_where),
        T(test_check_reason_cut_on_utf8_boundary),
        T(test_check_capture_json),
        T(test_check_capture_json_nothing),
        T(test_check_capture_header),
        T(test_check_capture_regex),
        T(test_check_capture_cookie),
        B(test_check_json_big_numbers_equal_exactly),
        B(test_check_json_big_numbers_type_length_matches),
        B(test_check_json_big_numbers_compare_exactly),
        B(test_check_capture_big_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
