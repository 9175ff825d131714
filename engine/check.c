/* check: decides whether one response meets a step's expectations (status,
 * headers, JSON, body, latency, TLS) and extracts its captures. Failure reasons name
 * what was observed, never a rendered template, since templates may hold secrets. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jnum.h"
#include "util.h"

/* clang spells "built with AddressSanitizer" differently from gcc */
#if defined(__has_feature)
#define LG_HAS_ASAN_FEATURE __has_feature(address_sanitizer)
#else
#define LG_HAS_ASAN_FEATURE 0
#endif

/* Observed values longer than this (in bytes) are cut in failure reasons. */
#define OBS_MAX 60

static void set_why(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
    if (!why || !whylen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

/* Appends s (len bytes) for a message: at most OBS_MAX bytes, cut on a UTF-8
 * boundary and followed by "..." when cut; control characters escaped. */
static void put_observed(struct lg_buf *b, const char *s, size_t len)
{
    size_t n = len;
    bool cut = false;
    if (n > OBS_MAX) {
        n = OBS_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        cut = true;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            lg_buf_puts(b, "\\n");
        else if (c == '\r')
            lg_buf_puts(b, "\\r");
        else if (c == '\t')
            lg_buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7f)
            lg_buf_printf(b, "\\x%02x", c);
        else
            lg_buf_putc(b, (char)c);
    }
    if (cut)
        lg_buf_puts(b, "...");
}

/* Appends a JSON value for a message: strings in single quotes, anything else as
 * compact JSON (numbers kept as text as their literal); both cut as in
 * put_observed. */
static void put_json_observed(struct lg_buf *b, const json_t *v)
{
    if (json_is_string(v) && !lg_jnum_is_text(v)) {
        lg_buf_putc(b, '\'');
        put_observed(b, json_string_value(v), json_string_length(v));
        lg_buf_putc(b, '\'');
        return;
    }
    struct lg_buf s = {0};
    lg_jnum_dump(v, JSON_COMPACT | JSON_REAL_PRECISION(15), &s);
    put_observed(b, s.data ? s.data : "", s.len);
    lg_buf_free(&s);
}

/* Copies a message built in b into why and frees b. */
static void why_from_buf(char *why, size_t whylen, struct lg_buf *b)
{
    set_why(why, whylen, "%s", b->data ? b->data : "");
    lg_buf_free(b);
}

/* Renders expected_tmpl into out. On failure writes why and returns false. */
static bool render_expected(const struct lg_check *c, const struct lg_tmpl_ctx *ctx,
                            struct lg_buf *out, char *why, size_t whylen)
{
    if (!ctx) {
        set_why(why, whylen, "internal: no template context");
        return false;
    }
    int slot = -1;
    if (lg_tmpl_render(c->expected_tmpl, ctx, out, &slot) == LG_OK)
        return true;
    if (ctx->scope && slot >= 0 && (size_t)slot < ctx->scope->n)
        set_why(why, whylen, "expected value reads '%s', which is not set",
                ctx->scope->names[slot]);
    else
        set_why(why, whylen, "expected value reads a variable that is not set");
    return false;
}

/* Runs re over s[0, len) with REG_STARTEND (glibc, BSD), so that s needs no NUL
 * terminator and may contain NUL bytes. m has nmatch >= 1 entries; on a match they
 * hold offsets from s. Returns regexec's result. */
static int regexec_n(const regex_t *re, const char *s, size_t len, size_t nmatch, regmatch_t *m)
{
    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t)len;
#if defined(__SANITIZE_ADDRESS__) || LG_HAS_ASAN_FEATURE
    /* ASan's regexec interceptor reads s up to a NUL whatever the flags, which
     * reports a bounded, unterminated body as an overflow: give it a terminated
     * copy. Only sanitizer builds pay for it. */
    char *copy = lg_strndup(s, len);
    int rc = regexec(re, copy, nmatch, m, REG_STARTEND);
    free(copy);
    return rc;
#else
    return regexec(re, s, nmatch, m, REG_STARTEND);
#endif
}

/* ---- status ---- */

static bool eval_status(const struct lg_check *c, const struct lg_response *r, char *why,
                        size_t whylen)
{
    if (c->op != LG_OP_IN) {
        set_why(why, whylen, "internal: unsupported status check");
        return false;
    }
    for (size_t i = 0; i < c->n_ranges; i++)
        if (r->status >= c->ranges[i].lo && r->status <= c->ranges[i].hi)
            return true;
    set_why(why, whylen, "got %ld", r->status);
    return false;
}

/* ---- headers ---- */

static bool header_fail_value(const struct lg_check *c, const char *hv, char *why, size_t whylen)
{
    struct lg_buf b = {0};
    lg_buf_printf(&b, "header %s is '", c->header);
    put_observed(&b, hv, strlen(hv));
    lg_buf_putc(&b, '\'');
    why_from_buf(why, whylen, &b);
    return false;
}

static bool eval_header(const struct lg_check *c, const struct lg_response *r,
                        const struct lg_tmpl_ctx *ctx, char *why, size_t whylen)
{
    const char *hv = r->header ? r->header(r->ud, c->header) : NULL;
    if (c->op == LG_OP_EXISTS) {
        if (!hv == !c->bool_arg)
            return true;
        set_why(why, whylen, "header %s is %s", c->header, hv ? "present" : "missing");
        return false;
    }
    if (!hv) {
        set_why(why, whylen, "header %s is missing", c->header);
        return false;
    }
    switch (c->op) {
    case LG_OP_EQUALS:
        if (c->expected_tmpl) {
            struct lg_buf want = {0};
            bool ok = render_expected(c, ctx, &want, why, whylen);
            if (ok) {
                ok = want.len == strlen(hv) && memcmp(want.data, hv, want.len) == 0;
                if (!ok)
                    set_why(why, whylen, "header %s differs from the expected value", c->header);
            }
            lg_buf_free(&want);
            return ok;
        }
        if (!c->expected) {
            set_why(why, whylen, "internal: no expected value");
            return false;
        }
        if (json_is_string(c->expected)) {
            if (strlen(hv) == json_string_length(c->expected) &&
                memcmp(hv, json_string_value(c->expected), strlen(hv)) == 0)
                return true;
        } else {
            /* a number or boolean written unquoted: compare its text (5 -> "5") */
            struct lg_buf want = {0};
            lg_tmpl_value_text(c->expected, &want);
            bool ok = want.len == strlen(hv) && memcmp(want.data, hv, want.len) == 0;
            lg_buf_free(&want);
            if (ok)
                return true;
        }
        return header_fail_value(c, hv, why, whylen);
    case LG_OP_CONTAINS:
        if (c->text && strstr(hv, c->text))
            return true;
        return header_fail_value(c, hv, why, whylen);
    case LG_OP_MATCHES:
        if (c->has_re && regexec(&c->re, hv, 0, NULL, 0) == 0)
            return true;
        return header_fail_value(c, hv, why, whylen);
    default:
        set_why(why, whylen, "internal: unsupported header check");
        return false;
    }
}

/* ---- JSON ---- */

/* Equality where numbers compare by value (1 == 1.0; numbers kept as text by
 * lg_jnum_cmp: exactly, unless a real is involved), recursively. */
static bool json_values_equal(const json_t *a, const json_t *b)
{
    int cmp;
    if (lg_jnum_cmp(a, b, &cmp))
        return cmp == 0;
    if (lg_jnum_is_text(a) || lg_jnum_is_text(b))
        return false; /* a number and something else */
    if (json_is_array(a) && json_is_array(b)) {
        size_t n = json_array_size(a);
        if (n != json_array_size(b))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!json_values_equal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *key;
        json_t *va;
        json_object_foreach((json_t *)a, key, va)
        {
            json_t *vb = json_object_get(b, key);
            if (!vb || !json_values_equal(va, vb))
                return false;
        }
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static const char *type_desc(const json_t *v)
{
    size_t n;
    const char *lit;
    switch (json_typeof(v)) {
    case JSON_STRING:
        /* a number kept as text reads as jansson would read it with the range */
        if ((lit = lg_jnum_literal(v, &n)) != NULL)
            return !strpbrk(lit, ".eE")     ? "an integer"
                   : lg_jnum_is_integral(v) ? "a number"
                                            : "a non-integer number";
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return lg_jnum_is_integral(v) ? "a number" : "a non-integer number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

static bool type_is(const json_t *v, enum lg_json_type t)
{
    switch (t) {
    case LG_JT_STRING:
        return json_is_string(v) && !lg_jnum_is_text(v);
    case LG_JT_NUMBER:
        return lg_jnum_is_number(v);
    case LG_JT_INTEGER:
        return lg_jnum_is_integral(v);
    case LG_JT_BOOLEAN:
        return json_is_boolean(v);
    case LG_JT_OBJECT:
        return json_is_object(v);
    case LG_JT_ARRAY:
        return json_is_array(v);
    case LG_JT_NULL:
        return json_is_null(v);
    }
    return false;
}

/* Length of an array or object (members), or of a string in UTF-8 code points.
 * Returns false for other types. */
static bool json_length(const json_t *v, size_t *out)
{
    if (json_is_array(v)) {
        *out = json_array_size(v);
    } else if (json_is_object(v)) {
        *out = json_object_size(v);
    } else if (json_is_string(v) && !lg_jnum_is_text(v)) {
        const unsigned char *s = (const unsigned char *)json_string_value(v);
        size_t len = json_string_length(v), n = 0;
        for (size_t i = 0; i < len; i++)
            n += (s[i] & 0xC0) != 0x80; /* count every byte that starts a code point */
        *out = n;
    } else {
        return false;
    }
    return true;
}

static bool json_fail_value(const char *path, const json_t *v, char *why, size_t whylen)
{
    struct lg_buf b = {0};
    lg_buf_printf(&b, "%s is ", path);
    put_json_observed(&b, v);
    why_from_buf(why, whylen, &b);
    return false;
}

/* Applies c's op to the selected value v (never NULL). */
static bool eval_json_value(const struct lg_check *c, const json_t *v,
                            const struct lg_tmpl_ctx *ctx, char *why, size_t whylen)
{
    const char *path = lg_jpath_src(c->path);
    switch (c->op) {
    case LG_OP_EQUALS:
        if (c->expected_tmpl) {
            struct lg_buf want = {0}, got = {0};
            bool ok = render_expected(c, ctx, &want, why, whylen);
            if (ok) {
                lg_tmpl_value_text(v, &got);
                ok =
                    want.len == got.len && (want.len == 0 || !memcmp(want.data, got.data, got.len));
                if (!ok)
                    set_why(why, whylen, "%s differs from the expected value", path);
            }
            lg_buf_free(&want);
            lg_buf_free(&got);
            return ok;
        }
        if (c->expected && json_values_equal(v, c->expected))
            return true;
        return json_fail_value(path, v, why, whylen);
    case LG_OP_MATCHES: {
        if (!c->has_re) {
            set_why(why, whylen, "internal: no regex");
            return false;
        }
        bool ok;
        if (json_is_string(v) && !lg_jnum_is_text(v)) {
            regmatch_t m[1];
            ok = regexec_n(&c->re, json_string_value(v), json_string_length(v), 1, m) == 0;
        } else {
            struct lg_buf text = {0};
            lg_tmpl_value_text(v, &text);
            regmatch_t m[1];
            ok = regexec_n(&c->re, text.data ? text.data : "", text.len, 1, m) == 0;
            lg_buf_free(&text);
        }
        return ok ? true : json_fail_value(path, v, why, whylen);
    }
    case LG_OP_TYPE:
        if (type_is(v, c->json_type))
            return true;
        set_why(why, whylen, "%s is %s", path, type_desc(v));
        return false;
    case LG_OP_LENGTH: {
        size_t len;
        if (!json_length(v, &len)) {
            set_why(why, whylen, "%s is %s, which has no length", path, type_desc(v));
            return false;
        }
        if ((double)len == c->number)
            return true;
        set_why(why, whylen, "%s has length %zu", path, len);
        return false;
    }
    case LG_OP_LT:
    case LG_OP_LTE:
    case LG_OP_GT:
    case LG_OP_GTE: {
        if (!lg_jnum_is_number(v)) {
            set_why(why, whylen, "%s is not a number", path);
            return false;
        }
        /* A real (a double already) compares as a double; integers and numbers kept
         * as text compare exactly with the bound as written. */
        int cmp;
        if (json_is_real(v) || !c->bound || !lg_jnum_cmp(v, c->bound, &cmp)) {
            double x = lg_jnum_value(v);
            cmp = x < c->number ? -1 : x > c->number;
        }
        bool ok = c->op == LG_OP_LT    ? cmp < 0
                  : c->op == LG_OP_LTE ? cmp <= 0
                  : c->op == LG_OP_GT  ? cmp > 0
                                       : cmp >= 0;
        return ok ? true : json_fail_value(path, v, why, whylen);
    }
    default:
        set_why(why, whylen, "internal: unsupported json check");
        return false;
    }
}

static void no_json_why(const struct lg_response *r, char *why, size_t whylen)
{
    set_why(why, whylen, "%s", r->json_invalid ? "body is not JSON" : "no JSON body");
}

static bool eval_json(const struct lg_check *c, const struct lg_response *r,
                      const struct lg_tmpl_ctx *ctx, char *why, size_t whylen)
{
    if (!r->json) {
        no_json_why(r, why, whylen);
        return false;
    }
    const char *path = lg_jpath_src(c->path);
    bool singular = lg_jpath_is_singular(c->path);
    json_t *v = lg_jpath_query(c->path, r->json);
    bool present = singular ? v != NULL : json_array_size(v) > 0;
    bool ok;

    if (c->op == LG_OP_EXISTS) {
        ok = present == c->bool_arg;
        if (!ok && singular)
            set_why(why, whylen, "%s is %s", path, present ? "present" : "missing");
        else if (!ok && present)
            set_why(why, whylen, "%s matched %zu values", path, json_array_size(v));
        else if (!ok)
            set_why(why, whylen, "%s matched nothing", path);
    } else if (!v) {
        set_why(why, whylen, "%s is missing", path);
        ok = false;
    } else {
        /* A non-singular path is checked as the array of what it selected. */
        ok = eval_json_value(c, v, ctx, why, whylen);
    }
    json_decref(v);
    return ok;
}

/* ---- body and latency ---- */

static bool eval_body(const struct lg_check *c, const struct lg_response *r, char *why,
                      size_t whylen)
{
    const char *body = r->body ? r->body : "";
    size_t len = r->body ? r->body_len : 0;
    switch (c->op) {
    case LG_OP_CONTAINS: {
        size_t tlen = c->text ? strlen(c->text) : 0;
        if (tlen == 0 || memmem(body, len, c->text, tlen))
            return true;
        struct lg_buf b = {0};
        lg_buf_printf(&b, "body (%zu bytes) does not contain '", len);
        put_observed(&b, c->text, tlen);
        lg_buf_putc(&b, '\'');
        why_from_buf(why, whylen, &b);
        return false;
    }
    case LG_OP_MATCHES: {
        if (!c->has_re) {
            set_why(why, whylen, "internal: no regex");
            return false;
        }
        regmatch_t m[1];
        if (regexec_n(&c->re, body, len, 1, m) == 0)
            return true;
        set_why(why, whylen, "body (%zu bytes) does not match", len);
        return false;
    }
    default:
        set_why(why, whylen, "internal: unsupported body check");
        return false;
    }
}

static bool eval_latency(const struct lg_check *c, const struct lg_response *r, char *why,
                         size_t whylen)
{
    if (r->total_us <= c->latency_us)
        return true;
    char took[32];
    set_why(why, whylen, "took %s", lg_fmt_duration(r->total_us, took, sizeof(took)));
    return false;
}

/* ---- TLS ---- */

/* "1.2" for 0x0303 (TLS 1.x is 0x03(x+1) in OpenSSL's numbering), "3.0" for SSL 3. */
static const char *tls_version_text(int v, char *buf, size_t n)
{
    if (v >= 0x0301 && v <= 0x03ff)
        snprintf(buf, n, "1.%d", (v & 0xff) - 1);
    else if (v == 0x0300)
        snprintf(buf, n, "3.0");
    else
        snprintf(buf, n, "0x%04x", (unsigned)v & 0xffffu);
    return buf;
}

/* A span of seconds for humans, its two largest units: "14d", "3d 4h", "5h 10m",
 * "12m", "40s". */
static const char *fmt_span_s(int64_t s, char *buf, size_t n)
{
    static const struct {
        int64_t secs;
        char unit;
    } units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    if (s < 0)
        s = 0;
    size_t i = 0;
    while (i + 1 < sizeof units / sizeof units[0] && s < units[i].secs)
        i++;
    long long hi = (long long)(s / units[i].secs);
    long long lo = i + 1 < sizeof units / sizeof units[0]
                       ? (long long)(s % units[i].secs / units[i + 1].secs)
                       : 0;
    if (lo)
        snprintf(buf, n, "%lld%c %lld%c", hi, units[i].unit, lo, units[i + 1].unit);
    else
        snprintf(buf, n, "%lld%c", hi, units[i].unit);
    return buf;
}

static bool eval_tls(const struct lg_check *c, const struct lg_response *r, char *why,
                     size_t whylen)
{
    int version = 0;
    int64_t not_after = 0;
    if (!r->tls || r->tls(r->ud, &version, &not_after) != 0) {
        set_why(why, whylen, "not HTTPS");
        return false;
    }
    char a[32], b[32];
    if (c->tls_min_version) {
        if (version >= c->tls_min_version)
            return true;
        set_why(why, whylen, "%s %s is below %s", version == 0x0300 ? "SSL" : "TLS",
                tls_version_text(version, a, sizeof a),
                tls_version_text(c->tls_min_version, b, sizeof b));
        return false;
    }
    int64_t left = not_after - (int64_t)time(NULL);
    if (left >= 0 && left >= c->cert_min_valid_s)
        return true;
    if (left < 0)
        set_why(why, whylen, "certificate expired %s ago", fmt_span_s(-left, a, sizeof a));
    else
        set_why(why, whylen, "certificate expires in %s (needs %s)", fmt_span_s(left, a, sizeof a),
                fmt_span_s(c->cert_min_valid_s, b, sizeof b));
    return false;
}

bool lg_check_eval(const struct lg_check *c, const struct lg_response *r,
                   const struct lg_tmpl_ctx *ctx, char *why, size_t whylen)
{
    switch (c->kind) {
    case LG_CHECK_STATUS:
        return eval_status(c, r, why, whylen);
    case LG_CHECK_HEADER:
        return eval_header(c, r, ctx, why, whylen);
    case LG_CHECK_JSON:
        return eval_json(c, r, ctx, why, whylen);
    case LG_CHECK_BODY:
        return eval_body(c, r, why, whylen);
    case LG_CHECK_LATENCY:
        return eval_latency(c, r, why, whylen);
    case LG_CHECK_TLS:
        return eval_tls(c, r, why, whylen);
    case LG_CHECK_UNTIL:
        break;
    }
    set_why(why, whylen, "internal");
    return false;
}

/* ---- captures ---- */

/* A jansson string from bytes that may not be valid UTF-8 (header values, bodies):
 * each byte that does not start a valid UTF-8 sequence becomes U+FFFD. */
static json_t *text_value(const char *s, size_t len)
{
    json_t *v = json_stringn(s, len);
    if (v)
        return v;
    struct lg_buf b = {0};
    size_t i = 0;
    while (i < len) {
        const unsigned char *u = (const unsigned char *)s + i;
        size_t n = 0;
        if (u[0] < 0x80)
            n = 1;
        else if (u[0] >= 0xC2 && u[0] <= 0xDF)
            n = 2;
        else if (u[0] >= 0xE0 && u[0] <= 0xEF)
            n = 3;
        else if (u[0] >= 0xF0 && u[0] <= 0xF4)
            n = 4;
        bool ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++)
            ok = (u[k] & 0xC0) == 0x80;
        /* overlong 3/4-byte forms, surrogates and code points above U+10FFFF */
        if (ok && n == 3)
            ok = !(u[0] == 0xE0 && u[1] < 0xA0) && !(u[0] == 0xED && u[1] >= 0xA0);
        if (ok && n == 4)
            ok = !(u[0] == 0xF0 && u[1] < 0x90) && !(u[0] == 0xF4 && u[1] >= 0x90);
        if (ok) {
            lg_buf_append(&b, u, n);
            i += n;
        } else {
            lg_buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        }
    }
    v = json_stringn(b.data ? b.data : "", b.len);
    lg_buf_free(&b);
    if (!v)
        abort(); /* jansson allocation failure; see lg_malloc */
    return v;
}

static int capture_json(const struct lg_capture *c, const struct lg_response *r, json_t **out,
                        char *why, size_t whylen)
{
    if (!r->json) {
        no_json_why(r, why, whylen);
        return LG_ENOTFOUND;
    }
    /* A [*] path that selects nothing captures an empty list (for_each then runs
     * zero times); a singular path that selects nothing fails. */
    json_t *v = lg_jpath_query(c->path, r->json);
    if (!v) {
        set_why(why, whylen, "%s matched nothing", lg_jpath_src(c->path));
        return LG_ENOTFOUND;
    }
    *out = v;
    return LG_OK;
}

static int capture_regex(const struct lg_capture *c, const struct lg_response *r, json_t **out,
                         char *why, size_t whylen)
{
    const char *body = r->body ? r->body : "";
    size_t len = r->body ? r->body_len : 0;
    regmatch_t m[2];
    if (!c->has_re || regexec_n(&c->re, body, len, 2, m) != 0) {
        set_why(why, whylen, "regex matched nothing in the body (%zu bytes)", len);
        return LG_ENOTFOUND;
    }
    const regmatch_t *g = c->re.re_nsub >= 1 ? &m[1] : &m[0];
    if (g->rm_so < 0) /* group 1 did not take part in the match */
        *out = text_value("", 0);
    else
        *out = text_value(body + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
    return LG_OK;
}

int lg_capture_eval(const struct lg_capture *c, const struct lg_response *r, json_t **out,
                    char *why, size_t whylen)
{
    switch (c->kind) {
    case LG_CAPTURE_JSON:
        return capture_json(c, r, out, why, whylen);
    case LG_CAPTURE_HEADER: {
        const char *hv = r->header ? r->header(r->ud, c->header) : NULL;
        if (!hv) {
            set_why(why, whylen, "header %s is missing", c->header);
            return LG_ENOTFOUND;
        }
        *out = text_value(hv, strlen(hv));
        return LG_OK;
    }
    case LG_CAPTURE_REGEX:
        return capture_regex(c, r, out, why, whylen);
    case LG_CAPTURE_COOKIE: {
        char *cv = r->cookie ? r->cookie(r->ud, c->header) : NULL;
        if (!cv) {
            set_why(why, whylen, "cookie %s is not set", c->header);
            return LG_ENOTFOUND;
        }
        *out = text_value(cv, strlen(cv));
        free(cv);
        return LG_OK;
    }
    }
    set_why(why, whylen, "internal");
    return LG_ENOTFOUND;
}
