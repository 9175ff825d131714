/* jfast: a recursive-descent JSON parser that builds jansson values directly. It
 * accepts a strict subset of what jansson accepts (RFC 8259 with jansson's limits)
 * and gives up, returning NULL, at the first byte it does not expect: jansson then
 * parses the body again and has the last word, with its own message. */
#include "jfast.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define MAX_DEPTH 128
#define MAX_INT_DIGITS 18 /* always within int64 */
#define MAX_REAL_LEN 63

struct parser {
    const char *p, *end;
    struct lg_buf text; /* a string with escapes or non-ASCII, decoded */
};

static void skip_blanks(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static void put_utf8(struct lg_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    lg_buf_append(b, u, n);
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) ||
        cp > 0x10FFFF)
        return 0;
    return n;
}

/* The string whose opening quote was just read: *s and *n point into the body when
 * it has only printable ASCII and no escape, else into ps->text. */
static bool read_string(struct parser *ps, const char **s, size_t *n)
{
    const char *start = ps->p, *q = start;
    while (q < ps->end) {
        unsigned char c = (unsigned char)*q;
        if (c == '"') {
            *s = start;
            *n = (size_t)(q - start);
            ps->p = q + 1;
            return true;
        }
        if (c == '\\' || c < 0x20 || c >= 0x80)
            break;
        q++;
    }
    lg_buf_reset(&ps->text);
    lg_buf_append(&ps->text, start, (size_t)(q - start));
    while (q < ps->end) {
        unsigned char c = (unsigned char)*q;
        if (c == '"') {
            *s = ps->text.data;
            *n = ps->text.len;
            ps->p = q + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c >= 0x80) {
            size_t k = utf8_seq((const unsigned char *)q, (const unsigned char *)ps->end);
            if (!k)
                return false;
            lg_buf_append(&ps->text, q, k);
            q += k;
            continue;
        }
        if (c != '\\') {
            lg_buf_putc(&ps->text, (char)c);
            q++;
            continue;
        }
        if (ps->end - q < 2)
            return false;
        char e = q[1];
        q += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            lg_buf_putc(&ps->text, e);
            break;
        case 'b':
            lg_buf_putc(&ps->text, '\b');
            break;
        case 'f':
            lg_buf_putc(&ps->text, '\f');
            break;
        case 'n':
            lg_buf_putc(&ps->text, '\n');
            break;
        case 'r':
            lg_buf_putc(&ps->text, '\r');
            break;
        case 't':
            lg_buf_putc(&ps->text, '\t');
            break;
        case 'u': {
            int v = ps->end - q >= 4 ? hex4(q) : -1;
            if (v <= 0 || (v >= 0xDC00 && v <= 0xDFFF))
                return false; /* \u0000, bad hex, a lone low surrogate: jansson's call */
            q += 4;
            uint32_t cp = (uint32_t)v;
            if (v >= 0xD800 && v <= 0xDBFF) {
                int lo = ps->end - q >= 6 && q[0] == '\\' && q[1] == 'u' ? hex4(q + 2) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return false;
                q += 6;
                cp = 0x10000 + (((uint32_t)v - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            }
            put_utf8(&ps->text, cp);
            break;
        }
        default:
            return false;
        }
    }
    return false;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A number, as jansson reads it: an integer when it has neither fraction nor
 * exponent (strtoll), else a real (strtod). */
static json_t *read_number(struct parser *ps)
{
    const char *s = ps->p, *q = s, *end = ps->end;
    bool neg = q < end && *q == '-';
    q += neg;
    if (q >= end || !is_digit(*q))
        return NULL;
    const char *digits = q;
    if (*q == '0') {
        q++;
        if (q < end && is_digit(*q))
            return NULL;
    } else {
        while (q < end && is_digit(*q))
            q++;
    }
    size_t ndigits = (size_t)(q - digits);
    bool real = false;
    if (q < end && *q == '.') {
        q++;
        if (q >= end || !is_digit(*q))
            return NULL;
        while (q < end && is_digit(*q))
            q++;
        real = true;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        if (q >= end || !is_digit(*q))
            return NULL;
        while (q < end && is_digit(*q))
            q++;
        real = true;
    }
    ps->p = q;
    if (!real) {
        if (ndigits > MAX_INT_DIGITS)
            return NULL;
        int64_t v = 0;
        for (size_t i = 0; i < ndigits; i++)
            v = v * 10 + (digits[i] - '0');
        return json_integer(neg ? -v : v);
    }
    size_t n = (size_t)(q - s);
    if (n > MAX_REAL_LEN)
        return NULL;
    char lit[MAX_REAL_LEN + 1];
    memcpy(lit, s, n);
    lit[n] = '\0';
    pthread_once(&c_locale_once, c_locale_init);
    if (!c_locale)
        return NULL;
    double d = strtod_l(lit, NULL, c_locale);
    return isinf(d) ? NULL : json_real(d);
}

static json_t *read_value(struct parser *ps, int depth);

static json_t *read_object(struct parser *ps, int depth)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    skip_blanks(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return obj;
    }
    for (;;) {
        const char *k;
        size_t klen;
        if (ps->p >= ps->end || *ps->p != '"')
            goto fail;
        ps->p++;
        if (!read_string(ps, &k, &klen))
            goto fail;
        /* json_object_setn copies the key; one decoded into ps->text is moved out
         * first, as the value may reuse ps->text */
        char small[64], *key = (char *)k;
        if (k == ps->text.data) {
            key = klen < sizeof(small) ? small : malloc(klen);
            if (!key)
                goto fail;
            memcpy(key, k, klen);
        }
        skip_blanks(ps);
        json_t *v = NULL;
        if (ps->p < ps->end && *ps->p == ':') {
            ps->p++;
            skip_blanks(ps);
            v = read_value(ps, depth);
        }
        int rc = v ? json_object_setn_new_nocheck(obj, key, klen, v) : -1;
        if (key != k && key != small)
            free(key);
        if (rc)
            goto fail;
        skip_blanks(ps);
        if (ps->p >= ps->end)
            goto fail;
        char c = *ps->p++;
        if (c == '}')
            return obj;
        if (c != ',')
            goto fail;
        skip_blanks(ps);
    }
fail:
    json_decref(obj);
    return NULL;
}

static json_t *read_array(struct parser *ps, int depth)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    skip_blanks(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return arr;
    }
    for (;;) {
        json_t *v = read_value(ps, depth);
        if (!v || json_array_append_new(arr, v))
            goto fail;
        skip_blanks(ps);
        if (ps->p >= ps->end)
            goto fail;
        char c = *ps->p++;
        if (c == ']')
            return arr;
        if (c != ',')
            goto fail;
        skip_blanks(ps);
    }
fail:
    json_decref(arr);
    return NULL;
}

/* Whether the body continues with the word w (true, false, null). A letter right
 * after it fails where the next token is expected, as in jansson. */
static bool read_word(struct parser *ps, const char *w, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n))
        return false;
    ps->p += n;
    return true;
}

static json_t *read_value(struct parser *ps, int depth)
{
    if (ps->p >= ps->end)
        return NULL;
    switch (*ps->p) {
    case '{':
        if (depth >= MAX_DEPTH)
            return NULL;
        ps->p++;
        return read_object(ps, depth + 1);
    case '[':
        if (depth >= MAX_DEPTH)
            return NULL;
        ps->p++;
        return read_array(ps, depth + 1);
    case '"': {
        const char *s;
        size_t n;
        ps->p++;
        return read_string(ps, &s, &n) ? json_stringn_nocheck(s, n) : NULL;
    }
    case 't':
        return read_word(ps, "true", 4) ? json_true() : NULL;
    case 'f':
        return read_word(ps, "false", 5) ? json_false() : NULL;
    case 'n':
        return read_word(ps, "null", 4) ? json_null() : NULL;
    default:
        return read_number(ps);
    }
}

json_t *lg_jfast_loadb(const char *buf, size_t len)
{
    struct parser ps = {.p = buf, .end = buf + len};
    skip_blanks(&ps);
    json_t *v = read_value(&ps, 0);
    skip_blanks(&ps);
    if (v && ps.p != ps.end) {
        json_decref(v);
        v = NULL;
    }
    lg_buf_free(&ps.text);
    return v;
}
