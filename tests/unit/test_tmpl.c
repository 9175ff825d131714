/* Unit tests for tmpl: exact output of every expression form and escape mode,
 * digests against published test vectors (FIPS 180-2, RFC 4231, RFC 4648), and the
 * exact message and byte offset of every compile error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "jnum.h"
#include "tmpl.h"
#include "util.h"

/* Slots of the fixture, in scope order. */
enum {
    S_NAME,  /* "Ann" */
    S_N,     /* 42 */
    S_NEG,   /* -7 */
    S_REAL,  /* 1.5 */
    S_TRUE,  /* true */
    S_NIL,   /* null */
    S_ARR,   /* [1,"a",{"b":null}] */
    S_NASTY, /* a"b\c, newline, tab, 0x01, /, é */
    S_URL,   /* "a b&c=d/é~-._" */
    S_KEY,   /* "Jefe" */
    S_MSG,   /* "what do ya want for nothing?" */
    S_LO,    /* 10 */
    S_HI,    /* "12" (a string that is an integer) */
    S_WORD,  /* "x" */
    S_UNSET, /* never set */
    S_A,     /* "a" */
    S_WEI,   /* 1000000000000000000000, kept as text (beyond int64) */
    S_HUGE,  /* 1e+400, kept as text (beyond a double) */
    S_BIGS,  /* [1e400,2,"x",{"k":-99999999999999999999}] */
    N_SLOTS,
};

static const char *slot_names[N_SLOTS] = {
    "name", "n",  "neg", "r",    "flag",  "nil", "arr", "nasty", "url",  "key",
    "msg",  "lo", "hi",  "word", "unset", "a",   "wei", "huge",  "bigs",
};

struct fx {
    struct lg_scope scope;
    json_t *slots[N_SLOTS];
    struct lg_rng rng;
    struct lg_buf scratch;
    struct lg_tmpl_ctx ctx;
};

static int setup(void **state)
{
    struct fx *f = lg_calloc(1, sizeof(*f));
    for (int i = 0; i < N_SLOTS; i++)
        assert_int_equal(lg_scope_add(&f->scope, slot_names[i]), i);
    f->slots[S_NAME] = json_string("Ann");
    f->slots[S_N] = json_integer(42);
    f->slots[S_NEG] = json_integer(-7);
    f->slots[S_REAL] = json_real(1.5);
    f->slots[S_TRUE] = json_true();
    f->slots[S_NIL] = json_null();
    f->slots[S_ARR] = json_loads("[1,\"a\",{\"b\":null}]", 0, NULL);
    f->slots[S_NASTY] = json_string("a\"b\\c\n\t\x01/\xc3\xa9");
    f->slots[S_URL] = json_string("a b&c=d/\xc3\xa9~-._");
    f->slots[S_KEY] = json_string("Jefe");
    f->slots[S_MSG] = json_string("what do ya want for nothing?");
    f->slots[S_LO] = json_integer(10);
    f->slots[S_HI] = json_string("12");
    f->slots[S_WORD] = json_string("x");
    f->slots[S_A] = json_string("a");
    f->slots[S_WEI] = lg_jnum_new("1000000000000000000000", 22);
    f->slots[S_HUGE] = lg_jnum_new("1e+400", 6);
    f->slots[S_BIGS] = lg_jnum_loadb("[1e400,2,\"x\",{\"k\":-99999999999999999999}]", 41, NULL);
    assert_non_null(f->slots[S_BIGS]);
    lg_rng_seed(&f->rng, 42);
    f->ctx = (struct lg_tmpl_ctx){
        .slots = f->slots,
        .n_slots = N_SLOTS,
        .scope = &f->scope,
        .vu_id = 7,
        .iteration = 3,
        .rng = &f->rng,
        .scratch = &f->scratch,
    };
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < N_SLOTS; i++)
        json_decref(f->slots[i]);
    lg_scope_free(&f->scope);
    lg_buf_free(&f->scratch);
    free(f);
    return 0;
}

static struct lg_tmpl *compile_ok(struct fx *f, const char *src, enum lg_tmpl_esc esc)
{
    struct lg_tmpl *t = NULL;
    struct lg_tmpl_err err = {0};
    if (lg_tmpl_compile(src, esc, &f->scope, &t, &err) != 0)
        fail_msg("compile of %s failed: %s at %d", src, err.msg, err.offset);
    return t;
}

/* Compiles src (must succeed) and renders it with the fixture; caller frees. */
static char *render(struct fx *f, const char *src, enum lg_tmpl_esc esc)
{
    struct lg_tmpl *t = compile_ok(f, src, esc);
    struct lg_buf out = {0};
    int unset = -1;
    int rc = lg_tmpl_render(t, &f->ctx, &out, &unset);
    if (rc != 0)
        fail_msg("render of %s failed: %d (slot %d)", src, rc, unset);
    lg_tmpl_free(t);
    return lg_buf_take(&out);
}

#define assert_render(f, src, esc, want)                                                           \
    do {                                                                                           \
        char *got_ = render((f), (src), (esc));                                                    \
        assert_string_equal(got_, (want));                                                         \
        free(got_);                                                                                \
    } while (0)

static void assert_compile_error(struct fx *f, const char *src, const char *msg, int offset)
{
    struct lg_tmpl *t = NULL;
    struct lg_tmpl_err err = {0};
    int rc = lg_tmpl_compile(src, LG_TMPL_RAW, &f->scope, &t, &err);
    if (rc != LG_ESYNTAX)
        fail_msg("%s: expected a syntax error, got %d", src, rc);
    assert_null(t);
    if (strcmp(err.msg, msg) != 0 || err.offset != offset)
        fail_msg("%s: got \"%s\" at %d, want \"%s\" at %d", src, err.msg, err.offset, msg, offset);
}

static void test_tmpl_literal_text_is_copied(void **state)
{
    struct fx *f = *state;
    const char *src = "plain } text }} with {single \"quotes\" and %20";
    assert_render(f, src, LG_TMPL_JSON, src);
    assert_render(f, src, LG_TMPL_URL, src);
    assert_render(f, "", LG_TMPL_RAW, "");
}

static void test_tmpl_slot_substitution(void **state)
{
    struct fx *f = *state;
    assert_render(f, "Hi {{name}}!", LG_TMPL_RAW, "Hi Ann!");
    assert_render(f, "{{ name }}{{\tname\n}}{{name   }}", LG_TMPL_RAW, "AnnAnnAnn");
    assert_render(f, "/users/{{n}}/x/{{neg}}", LG_TMPL_RAW, "/users/42/x/-7");
    assert_render(f, "{{r}} {{flag}} {{nil}}", LG_TMPL_RAW, "1.5 true null");
    assert_render(f, "{{arr}}", LG_TMPL_RAW, "[1,\"a\",{\"b\":null}]");
}

static void value_is(json_t *v, const char *want)
{
    struct lg_buf b = {0};
    lg_tmpl_value_text(v, &b);
    assert_string_equal(b.data, want);
    lg_buf_free(&b);
    json_decref(v);
}

static void test_tmpl_value_text_numbers(void **state)
{
    value_is(json_integer(0), "0");
    value_is(json_integer(INT64_MIN), "-9223372036854775808");
    value_is(json_real(1.5), "1.5");
    value_is(json_real(2.0), "2.0");
    value_is(json_real(-2.0), "-2.0");
    value_is(json_real(100.0), "100.0");
    value_is(json_real(0.1), "0.1");
    value_is(json_real(-0.25), "-0.25");
    value_is(json_real(1.0 / 3.0), "0.3333333333333333");
    value_is(json_real(0.1 + 0.2), "0.30000000000000004");
    value_is(json_real(123456789.125), "123456789.125");
    value_is(json_real(1e300), "1e+300");
    value_is(json_real(1e21), "1e+21");
    value_is(json_real(5e-324), "4.94065645841247e-324"); /* 15 digits read back */
}

static void test_tmpl_value_text_other_types(void **state)
{
    value_is(json_string("as is \"\n"), "as is \"\n");
    value_is(json_stringn("nul\0byte", 8), "nul\0byte"); /* compared up to the NUL */
    value_is(json_true(), "true");
    value_is(json_false(), "false");
    value_is(json_null(), "null");
    value_is(json_loads("{\"b\": [1, 2.5], \"a\": \"x\"}", 0, NULL), "{\"b\":[1,2.5],\"a\":\"x\"}");
    value_is(json_array(), "[]");

    struct lg_buf b = {0};
    json_t *s = json_stringn("nul\0byte", 8);
    lg_tmpl_value_text(s, &b);
    assert_int_equal(b.len, 8);
    assert_memory_equal(b.data, "nul\0byte", 8);
    json_decref(s);
    lg_buf_free(&b);
}

static void test_tmpl_big_numbers_render_as_digits(void **state)
{
    struct fx *f = *state;
    /* a raw JSON body: the number goes out unquoted, exactly */
    assert_render(f, "{\"amount\": {{wei}}}", LG_TMPL_RAW, "{\"amount\": 1000000000000000000000}");
    assert_render(f, "{{huge}} {{bigs}}", LG_TMPL_RAW,
                  "1e+400 [1e400,2,\"x\",{\"k\":-99999999999999999999}]");
    /* inside a JSON string (a `json:` body): the digits, quoted by the body */
    assert_render(f, "{\"amount\":\"{{wei}}\"}", LG_TMPL_JSON,
                  "{\"amount\":\"1000000000000000000000\"}");
    assert_render(f, "\"{{bigs}}\"", LG_TMPL_JSON,
                  "\"[1e400,2,\\\"x\\\",{\\\"k\\\":-99999999999999999999}]\"");
    /* in a URL: percent-encoded like any value */
    assert_render(f, "/t?wei={{wei}}&huge={{huge}}", LG_TMPL_URL,
                  "/t?wei=1000000000000000000000&huge=1e%2B400");
    /* as a function's argument: its digits */
    assert_render(f, "{{base64 wei}}", LG_TMPL_RAW, "MTAwMDAwMDAwMDAwMDAwMDAwMDAwMA==");

    value_is(lg_jnum_new("-12.5e-3", 8), "-12.5e-3");
    value_is(lg_jnum_loadb("{\"a\":[1e400]}", 13, NULL), "{\"a\":[1e400]}");
}

static void test_tmpl_escape_json(void **state)
{
    struct fx *f = *state;
    assert_render(f, "{\"k\":\"{{nasty}}\"}", LG_TMPL_JSON,
                  "{\"k\":\"a\\\"b\\\\c\\n\\t\\u0001/\xc3\xa9\"}");
    assert_render(f, "{{nasty}}", LG_TMPL_RAW, "a\"b\\c\n\t\x01/\xc3\xa9");
    /* Non-string values are escaped too: their text can hold quotes. */
    assert_render(f, "\"{{arr}}\"", LG_TMPL_JSON, "\"[1,\\\"a\\\",{\\\"b\\\":null}]\"");
    assert_render(f, "{{n}} {{r}} {{flag}}", LG_TMPL_JSON, "42 1.5 true");

    json_t *ctl = json_string("\b\f\r\x1f\x7f");
    json_t *saved = f->slots[S_WORD];
    f->slots[S_WORD] = ctl;
    assert_render(f, "{{word}}", LG_TMPL_JSON, "\\b\\f\\r\\u001F\x7f");
    f->slots[S_WORD] = saved;
    json_decref(ctl);
}

static void test_tmpl_escape_url(void **state)
{
    struct fx *f = *state;
    assert_render(f, "/q?x={{url}}&y=1", LG_TMPL_URL, "/q?x=a%20b%26c%3Dd%2F%C3%A9~-._&y=1");
    assert_render(f, "{{nasty}}", LG_TMPL_URL, "a%22b%5Cc%0A%09%01%2F%C3%A9");
    assert_render(f, "{{neg}}", LG_TMPL_URL, "-7");
    assert_render(f, "{{arr}}", LG_TMPL_URL, "%5B1%2C%22a%22%2C%7B%22b%22%3Anull%7D%5D");
    assert_render(f, "{{url}}", LG_TMPL_RAW, "a b&c=d/\xc3\xa9~-._");
}

static void test_tmpl_add_lit_is_never_escaped(void **state)
{
    struct fx *f = *state;
    struct lg_tmpl *t = lg_tmpl_new();
    struct lg_tmpl_err err;
    lg_tmpl_add_lit(t, "a b\"{{name}}", 12);
    assert_int_equal(lg_tmpl_add_src(t, "={{url}}", LG_TMPL_URL, &f->scope, &err), 0);
    assert_int_equal(lg_tmpl_add_src(t, " {{nasty}} \"", LG_TMPL_JSON, &f->scope, &err), 0);
    assert_true(!lg_tmpl_is_const(t));
    struct lg_buf out = {0};
    lg_buf_puts(&out, ">");
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
    assert_string_equal(out.data, ">a b\"{{name}}=a%20b%26c%3Dd%2F%C3%A9~-._ "
                                  "a\\\"b\\\\c\\n\\t\\u0001/\xc3\xa9 \"");
    lg_buf_free(&out);
    lg_tmpl_free(t);
}

static void test_tmpl_vu_id_and_iteration(void **state)
{
    struct fx *f = *state;
    assert_render(f, "vu{{vu.id}}-it{{ iteration }}", LG_TMPL_RAW, "vu7-it3");
    f->ctx.iteration = UINT64_MAX;
    f->ctx.vu_id = UINT32_MAX;
    assert_render(f, "{{vu.id}} {{iteration}}", LG_TMPL_URL, "4294967295 18446744073709551615");
}

/* The UUID that seed's first two draws make, built here without tmpl's code path:
 * fields of RFC 4122 from the two 64-bit words, version and variant forced. */
static void expected_uuid(uint64_t seed, char out[37])
{
    struct lg_rng r;
    lg_rng_seed(&r, seed);
    uint64_t hi = lg_rng_next(&r), lo = lg_rng_next(&r);
    snprintf(out, 37, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
             hi >> 32, (hi >> 16) & 0xffff, (hi & 0x0fff) | 0x4000, ((lo >> 48) & 0x3fff) | 0x8000,
             lo & (uint64_t)0xffffffffffff);
}

static void test_tmpl_uuid_format_and_determinism(void **state)
{
    struct fx *f = *state;
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                             "[0-9a-f]{12}$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    struct lg_tmpl *t = compile_ok(f, "{{uuid}}", LG_TMPL_RAW);
    assert_false(lg_tmpl_is_const(t));
    char want[37];
    for (uint64_t seed = 1; seed <= 50; seed++) {
        lg_rng_seed(&f->rng, seed);
        struct lg_buf out = {0};
        assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
        assert_int_equal(regexec(&re, out.data, 0, NULL, 0), 0);
        expected_uuid(seed, want);
        assert_string_equal(out.data, want);
        lg_buf_free(&out);
    }
    /* Successive draws of one user differ. */
    lg_rng_seed(&f->rng, 42);
    char *two = render(f, "{{uuid}} {{uuid}}", LG_TMPL_RAW);
    assert_int_equal(strlen(two), 73);
    assert_memory_not_equal(two, two + 37, 36);
    free(two);
    regfree(&re);
    lg_tmpl_free(t);
}

static void test_tmpl_now_ms(void **state)
{
    struct fx *f = *state;
    int64_t before = lg_wall_ms();
    char *s = render(f, "{{now_ms}}", LG_TMPL_RAW);
    int64_t after = lg_wall_ms();
    char *end;
    long long v = strtoll(s, &end, 10);
    assert_int_equal(*end, '\0');
    assert_true(v >= before && v <= after);
    free(s);
}

static void test_tmpl_random_int_bounds(void **state)
{
    struct fx *f = *state;
    struct lg_tmpl *t = compile_ok(f, "{{random_int -2 2}}", LG_TMPL_RAW);
    int seen[5] = {0};
    struct lg_buf out = {0};
    for (int i = 0; i < 2000; i++) {
        lg_buf_reset(&out);
        assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
        char *end;
        long v = strtol(out.data, &end, 10);
        assert_int_equal(*end, '\0');
        assert_true(v >= -2 && v <= 2);
        seen[v + 2]++;
    }
    for (int i = 0; i < 5; i++)
        assert_true(seen[i] > 0);
    lg_tmpl_free(t);

    assert_render(f, "{{random_int 5 5}}", LG_TMPL_RAW, "5");
    assert_render(f, "{{random_int \"5\" 5}}", LG_TMPL_RAW, "5");
    /* Arguments from slots (an integer and a string holding one). */
    t = compile_ok(f, "{{random_int lo hi}}", LG_TMPL_RAW);
    for (int i = 0; i < 200; i++) {
        lg_buf_reset(&out);
        assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
        long v = strtol(out.data, NULL, 10);
        assert_true(v >= 10 && v <= 12);
    }
    lg_tmpl_free(t);
    /* The whole int64 range has a span that does not fit: no overflow. */
    t = compile_ok(f, "{{random_int -9223372036854775808 9223372036854775807}}", LG_TMPL_RAW);
    lg_buf_reset(&out);
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
    assert_true(out.len > 0);
    lg_tmpl_free(t);
    lg_buf_free(&out);
}

static void test_tmpl_random_int_bad_runtime_args(void **state)
{
    struct fx *f = *state;
    struct lg_buf out = {0};
    lg_buf_puts(&out, "keep");
    struct lg_tmpl *t = compile_ok(f, "x{{random_int hi lo}}", LG_TMPL_RAW); /* 12 > 10 */
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), LG_EINVAL);
    assert_string_equal(out.data, "keep");
    lg_tmpl_free(t);
    t = compile_ok(f, "x{{random_int 1 word}}", LG_TMPL_RAW);
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), LG_EINVAL);
    assert_string_equal(out.data, "keep");
    lg_tmpl_free(t);
    lg_buf_free(&out);
}

static void test_tmpl_base64(void **state)
{
    struct fx *f = *state;
    /* RFC 4648 section 10. */
    assert_render(f, "[{{base64 \"\"}}]", LG_TMPL_RAW, "[]");
    assert_render(f, "{{base64 \"f\"}}", LG_TMPL_RAW, "Zg==");
    assert_render(f, "{{base64 \"fo\"}}", LG_TMPL_RAW, "Zm8=");
    assert_render(f, "{{base64 \"foo\"}}", LG_TMPL_RAW, "Zm9v");
    assert_render(f, "{{base64 \"foob\"}}", LG_TMPL_RAW, "Zm9vYg==");
    assert_render(f, "{{base64 \"fooba\"}}", LG_TMPL_RAW, "Zm9vYmE=");
    assert_render(f, "{{base64 \"foobar\"}}", LG_TMPL_RAW, "Zm9vYmFy");
    assert_render(f, "{{base64 name}}", LG_TMPL_RAW, "QW5u");
    /* Standard alphabet: 0xfb 0xff -> "+/8="; URL mode escapes it. */
    json_t *bin = json_stringn_nocheck("\xfb\xff", 2); /* not UTF-8 */
    json_t *saved = f->slots[S_WORD];
    f->slots[S_WORD] = bin;
    assert_render(f, "{{base64 word}}", LG_TMPL_RAW, "+/8=");
    assert_render(f, "{{base64 word}}", LG_TMPL_URL, "%2B%2F8%3D");
    /* Longer than one internal chunk: the same as one EVP_EncodeBlock of it all. */
    char big[1001];
    for (int i = 0; i < 1000; i++)
        big[i] = (char)('!' + i % 90);
    big[1000] = '\0';
    json_t *bigv = json_string(big);
    f->slots[S_WORD] = bigv;
    unsigned char want[1400];
    EVP_EncodeBlock(want, (const unsigned char *)big, 1000);
    assert_render(f, "{{base64 word}}", LG_TMPL_RAW, (char *)want);
    f->slots[S_WORD] = saved;
    json_decref(bin);
    json_decref(bigv);
}

static void test_tmpl_sha256(void **state)
{
    struct fx *f = *state;
    /* FIPS 180-2 appendix B.1, and the empty message. */
    assert_render(f, "{{sha256 \"abc\"}}", LG_TMPL_RAW,
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_render(f, "{{sha256 \"\"}}", LG_TMPL_RAW,
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    json_t *abc = json_string("abc");
    json_t *saved = f->slots[S_WORD];
    f->slots[S_WORD] = abc;
    assert_render(f, "{{sha256 word}}", LG_TMPL_JSON,
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    f->slots[S_WORD] = saved;
    json_decref(abc);
}

static void test_tmpl_hmac_sha256_rfc4231(void **state)
{
    struct fx *f = *state;
    /* RFC 4231 test case 2, from constants (folded) and from slots (rendered). */
    const char *tc2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    assert_render(f, "{{hmac_sha256 \"Jefe\" \"what do ya want for nothing?\"}}", LG_TMPL_RAW, tc2);
    assert_render(f, "{{hmac_sha256 key msg}}", LG_TMPL_RAW, tc2);
    /* Test case 1: a binary key of twenty 0x0b bytes. */
    json_t *k = json_string("\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"
                            "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b");
    json_t *saved = f->slots[S_WORD];
    f->slots[S_WORD] = k;
    assert_render(f, "{{hmac_sha256 word \"Hi There\"}}", LG_TMPL_RAW,
                  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    f->slots[S_WORD] = saved;
    json_decref(k);
    /* An empty key is valid HMAC. */
    assert_render(f, "{{hmac_sha256 \"\" \"\"}}", LG_TMPL_RAW,
                  "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void test_tmpl_nested_calls(void **state)
{
    struct fx *f = *state;
    const char *want = "ff6c0e5a7b16bb6159c1a6a4e86c55fb088a5b00f8fe9c54defd72e3027786f8";
    assert_render(f, "{{sha256 (base64 \"a\")}}", LG_TMPL_RAW, want); /* folded */
    assert_render(f, "{{sha256 (base64 a)}}", LG_TMPL_RAW, want);     /* rendered */
    assert_render(f, "{{ sha256 ( base64 a ) }}", LG_TMPL_URL, want);
    assert_render(f, "{{(sha256 (base64 a))}}", LG_TMPL_JSON, want);
    /* Two levels, two arguments, rendered and folded alike. */
    const char *deep = "92dd9986fc0f42471d9ec46737d320a2fb2aed5f95bee4c2c756112b01fe355e";
    assert_render(f, "{{hmac_sha256 (sha256 key) (base64 (sha256 msg))}}", LG_TMPL_RAW, deep);
    assert_render(f,
                  "{{hmac_sha256 (sha256 \"Jefe\") (base64 (sha256 \"what do ya want for "
                  "nothing?\"))}}",
                  LG_TMPL_RAW, deep);
    /* A nested value escaped as a whole. */
    assert_render(f, "{{base64 (base64 \"\\\"\")}}", LG_TMPL_URL, "SWc9PQ%3D%3D");
}

static void test_tmpl_constants_become_literal_text(void **state)
{
    struct fx *f = *state;
    const char *cases[][3] = {
        {"{{\"{{\"}}", "{{", "{{"},
        {"{{ \"say \\\"hi\\\" \\\\\" }}", "say \"hi\" \\", "say \\\"hi\\\" \\\\"},
        {"{{ 007 }}-{{-0}}-{{-12}}", "7-0--12", "7-0--12"},
        {"x{{sha256 \"abc\"}}y",
         "xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ady",
         "xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ady"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lg_tmpl *t = compile_ok(f, cases[i][0], LG_TMPL_RAW);
        assert_true(lg_tmpl_is_const(t));
        struct lg_buf out = {0};
        assert_int_equal(lg_tmpl_render(t, NULL, &out, NULL), 0); /* no ctx needed */
        assert_string_equal(out.data, cases[i][1]);
        lg_buf_free(&out);
        lg_tmpl_free(t);
        assert_render(f, cases[i][0], LG_TMPL_JSON, cases[i][2]);
    }
}

static void test_tmpl_unset_slot(void **state)
{
    struct fx *f = *state;
    const char *srcs[] = {"x{{name}}{{unset}}", "{{sha256 (base64 unset)}}", "{{unset}}"};
    for (size_t i = 0; i < 3; i++) {
        struct lg_tmpl *t = compile_ok(f, srcs[i], i == 2 ? LG_TMPL_JSON : LG_TMPL_RAW);
        struct lg_buf out = {0};
        lg_buf_puts(&out, "keep");
        int slot = -1;
        assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, &slot), LG_EUNSET);
        assert_int_equal(slot, S_UNSET);
        assert_string_equal(out.data, "keep");
        assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), LG_EUNSET);
        lg_buf_free(&out);
        lg_tmpl_free(t);
    }
    /* A slot beyond the context's slots is unset too. */
    struct lg_tmpl *t = compile_ok(f, "{{a}}", LG_TMPL_RAW);
    struct lg_tmpl_ctx small = f->ctx;
    small.n_slots = S_A;
    struct lg_buf out = {0};
    int slot = -1;
    assert_int_equal(lg_tmpl_render(t, &small, &out, &slot), LG_EUNSET);
    assert_int_equal(slot, S_A);
    lg_buf_free(&out);
    lg_tmpl_free(t);
}

static void test_tmpl_compile_errors(void **state)
{
    struct fx *f = *state;
    assert_compile_error(f, "ab {{ name", "unterminated '{{'", 3);
    assert_compile_error(f, "{{name}} {{", "unterminated '{{'", 9);
    assert_compile_error(f, "{{ sha256 \"a\" }", "unterminated '{{'", 0);
    assert_compile_error(f, "{{ nope }}", "undefined variable 'nope'", 3);
    assert_compile_error(f, "{{sha256 (base64 nope)}}", "undefined variable 'nope'", 17);
    assert_compile_error(f, "{{ a.b }}", "undefined variable 'a.b'", 3);
    assert_compile_error(f, "{{vu.idx}}", "undefined variable 'vu.idx'", 2);
    assert_compile_error(f, "{{foo bar}}", "unknown function 'foo'", 2);
    assert_compile_error(f, "{{ name \"x\" }}", "unknown function 'name'", 3);
    assert_compile_error(f, "{{sha256}}", "sha256 takes 1 argument", 2);
    assert_compile_error(f, "{{ sha256 \"a\" \"b\" }}", "sha256 takes 1 argument", 3);
    assert_compile_error(f, "{{hmac_sha256 \"k\"}}", "hmac_sha256 takes 2 arguments", 2);
    assert_compile_error(f, "{{random_int 1}}", "random_int takes 2 arguments", 2);
    assert_compile_error(f, "{{uuid 1}}", "uuid takes no arguments", 2);
    assert_compile_error(f, "{{base64 sha256}}", "sha256 takes 1 argument", 9);
    assert_compile_error(f, "{{\"a\\nb\"}}", "invalid escape '\\n' in string", 4);
    assert_compile_error(f, "{{ \"abc }}", "unterminated string", 3);
    assert_compile_error(f, "{{}}", "empty expression", 0);
    assert_compile_error(f, "{{ sha256 ( ) }}", "empty expression", 10);
    assert_compile_error(f, "{{sha256 (base64 a}}", "expected ')'", 18);
    assert_compile_error(f, "{{\"a\" \"b\"}}", "expected '}}'", 6);
    assert_compile_error(f, "{{ name) }}", "expected '}}'", 7);
    assert_compile_error(f, "{{ ) }}", "unexpected ')'", 3);
    assert_compile_error(f, "{{ # }}", "unexpected character '#'", 3);
    assert_compile_error(f, "{{12ab}}", "invalid number '12ab'", 2);
    assert_compile_error(f, "{{99999999999999999999}}",
                         "integer out of range '99999999999999999999'", 2);
    assert_compile_error(f, "{{random_int 5 1}}", "random_int: 5 is greater than 1", 13);
    assert_compile_error(f, "{{random_int \"x\" 1}}", "random_int: '\"x\"' is not an integer", 13);
    assert_compile_error(f, "{{env.}}", "invalid environment variable name 'env.'", 2);
    assert_compile_error(f, "{{env.A.B}}", "invalid environment variable name 'env.A.B'", 2);
}

/* "{{" + depth "(" + "name" + depth ")" + "}}"; caller frees. */
static char *nested_parens(int depth)
{
    struct lg_buf b = {0};
    lg_buf_puts(&b, "{{");
    for (int i = 0; i < depth; i++)
        lg_buf_putc(&b, '(');
    lg_buf_puts(&b, "name");
    for (int i = 0; i < depth; i++)
        lg_buf_putc(&b, ')');
    lg_buf_puts(&b, "}}");
    return lg_buf_take(&b);
}

/* Parentheses nest 32 deep; deeper is an error at the 33rd "(", however deep the
 * input goes (100,000 levels once overflowed the parser's stack). */
static void test_tmpl_nesting_limit(void **state)
{
    struct fx *f = *state;
    char *src = nested_parens(32);
    assert_render(f, src, LG_TMPL_RAW, "Ann");
    free(src);
    src = nested_parens(33);
    assert_compile_error(f, src, "parentheses nested deeper than 32 levels", 34);
    free(src);
    src = nested_parens(100000);
    assert_compile_error(f, src, "parentheses nested deeper than 32 levels", 34);
    free(src);
}

static void test_tmpl_error_leaves_template_unchanged(void **state)
{
    struct fx *f = *state;
    struct lg_tmpl *t = lg_tmpl_new();
    struct lg_tmpl_err err;
    assert_int_equal(lg_tmpl_add_src(t, "a{{name}}b", LG_TMPL_RAW, &f->scope, &err), 0);
    unsetenv("LG_TMPL_TEST_NOPE");
    assert_int_equal(lg_tmpl_add_src(t, "c{{env.LG_TMPL_TEST_NOPE}}d{{n}}e{{bad}}", LG_TMPL_RAW,
                                     &f->scope, &err),
                     LG_ESYNTAX);
    assert_string_equal(err.msg, "undefined variable 'bad'");
    assert_int_equal(err.offset, 35);
    assert_int_equal(lg_tmpl_add_src(t, "{{", LG_TMPL_RAW, &f->scope, NULL), LG_ESYNTAX);
    assert_false(lg_tmpl_is_secret(t));
    assert_null(lg_tmpl_missing_env(t));
    int slots[4];
    assert_int_equal(lg_tmpl_slots(t, slots, 4), 1);
    assert_int_equal(lg_tmpl_add_src(t, "!", LG_TMPL_RAW, &f->scope, &err), 0);
    struct lg_buf out = {0};
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
    assert_string_equal(out.data, "aAnnb!");
    lg_buf_free(&out);
    lg_tmpl_free(t);
}

static void test_tmpl_env_present_missing_secret(void **state)
{
    struct fx *f = *state;
    setenv("LG_TMPL_TEST_KEY", "s3cr et/+", 1);
    unsetenv("LG_TMPL_TEST_MISSING");

    struct lg_tmpl *t = compile_ok(f, "Bearer {{env.LG_TMPL_TEST_KEY}}", LG_TMPL_RAW);
    setenv("LG_TMPL_TEST_KEY", "changed", 1); /* read once, at compile time */
    assert_true(lg_tmpl_is_secret(t));
    assert_false(lg_tmpl_is_const(t));
    assert_null(lg_tmpl_missing_env(t));
    struct lg_buf out = {0};
    assert_int_equal(lg_tmpl_render(t, NULL, &out, NULL), 0);
    assert_string_equal(out.data, "Bearer s3cr et/+");
    lg_buf_free(&out);
    lg_tmpl_free(t);
    setenv("LG_TMPL_TEST_KEY", "s3cr et/+", 1);
    assert_render(f, "k={{env.LG_TMPL_TEST_KEY}}", LG_TMPL_URL, "k=s3cr%20et%2F%2B");
    assert_render(f, "{{sha256 env.LG_TMPL_TEST_KEY}}", LG_TMPL_RAW,
                  "e2e04ce292661cbc9af728b7cbb97b02c468cf8f2611cf58d993fc07db595684");

    t = compile_ok(f, "[{{env.LG_TMPL_TEST_MISSING}}][{{env.LG_TMPL_TEST_ALSO_MISSING}}]",
                   LG_TMPL_RAW);
    assert_true(lg_tmpl_is_secret(t));
    assert_string_equal(lg_tmpl_missing_env(t), "LG_TMPL_TEST_MISSING");
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
    assert_string_equal(out.data, "[][]");
    lg_buf_free(&out);
    lg_tmpl_free(t);

    t = compile_ok(f, "{{name}} {{uuid}}", LG_TMPL_RAW);
    assert_false(lg_tmpl_is_secret(t));
    assert_null(lg_tmpl_missing_env(t));
    lg_tmpl_free(t);
    unsetenv("LG_TMPL_TEST_KEY");
}

/* lg_tmpl_secrets: each env value as it is and as JSON and URL escaping write it,
 * and pure functions of env values and constants; nothing from other templates. */
static void test_tmpl_secrets_lists_env_values(void **state)
{
    struct fx *f = *state;
    setenv("LG_TMPL_TEST_KEY", "s3cr \"et\"/+", 1);
    setenv("LG_TMPL_TEST_OTHER", "zz", 1);
    struct lg_secrets sec = {0};
    struct lg_tmpl *t = compile_ok(f,
                                   "Bearer {{env.LG_TMPL_TEST_KEY}} {{name}} {{uuid}} "
                                   "{{base64 env.LG_TMPL_TEST_OTHER}} {{sha256 (base64 \"zz\")}} "
                                   "{{hmac_sha256 env.LG_TMPL_TEST_OTHER name}}",
                                   LG_TMPL_RAW);
    lg_tmpl_secrets(t, &sec);
    lg_tmpl_free(t);
    const char *want[] = {
        "s3cr%20%22et%22%2F%2B", "s3cr \\\"et\\\"/+", "s3cr \"et\"/+", "eno%3D", "eno=", "zz"};
    assert_int_equal(sec.n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < sec.n; i++)
        assert_string_equal(sec.vals[i], want[i]);

    t = compile_ok(f, "{{name}} {{base64 \"zz\"}}", LG_TMPL_RAW);
    lg_tmpl_secrets(t, &sec);
    lg_tmpl_free(t);
    assert_int_equal(sec.n, sizeof(want) / sizeof(want[0]));
    lg_secrets_free(&sec);
    unsetenv("LG_TMPL_TEST_KEY");
    unsetenv("LG_TMPL_TEST_OTHER");
}

static void test_tmpl_slots_lists_every_read(void **state)
{
    struct fx *f = *state;
    struct lg_tmpl *t = compile_ok(
        f, "{{name}} {{sha256 (hmac_sha256 key msg)}} {{name}} {{uuid}} {{env.HOME}}", LG_TMPL_RAW);
    int s[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    assert_int_equal(lg_tmpl_slots(t, s, 8), 4);
    int sorted[4] = {s[0], s[1], s[2], s[3]};
    /* Order is not promised: count each. */
    int name = 0, key = 0, msg = 0;
    for (int i = 0; i < 4; i++) {
        name += sorted[i] == S_NAME;
        key += sorted[i] == S_KEY;
        msg += sorted[i] == S_MSG;
    }
    assert_int_equal(name, 2);
    assert_int_equal(key, 1);
    assert_int_equal(msg, 1);
    assert_int_equal(s[4], -1);
    int two[2] = {-1, -1};
    assert_int_equal(lg_tmpl_slots(t, two, 2), 4);
    assert_true(two[0] >= 0 && two[1] >= 0);
    assert_int_equal(lg_tmpl_slots(t, NULL, 0), 4);
    lg_tmpl_free(t);

    t = compile_ok(f, "{{sha256 \"x\"}} {{uuid}} {{vu.id}}", LG_TMPL_RAW);
    assert_int_equal(lg_tmpl_slots(t, s, 8), 0);
    lg_tmpl_free(t);
}

static void test_tmpl_is_pure(void **state)
{
    struct fx *f = *state;
    const char *pure[] = {"plain",
                          "{{name}}",
                          "x{{sha256 name}}",
                          "{{base64 (sha256 name)}}",
                          "{{env.HOME}}",
                          "{{hmac_sha256 name \"k\"}}"};
    const char *impure[] = {"{{uuid}}",
                            "{{now_ms}}",
                            "a{{vu.id}}",
                            "{{iteration}}",
                            "{{random_int 1 9}}",
                            "{{sha256 (uuid)}}",
                            "{{wallet.address}}",
                            "{{wallet.public_key}}",
                            "{{wallet.sign \"x\"}}",
                            "{{sha256 (wallet.sign name)}}"};
    for (size_t i = 0; i < sizeof(pure) / sizeof(pure[0]); i++) {
        struct lg_tmpl *t = compile_ok(f, pure[i], LG_TMPL_RAW);
        if (!lg_tmpl_is_pure(t))
            fail_msg("%s should be pure", pure[i]);
        lg_tmpl_free(t);
    }
    for (size_t i = 0; i < sizeof(impure) / sizeof(impure[0]); i++) {
        struct lg_tmpl *t = compile_ok(f, impure[i], LG_TMPL_RAW);
        if (lg_tmpl_is_pure(t))
            fail_msg("%s should not be pure", impure[i]);
        lg_tmpl_free(t);
    }
}

static void test_tmpl_is_const(void **state)
{
    struct fx *f = *state;
    const char *consts[] = {"", "plain", "{{\"x\"}}", "a{{base64 (sha256 \"x\")}}b", "{{ 5 }}"};
    const char *dynamic[] = {"{{name}}",     "{{uuid}}",        "{{now_ms}}",
                             "{{vu.id}}",    "{{iteration}}",   "{{random_int 1 1}}",
                             "{{env.HOME}}", "x{{sha256 name}}"};
    for (size_t i = 0; i < sizeof(consts) / sizeof(consts[0]); i++) {
        struct lg_tmpl *t = compile_ok(f, consts[i], LG_TMPL_RAW);
        assert_true(lg_tmpl_is_const(t));
        lg_tmpl_free(t);
    }
    for (size_t i = 0; i < sizeof(dynamic) / sizeof(dynamic[0]); i++) {
        struct lg_tmpl *t = compile_ok(f, dynamic[i], LG_TMPL_RAW);
        if (lg_tmpl_is_const(t))
            fail_msg("%s is not constant", dynamic[i]);
        lg_tmpl_free(t);
    }
    struct lg_tmpl *t = lg_tmpl_new();
    assert_true(lg_tmpl_is_const(t));
    lg_tmpl_add_lit(t, "{{name}}", 8);
    assert_true(lg_tmpl_is_const(t));
    lg_tmpl_free(t);
}

static void test_tmpl_builtins_win_over_scope(void **state)
{
    struct fx *f = *state;
    struct lg_scope sc = {0};
    assert_int_equal(lg_scope_add(&sc, "iteration"), 0);
    struct lg_tmpl *t = NULL;
    struct lg_tmpl_err err;
    assert_int_equal(lg_tmpl_compile("{{iteration}}", LG_TMPL_RAW, &sc, &t, &err), 0);
    assert_int_equal(lg_tmpl_slots(t, NULL, 0), 0);
    struct lg_buf out = {0};
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
    assert_string_equal(out.data, "3");
    lg_buf_free(&out);
    lg_tmpl_free(t);
    lg_scope_free(&sc);

    assert_true(lg_tmpl_reserved("iteration"));
    assert_true(lg_tmpl_reserved("uuid"));
    assert_true(lg_tmpl_reserved("hmac_sha256"));
    assert_true(lg_tmpl_reserved("env.HOME"));
    assert_true(lg_tmpl_reserved("vu.id"));
    assert_true(lg_tmpl_reserved("wallet.sign"));
    assert_false(lg_tmpl_reserved("session_id"));
    assert_true(lg_tmpl_reserved("data.users.email"));
    assert_false(lg_tmpl_reserved("uuids"));
}

static void test_tmpl_dotted_scope_name(void **state)
{
    struct lg_scope sc = {0};
    int slot = lg_scope_add(&sc, "user.email");
    json_t *v = json_string("a@b.c");
    struct lg_tmpl_ctx ctx = {.slots = &v, .n_slots = 1};
    struct lg_tmpl *t = NULL;
    struct lg_tmpl_err err;
    assert_int_equal(lg_tmpl_compile("{{ user.email }}", LG_TMPL_URL, &sc, &t, &err), 0);
    int s = -1;
    assert_int_equal(lg_tmpl_slots(t, &s, 1), 1);
    assert_int_equal(s, slot);
    struct lg_buf out = {0};
    assert_int_equal(lg_tmpl_render(t, &ctx, &out, NULL), 0);
    assert_string_equal(out.data, "a%40b.c");
    lg_buf_free(&out);
    lg_tmpl_free(t);
    json_decref(v);
    lg_scope_free(&sc);
}

/* ---- wallet.* ---- */

/* Seed 42, VU 7: pinned with Python's hashlib and cryptography (the private key is
 * SHA-256 of the seed as 8 little-endian bytes and the VU as 4). */
#define W42_7_PUB "cbc073479987d522b6dab890e947eb9f95befa4666b0552515b75f41f3eb55aa"
#define W42_7_ADDR "stake10b5c2fbc932bf1656a9eb68d528f56ffdc18583a"
#define W42_7_SIG                                                                                  \
    "699ac52ada3c17c32a57b2f1086a457968df5302a09a4779722bd5ca18a5989d"                             \
    "e1a4c647799e0e6ed12958600131a38a9c1061db7aea8b11ab4bdb2f8083e004"
/* The signature of the fixture's msg slot, "what do ya want for nothing?". */
#define W42_7_SIG_MSG                                                                              \
    "19f180cca5dd98affe8ea1554e38985e9244e4a4e40e8e4a3f24151c92600c4e"                             \
    "965f53d7c0740646e57a7d3bd2143fbc276ef4c706f4a884d521b661bded0c08"

static void test_tmpl_wallet_functions(void **state)
{
    struct fx *f = *state;
    struct lg_wallet *w = NULL;
    f->ctx.wallet = &w;
    f->ctx.wallet_seed = 42;
    struct lg_tmpl *t = compile_ok(f, "{{wallet.address}} {{wallet.public_key}}", LG_TMPL_RAW);
    struct lg_buf out = {0};
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
    assert_string_equal(out.data, W42_7_ADDR " " W42_7_PUB);
    /* Made on first use, then reused. */
    assert_non_null(w);
    struct lg_wallet *first = w;
    lg_buf_reset(&out);
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
    assert_ptr_equal(w, first);
    assert_string_equal(out.data, W42_7_ADDR " " W42_7_PUB);
    lg_tmpl_free(t);

    /* ed25519 is deterministic: the signature of a known message is pinned too. */
    assert_render(f, "{{wallet.sign \"nonce-123\"}}", LG_TMPL_RAW, W42_7_SIG);
    assert_render(f, "{\"sig\":\"{{wallet.sign msg}}\"}", LG_TMPL_JSON,
                  "{\"sig\":\"" W42_7_SIG_MSG "\"}");
    assert_ptr_equal(w, first);
    lg_wallet_free(w);

    /* Another VU, another key. */
    w = NULL;
    f->ctx.vu_id = 8;
    char *other = render(f, "{{wallet.public_key}}", LG_TMPL_RAW);
    assert_string_not_equal(other, W42_7_PUB);
    assert_int_equal(strlen(other), 64);
    free(other);
    lg_wallet_free(w);

    /* No wallet in the context: an error, not an empty value. */
    f->ctx.wallet = NULL;
    t = compile_ok(f, "a{{wallet.address}}", LG_TMPL_RAW);
    lg_buf_reset(&out);
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), LG_EINVAL);
    assert_int_equal(out.len, 0);
    lg_tmpl_free(t);
    lg_buf_free(&out);

    assert_compile_error(f, "{{wallet.sign}}", "wallet.sign takes 1 argument", 2);
    assert_compile_error(f, "{{ wallet.address 1 }}", "wallet.address takes no arguments", 3);
    assert_compile_error(f, "{{wallet.key}}", "undefined variable 'wallet.key'", 2);
}

/* ---- data.FEED.FIELD ---- */

struct feeds_fx {
    struct lg_feed *users, *codes;
    struct lg_feed *list[2];
};

static void feeds_init(struct feeds_fx *d, struct fx *f)
{
    static const char users[] = "email,password\nann@x.io,\"p&w \"\"1\"\"\"\nbob@x.io,pw2\n";
    static const char codes[] = "code\nA1\n";
    struct lg_feed_err err;
    assert_int_equal(lg_feed_parse("users", users, strlen(users), &d->users, &err), 0);
    assert_int_equal(lg_feed_parse("codes", codes, strlen(codes), &d->codes, &err), 0);
    d->users->index = 1;
    d->codes->index = 0;
    d->list[0] = d->users;
    d->list[1] = d->codes;
    f->scope.feeds = d->list;
    f->scope.n_feeds = 2;
}

static void feeds_free(struct feeds_fx *d, struct fx *f)
{
    f->scope.feeds = NULL;
    f->scope.n_feeds = 0;
    lg_feed_free(d->users);
    lg_feed_free(d->codes);
}

static void test_tmpl_data_fields(void **state)
{
    struct fx *f = *state;
    struct feeds_fx d;
    feeds_init(&d, f);
    struct lg_feed_rows rows = {0};
    struct lg_feed *uses[] = {d.users, d.codes};
    assert_int_equal(lg_feeds_next(uses, 2, &rows, &f->rng), 0);
    f->ctx.data = &rows;

    assert_render(f, "{{data.users.email}}:{{ data.users.password }}:{{data.codes.code}}",
                  LG_TMPL_RAW, "ann@x.io:p&w \"1\":A1");
    assert_render(f, "{{data.users.password}}", LG_TMPL_JSON, "p&w \\\"1\\\"");
    assert_render(f, "{{data.users.password}}", LG_TMPL_URL, "p%26w%20%221%22");
    assert_render(f, "{{sha256 data.codes.code}}", LG_TMPL_RAW,
                  "16a36e86f6fed5d465ff332511a0ce1a863b55d364b25a7cdaa25db19abf9648");
    /* The next iteration's row. */
    assert_int_equal(lg_feeds_next(uses, 2, &rows, &f->rng), 0);
    assert_render(f, "{{data.users.email}}", LG_TMPL_RAW, "bob@x.io");

    struct lg_tmpl *t = compile_ok(f, "{{data.users.email}}{{data.codes.code}}", LG_TMPL_RAW);
    assert_false(lg_tmpl_is_pure(t));
    assert_false(lg_tmpl_is_const(t));
    uint32_t idx[4];
    assert_int_equal(lg_tmpl_feeds(t, idx, 4), 2);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[1], 0);
    assert_int_equal(lg_tmpl_slots(t, NULL, 0), 0);

    /* No row taken (or no rows in the context): an error. */
    struct lg_buf out = {0};
    struct lg_feed_rows none = {0};
    f->ctx.data = &none;
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), LG_EINVAL);
    f->ctx.data = NULL;
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), LG_EINVAL);
    assert_int_equal(out.len, 0);
    lg_buf_free(&out);
    lg_tmpl_free(t);
    lg_feed_rows_free(&rows);
    feeds_free(&d, f);
}

static void test_tmpl_data_compile_errors(void **state)
{
    struct fx *f = *state;
    assert_compile_error(f, "{{data.users.email}}",
                         "no feed 'users' (no feed is declared under 'data')", 2);
    struct feeds_fx d;
    feeds_init(&d, f);
    assert_compile_error(f, "x {{ data.users.mail }}",
                         "no field 'mail' in feed 'users' (fields: email, password)", 5);
    assert_compile_error(f, "{{data.user.email}}", "no feed 'user' (feeds: users, codes)", 2);
    assert_compile_error(f, "{{data.users}}", "expected data.FEED.FIELD, got 'data.users'", 2);
    assert_compile_error(f, "{{data.users.email.x}}",
                         "expected data.FEED.FIELD, got 'data.users.email.x'", 2);
    assert_compile_error(f, "{{data..email}}", "expected data.FEED.FIELD, got 'data..email'", 2);
    assert_compile_error(f, "{{data.users.}}", "expected data.FEED.FIELD, got 'data.users.'", 2);
    assert_compile_error(f, "{{sha256 (base64 data.codes.cod)}}",
                         "no field 'cod' in feed 'codes' (fields: code)", 17);
    feeds_free(&d, f);
}

static void test_tmpl_scope_add_find_free(void **state)
{
    struct lg_scope s = {0};
    assert_int_equal(lg_scope_find(&s, "a"), -1);
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof(name), "v%d", i);
        assert_int_equal(lg_scope_add(&s, name), i);
    }
    assert_int_equal(lg_scope_add(&s, "v7"), 7);
    assert_int_equal(lg_scope_find(&s, "v39"), 39);
    assert_int_equal(lg_scope_find(&s, "v40"), -1);
    assert_int_equal(s.n, 40);
    lg_scope_free(&s);
    assert_int_equal(s.n, 0);
    assert_null(s.names);
    lg_scope_free(&s); /* twice is fine */
}

static void test_tmpl_render_reuses_scratch(void **state)
{
    struct fx *f = *state;
    struct lg_tmpl *t = compile_ok(
        f, "{\"s\":\"{{hmac_sha256 (sha256 key) (base64 msg)}}\",\"n\":\"{{nasty}}{{arr}}\"}",
        LG_TMPL_JSON);
    struct lg_buf out = {0};
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
    char *first = lg_strdup(out.data);
    const char *scratch_data = f->scratch.data;
    size_t scratch_cap = f->scratch.cap, out_cap = out.cap;
    assert_int_equal(f->scratch.len, 0);
    for (int i = 0; i < 100; i++) {
        lg_buf_reset(&out);
        assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
        assert_string_equal(out.data, first);
    }
    /* Once grown, neither buffer grows again. */
    assert_ptr_equal(f->scratch.data, scratch_data);
    assert_int_equal(f->scratch.cap, scratch_cap);
    assert_int_equal(out.cap, out_cap);
    /* Without a scratch buffer the result is the same. */
    f->ctx.scratch = NULL;
    lg_buf_reset(&out);
    assert_int_equal(lg_tmpl_render(t, &f->ctx, &out, NULL), 0);
    assert_string_equal(out.data, first);
    free(first);
    lg_buf_free(&out);
    lg_tmpl_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tmpl_literal_text_is_copied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_slot_substitution, setup, teardown),
        cmocka_unit_test(test_tmpl_value_text_numbers),
        cmocka_unit_test(test_tmpl_value_text_other_types),
        cmocka_unit_test_setup_teardown(test_tmpl_big_numbers_render_as_digits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_escape_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_escape_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_add_lit_is_never_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_vu_id_and_iteration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_uuid_format_and_determinism, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_now_ms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_random_int_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_random_int_bad_runtime_args, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_base64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_secrets_lists_env_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_sha256, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_hmac_sha256_rfc4231, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_nested_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_constants_become_literal_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_unset_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_compile_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_nesting_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_error_leaves_template_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_env_present_missing_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_slots_lists_every_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_is_const, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_is_pure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_builtins_win_over_scope, setup, teardown),
        cmocka_unit_test(test_tmpl_dotted_scope_name),
        cmocka_unit_test(test_tmpl_scope_add_find_free),
        cmocka_unit_test_setup_teardown(test_tmpl_wallet_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_data_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_data_compile_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tmpl_render_reuses_scratch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
