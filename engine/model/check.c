/* check: decides whether one response meets a step's expectations (status,
 * headers, JSON, body, latency, TLS) and extracts its captures. A failure reason
 * says what was observed and what was expected; secret values in either are
 * replaced by LG_SECRET_MARK before anything is cut. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jarena.h"
#include "jnum.h"
#include "util.h"

/* clang spells "built with AddressSanitizer" differently from gcc */
#if defined(__has_feature)
#define LG_HAS_ASAN_FEATURE __has_feature(address_sanitizer)
#else
#define LG_HAS_ASAN_FEATURE 0
#endif

/* Observed and expected values longer than this (in bytes) are cut in failure
 * reasons. */
#define OBS_MAX 60

/* A failure reason being written into the caller's buffer. What does not fit is
 * dropped and why_end marks the cut with "..."; nothing is allocated for text that
 * fits, and values taken from the response or from rendered templates pass through
 * put_value, which hides secrets before it cuts (a cut secret would leak its
 * beginning). */
struct why {
    char *p;
    size_t cap, len; /* cap: the buffer's size, NUL included; 0 writes nothing */
    bool cut;
    const struct lg_secrets *secrets;
};

/* Nothing is written until a reason is: a passing check leaves the buffer as it was. */
static struct why why_begin(char *p, size_t cap, const struct lg_secrets *secrets)
{
    return (struct why){.p = p, .cap = p ? cap : 0, .secrets = secrets};
}

static void put(struct why *w, const char *s, size_t n)
{
    if (!w->cap)
        return;
    size_t room = w->cap - 1 - w->len;
    if (n > room) {
        n = room;
        w->cut = true;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
    w->p[w->len] = '\0';
}

static void puts_(struct why *w, const char *s)
{
    put(w, s, strlen(s));
}

static void putf(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct why *w, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(tmp)) {
        n = (int)sizeof(tmp) - 1;
        w->cut = true;
    }
    put(w, tmp, (size_t)n);
}

/* Ends a reason (an empty one if nothing was written); one that was cut gets "..."
 * in place of its last bytes, on a UTF-8 boundary. Returns false, the verdict. */
static bool why_end(struct why *w)
{
    if (w->cap && !w->len)
        w->p[0] = '\0';
    if (!w->cut || w->cap < 5)
        return false;
    size_t n = w->len < w->cap - 4 ? w->len : w->cap - 4;
    while (n > 0 && ((unsigned char)w->p[n] & 0xC0) == 0x80)
        n--;
    memcpy(w->p + n, "...", 4);
    w->len = n + 3;
    return false;
}

/* Appends s (len bytes) as a value: each secret becomes LG_SECRET_MARK, control
 * characters are escaped, and so are quotes and backslashes unless s is JSON text
 * or a regex, written as they are (json), and the value is cut after about OBS_MAX bytes (on a
 * UTF-8 boundary) with "...". No quotes around it. */
static void put_text(struct why *w, const char *s, size_t len, bool json, size_t max)
{
    size_t out = 0, i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80 && out >= max) {
            puts_(w, "...");
            return;
        }
        size_t k = lg_secrets_match(w->secrets, s + i, len - i);
        if (k) {
            puts_(w, LG_SECRET_MARK);
            out += sizeof(LG_SECRET_MARK) - 1;
            i += k;
            continue;
        }
        char e[8];
        int n = 0;
        if ((c == '"' || c == '\\') && !json)
            n = snprintf(e, sizeof(e), "\\%c", c);
        else if (c == '\n')
            n = snprintf(e, sizeof(e), "\\n");
        else if (c == '\r')
            n = snprintf(e, sizeof(e), "\\r");
        else if (c == '\t')
            n = snprintf(e, sizeof(e), "\\t");
        else if (c < 0x20 || c == 0x7f)
            n = snprintf(e, sizeof(e), "\\x%02x", c);
        if (n) {
            put(w, e, (size_t)n);
            out += (size_t)n;
        } else {
            put(w, s + i, 1);
            out++;
        }
        i++;
    }
}

static void put_value(struct why *w, const char *s, size_t len)
{
    put_text(w, s, len, false, OBS_MAX);
}

/* A value in double quotes, as put_value writes it. */
static void put_quoted(struct why *w, const char *s, size_t len)
{
    puts_(w, "\"");
    put_value(w, s, len);
    puts_(w, "\"");
}

/* The expected value of c as rendered (or written) into want, quoted. Without the
 * run's secrets to hide, a template that reads env.* is not shown at all. */
static void put_expected(struct why *w, const struct lg_check *c, const struct lg_buf *want)
{
    if (!w->secrets && c->expected_tmpl && lg_tmpl_is_secret(c->expected_tmpl))
        puts_(w, "\"" LG_SECRET_MARK "\"");
    else
        put_quoted(w, want->data ? want->data : "", want->len);
}

/* Appends a JSON value: strings quoted, numbers, booleans and null as JSON, arrays
 * and objects as compact JSON; all through put_value. */
static void put_json(struct why *w, const json_t *v)
{
    char num[48];
    size_t lit_len;
    const char *lit = lg_jnum_literal(v, &lit_len);
    if (lit) { /* a number kept as text: its digits, as written */
        put_value(w, lit, lit_len);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_STRING:
        put_quoted(w, json_string_value(v), json_string_length(v));
        return;
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put_value(w, num, strlen(num));
        return;
    case JSON_REAL: {
        /* as jansson writes it with 15 digits: ".0" keeps an integral real apart */
        double d = json_real_value(v);
        int n = snprintf(num, sizeof(num), "%.15g", d);
        if (n > 0 && (size_t)n < sizeof(num) - 2 && !strpbrk(num, ".eEni"))
            memcpy(num + n, ".0", 3);
        put_value(w, num, strlen(num));
        return;
    }
    case JSON_TRUE:
    case JSON_FALSE:
    case JSON_NULL:
        puts_(w, json_is_true(v) ? "true" : json_is_false(v) ? "false" : "null");
        return;
    default:
        break;
    }
    struct lg_buf s = {0};
    lg_jnum_dump(v, JSON_COMPACT | JSON_REAL_PRECISION(15), &s);
    put_text(w, s.data ? s.data : "", s.len, true, OBS_MAX);
    lg_buf_free(&s);
}

/* Renders expected_tmpl into out. On failure writes the reason and returns false. */
static bool render_expected(const struct lg_check *c, const struct lg_tmpl_ctx *ctx,
                            struct lg_buf *out, struct why *w)
{
    if (!ctx) {
        puts_(w, "internal: no template context");
        return false;
    }
    int slot = -1;
    if (lg_tmpl_render(c->expected_tmpl, ctx, out, &slot) == LG_OK)
        return true;
    if (ctx->scope && slot >= 0 && (size_t)slot < ctx->scope->n)
        putf(w, "expected value reads '%s', which is not set", ctx->scope->names[slot]);
    else
        puts_(w, "expected value reads a variable that is not set");
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

/* "a match for REGEX" (the regex as written, when the check has it). */
static void put_match(struct why *w, const struct lg_check *c)
{
    puts_(w, "a match");
    if (c->text) {
        puts_(w, " for ");
        put_text(w, c->text, strlen(c->text), true, OBS_MAX); /* unquoted: backslashes as written */
    }
}

/* ---- status ---- */

/* "200", "200..299", "200, 201 or 204". */
static void put_ranges(struct why *w, const struct lg_check *c)
{
    for (size_t i = 0; i < c->n_ranges; i++) {
        if (i)
            puts_(w, i + 1 == c->n_ranges ? " or " : ", ");
        if (c->ranges[i].lo == c->ranges[i].hi)
            putf(w, "%d", c->ranges[i].lo);
        else
            putf(w, "%d..%d", c->ranges[i].lo, c->ranges[i].hi);
    }
}

static bool eval_status(const struct lg_check *c, const struct lg_response *r, struct why *w)
{
    if (c->op != LG_OP_IN) {
        puts_(w, "internal: unsupported status check");
        return false;
    }
    for (size_t i = 0; i < c->n_ranges; i++)
        if (r->status >= c->ranges[i].lo && r->status <= c->ranges[i].hi)
            return true;
    putf(w, "HTTP %ld, expected ", r->status);
    put_ranges(w, c);
    return false;
}

/* ---- headers ---- */

/* "header NAME was "VALUE", expected " (the caller writes what was expected). */
static void header_was(struct why *w, const struct lg_check *c, const char *hv)
{
    putf(w, "header %s was ", c->header);
    put_quoted(w, hv, strlen(hv));
    puts_(w, ", expected ");
}

static bool eval_header(const struct lg_check *c, const struct lg_response *r,
                        const struct lg_tmpl_ctx *ctx, struct why *w)
{
    const char *hv = r->header ? r->header(r->ud, c->header) : NULL;
    if (c->op == LG_OP_EXISTS) {
        if (!hv == !c->bool_arg)
            return true;
        putf(w, "header %s is %s", c->header, hv ? "present, expected absent" : "missing");
        return false;
    }
    if (!hv) {
        putf(w, "header %s is missing", c->header);
        return false;
    }
    switch (c->op) {
    case LG_OP_EQUALS: {
        if (!c->expected_tmpl && !c->expected) {
            puts_(w, "internal: no expected value");
            return false;
        }
        if (json_is_string(c->expected) && !c->expected_tmpl) {
            size_t n = json_string_length(c->expected);
            if (strlen(hv) == n && memcmp(hv, json_string_value(c->expected), n) == 0)
                return true;
            header_was(w, c, hv);
            put_quoted(w, json_string_value(c->expected), n);
            return false;
        }
        /* A template renders to text; a number or boolean written unquoted is
         * compared as its text (5 -> "5"). */
        struct lg_buf want = {0};
        bool ok = true;
        if (c->expected_tmpl)
            ok = render_expected(c, ctx, &want, w);
        else
            lg_tmpl_value_text(c->expected, &want);
        if (ok) {
            ok = want.len == strlen(hv) && (want.len == 0 || !memcmp(want.data, hv, want.len));
            if (!ok) {
                header_was(w, c, hv);
                put_expected(w, c, &want);
            }
        }
        lg_buf_free(&want);
        return ok;
    }
    case LG_OP_CONTAINS:
        if (c->text && strstr(hv, c->text))
            return true;
        header_was(w, c, hv);
        puts_(w, "it to contain ");
        put_quoted(w, c->text ? c->text : "", c->text ? strlen(c->text) : 0);
        return false;
    case LG_OP_MATCHES:
        if (c->has_re && regexec(&c->re, hv, 0, NULL, 0) == 0)
            return true;
        header_was(w, c, hv);
        put_match(w, c);
        return false;
    default:
        puts_(w, "internal: unsupported header check");
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

static const char *const type_names[] = {
    [LG_JT_STRING] = "a string",   [LG_JT_NUMBER] = "a number",  [LG_JT_INTEGER] = "an integer",
    [LG_JT_BOOLEAN] = "a boolean", [LG_JT_OBJECT] = "an object", [LG_JT_ARRAY] = "an array",
    [LG_JT_NULL] = "null",
};

/* "PATH was VALUE, expected " (the caller writes what was expected). */
static void json_was(struct why *w, const char *path, const json_t *v)
{
    putf(w, "%s was ", path);
    put_json(w, v);
    puts_(w, ", expected ");
}

/* A number of a check as written in a reason: "10", "0.5", "1e+20". */
static void put_number(struct why *w, double d)
{
    putf(w, "%.15g", d);
}

/* The bound of an lt/lte/gt/gte check as written in the file (exact for numbers
 * beyond a double), else as its double. */
static void put_bound(struct why *w, const struct lg_check *c)
{
    if (c->bound)
        put_json(w, c->bound);
    else
        put_number(w, c->number);
}

/* Applies c's op to the selected value v (never NULL). */
static bool eval_json_value(const struct lg_check *c, const json_t *v,
                            const struct lg_tmpl_ctx *ctx, struct why *w)
{
    const char *path = lg_jpath_src(c->path);
    switch (c->op) {
    case LG_OP_EQUALS:
        if (c->expected_tmpl) {
            struct lg_buf want = {0}, got = {0};
            bool ok = render_expected(c, ctx, &want, w);
            if (ok) {
                lg_tmpl_value_text(v, &got);
                ok =
                    want.len == got.len && (want.len == 0 || !memcmp(want.data, got.data, got.len));
                if (!ok) {
                    json_was(w, path, v);
                    put_expected(w, c, &want);
                }
            }
            lg_buf_free(&want);
            lg_buf_free(&got);
            return ok;
        }
        if (c->expected && json_values_equal(v, c->expected))
            return true;
        if (!c->expected) {
            puts_(w, "internal: no expected value");
            return false;
        }
        json_was(w, path, v);
        put_json(w, c->expected);
        return false;
    case LG_OP_MATCHES: {
        if (!c->has_re) {
            puts_(w, "internal: no regex");
            return false;
        }
        bool ok;
        regmatch_t m[1];
        if (json_is_string(v) && !lg_jnum_is_text(v)) {
            ok = regexec_n(&c->re, json_string_value(v), json_string_length(v), 1, m) == 0;
        } else {
            struct lg_buf text = {0};
            lg_tmpl_value_text(v, &text);
            ok = regexec_n(&c->re, text.data ? text.data : "", text.len, 1, m) == 0;
            lg_buf_free(&text);
        }
        if (ok)
            return true;
        json_was(w, path, v);
        put_match(w, c);
        return false;
    }
    case LG_OP_TYPE:
        if (type_is(v, c->json_type))
            return true;
        putf(w, "%s was %s, expected %s", path, type_desc(v), type_names[c->json_type]);
        return false;
    case LG_OP_LENGTH: {
        size_t len;
        if (!json_length(v, &len)) {
            putf(w, "%s was %s, which has no length", path, type_desc(v));
            return false;
        }
        if ((double)len == c->number)
            return true;
        putf(w, "%s had length %zu, expected ", path, len);
        put_number(w, c->number);
        return false;
    }
    case LG_OP_LT:
    case LG_OP_LTE:
    case LG_OP_GT:
    case LG_OP_GTE: {
        static const char *const sym[] = {"<", "<=", ">", ">="};
        const char *op = sym[c->op - LG_OP_LT];
        if (!lg_jnum_is_number(v)) {
            json_was(w, path, v);
            putf(w, "a number %s ", op);
            put_bound(w, c);
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
        if (ok)
            return true;
        json_was(w, path, v);
        putf(w, "%s ", op);
        put_bound(w, c);
        return false;
    }
    default:
        puts_(w, "internal: unsupported json check");
        return false;
    }
}

/* Bytes of the body shown where parsing stopped. */
#define EXCERPT_MAX 24

/* The body from byte `at` on, quoted and cut like a value. A secret that begins
 * before `at` and runs into the excerpt is hidden too, so that no part of one is
 * ever shown. */
static void put_excerpt(struct why *w, const char *body, size_t len, size_t at)
{
    size_t from = at, longest = w->secrets && w->secrets->n ? w->secrets->lens[0] : 0;
    for (size_t i = at + 1 > longest ? at + 1 - longest : 0; i < at; i++) {
        size_t k = lg_secrets_match(w->secrets, body + i, len - i);
        if (i + k > from)
            from = i + k;
    }
    puts_(w, "\"");
    if (from > at)
        puts_(w, LG_SECRET_MARK);
    put_text(w, body + from, len - from, false, EXCERPT_MAX);
    puts_(w, "\"");
}

/* Why the response has no JSON to check: empty, not JSON (jansson's message, the
 * body where the offending token starts, and that byte, 1-based), or not parsed. */
static void no_json_why(const struct lg_response *r, struct why *w)
{
    if (!r->json_invalid) {
        puts_(w, "no JSON body");
        return;
    }
    if (r->body_len == 0) {
        puts_(w, "body is empty, expected JSON");
        return;
    }
    const json_error_t *e = r->json_error;
    if (!e || !e->text[0]) {
        puts_(w, "body is not JSON");
        return;
    }
    puts_(w, "body is not JSON: ");
    /* jansson writes "MESSAGE near 'TOKEN'" (or "near end of file") and counts the
     * bytes it read up to the token's end. Its copy of the token can stop inside a
     * secret ("hunter" of "hunter2"), so the body itself is quoted from where the
     * token starts; when jansson cut the token, where it starts is not known. */
    const char *near = strstr(e->text, " near ");
    size_t tlen = strlen(e->text), pos = e->position > 0 ? (size_t)e->position : 0;
    put(w, e->text, near ? (size_t)(near - e->text) : tlen);
    if (near && near[6] == '\'') {
        size_t toklen =
            tlen > (size_t)(near - e->text) + 8 ? tlen - (size_t)(near - e->text) - 8 : 0;
        bool whole = e->text[tlen - 1] == '\'' && tlen + 1 < JSON_ERROR_TEXT_LENGTH;
        if (whole && toklen > 0 && toklen <= pos && pos <= r->body_len) {
            puts_(w, " near ");
            put_excerpt(w, r->body, r->body_len, pos - toklen);
            pos = pos - toklen + 1;
        }
    } else if (near) {
        puts_(w, near); /* " near end of file" */
    }
    putf(w, " at byte %zu", pos);
}

static bool eval_json(const struct lg_check *c, const struct lg_response *r,
                      const struct lg_tmpl_ctx *ctx, struct why *w)
{
    if (!r->json) {
        no_json_why(r, w);
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
            putf(w, "%s is %s", path, present ? "present, expected absent" : "missing");
        else if (!ok && present)
            putf(w, "%s matched %zu values, expected none", path, json_array_size(v));
        else if (!ok)
            putf(w, "%s matched nothing", path);
    } else if (!v) {
        putf(w, "%s is missing", path);
        ok = false;
    } else {
        /* A non-singular path is checked as the array of what it selected. */
        ok = eval_json_value(c, v, ctx, w);
    }
    json_decref(v);
    return ok;
}

/* ---- body and latency ---- */

static bool eval_body(const struct lg_check *c, const struct lg_response *r, struct why *w)
{
    const char *body = r->body ? r->body : "";
    size_t len = r->body ? r->body_len : 0;
    switch (c->op) {
    case LG_OP_CONTAINS: {
        size_t tlen = c->text ? strlen(c->text) : 0;
        if (tlen == 0 || memmem(body, len, c->text, tlen))
            return true;
        putf(w, "body (%zu bytes) does not contain ", len);
        put_quoted(w, c->text, tlen);
        return false;
    }
    case LG_OP_MATCHES: {
        if (!c->has_re) {
            puts_(w, "internal: no regex");
            return false;
        }
        regmatch_t m[1];
        if (regexec_n(&c->re, body, len, 1, m) == 0)
            return true;
        putf(w, "body (%zu bytes) does not match", len);
        if (c->text) {
            puts_(w, " ");
            put_text(w, c->text, strlen(c->text), true, OBS_MAX);
        }
        return false;
    }
    default:
        puts_(w, "internal: unsupported body check");
        return false;
    }
}

static bool eval_latency(const struct lg_check *c, const struct lg_response *r, struct why *w)
{
    if (r->total_us <= c->latency_us)
        return true;
    char took[32], max[32];
    putf(w, "took %s, expected at most %s", lg_fmt_duration(r->total_us, took, sizeof(took)),
         lg_fmt_duration(c->latency_us, max, sizeof(max)));
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

static bool eval_tls(const struct lg_check *c, const struct lg_response *r, struct why *w)
{
    int version = 0;
    int64_t not_after = 0;
    if (!r->tls || r->tls(r->ud, &version, &not_after) != 0) {
        puts_(w, "not HTTPS");
        return false;
    }
    char a[32], b[32];
    if (c->tls_min_version) {
        if (version >= c->tls_min_version)
            return true;
        putf(w, "%s %s is below %s", version == 0x0300 ? "SSL" : "TLS",
             tls_version_text(version, a, sizeof a),
             tls_version_text(c->tls_min_version, b, sizeof b));
        return false;
    }
    int64_t left = not_after - (int64_t)time(NULL);
    if (left >= 0 && left >= c->cert_min_valid_s)
        return true;
    if (left < 0)
        putf(w, "certificate expired %s ago", fmt_span_s(-left, a, sizeof a));
    else
        putf(w, "certificate expires in %s (needs %s)", fmt_span_s(left, a, sizeof a),
             fmt_span_s(c->cert_min_valid_s, b, sizeof b));
    return false;
}

static bool check_eval(const struct lg_check *c, const struct lg_response *r,
                       const struct lg_tmpl_ctx *ctx, struct why *w)
{
    switch (c->kind) {
    case LG_CHECK_STATUS:
        return eval_status(c, r, w);
    case LG_CHECK_HEADER:
        return eval_header(c, r, ctx, w);
    case LG_CHECK_JSON:
        return eval_json(c, r, ctx, w);
    case LG_CHECK_BODY:
        return eval_body(c, r, w);
    case LG_CHECK_LATENCY:
        return eval_latency(c, r, w);
    case LG_CHECK_TLS:
        return eval_tls(c, r, w);
    case LG_CHECK_UNTIL:
        break;
    }
    puts_(w, "internal");
    return false;
}

bool lg_check_eval(const struct lg_check *c, const struct lg_response *r,
                   const struct lg_tmpl_ctx *ctx, char *why, size_t whylen)
{
    struct why w = why_begin(why, whylen, r->secrets);
    if (check_eval(c, r, ctx, &w))
        return true;
    return why_end(&w);
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
                        struct why *w)
{
    if (!r->json) {
        no_json_why(r, w);
        return LG_ENOTFOUND;
    }
    /* A [*] path that selects nothing captures an empty list (for_each then runs
     * zero times); a singular path that selects nothing fails. */
    json_t *v = lg_jpath_query(c->path, r->json);
    if (!v) {
        putf(w, "%s matched nothing", lg_jpath_src(c->path));
        return LG_ENOTFOUND;
    }
    *out = v;
    return LG_OK;
}

static int capture_regex(const struct lg_capture *c, const struct lg_response *r, json_t **out,
                         struct why *w)
{
    const char *body = r->body ? r->body : "";
    size_t len = r->body ? r->body_len : 0;
    regmatch_t m[2];
    if (!c->has_re || regexec_n(&c->re, body, len, 2, m) != 0) {
        putf(w, "regex matched nothing in the body (%zu bytes)", len);
        return LG_ENOTFOUND;
    }
    const regmatch_t *g = c->re.re_nsub >= 1 ? &m[1] : &m[0];
    if (g->rm_so < 0) /* group 1 did not take part in the match */
        *out = text_value("", 0);
    else
        *out = text_value(body + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
    return LG_OK;
}

static int capture_eval(const struct lg_capture *c, const struct lg_response *r, json_t **out,
                        struct why *w)
{
    switch (c->kind) {
    case LG_CAPTURE_JSON:
        return capture_json(c, r, out, w);
    case LG_CAPTURE_HEADER: {
        const char *hv = r->header ? r->header(r->ud, c->header) : NULL;
        if (!hv) {
            putf(w, "header %s is missing", c->header);
            return LG_ENOTFOUND;
        }
        *out = text_value(hv, strlen(hv));
        return LG_OK;
    }
    case LG_CAPTURE_REGEX:
        return capture_regex(c, r, out, w);
    case LG_CAPTURE_COOKIE: {
        char *cv = r->cookie ? r->cookie(r->ud, c->header) : NULL;
        if (!cv) {
            putf(w, "cookie %s is not set", c->header);
            return LG_ENOTFOUND;
        }
        *out = text_value(cv, strlen(cv));
        free(cv);
        return LG_OK;
    }
    }
    puts_(w, "internal");
    return LG_ENOTFOUND;
}

int lg_capture_eval(const struct lg_capture *c, const struct lg_response *r, json_t **out,
                    char *why, size_t whylen)
{
    struct why w = why_begin(why, whylen, r->secrets);
    int rc = capture_eval(c, r, out, &w);
    if (rc)
        why_end(&w);
    return rc;
}

/* ---- the body as JSON ---- */

void lg_response_parse_json(struct lg_response *r, json_error_t *err)
{
    /* err is only written when the fast parse gives up: a body it parses pays
     * nothing for the reason it does not need */
    lg_jarena_begin();
    r->json = lg_jnum_loadb(r->body, r->body_len, err);
    lg_jarena_end();
    r->json_invalid = r->json == NULL;
    r->json_error = r->json_invalid ? err : NULL;
}

void lg_response_release_json(struct lg_response *r)
{
    if (!r->json && !r->json_invalid)
        return; /* not parsed */
    if (lg_jarena_installed())
        lg_jarena_reset(); /* the tree, and whatever the parse left, at once */
    else
        json_decref(r->json);
    r->json = NULL;
}

json_t *lg_response_keep(json_t *v)
{
    if (!v || !lg_jarena_installed())
        return v;
    /* Outside lg_jarena_begin/end, so the copy comes from malloc. */
    json_t *copy = json_deep_copy(v);
    json_decref(v);
    if (!copy)
        abort(); /* jansson allocation failure; see lg_malloc */
    return copy;
}
