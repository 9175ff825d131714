/* jnum: keeps the JSON numbers jansson cannot hold (integers beyond int64, reals
 * beyond a double) as their literal text, so that a response holding one still
 * parses, and compares numbers exactly by decimal value where jansson would round
 * or refuse them. */
#include "jnum.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jarena.h"
#include "jsimd.h"

/* The bytes that mark a number kept as text, in the text jansson reads and writes:
 * a string opening with the escape of a NUL byte. */
#define MARK_OPEN "\"\\u0000"
#define MARK_OPEN_LEN 7
#define MARK_LEN (MARK_OPEN_LEN + 1) /* and the closing quote */

/* Nesting tracked to tell an object's keys from values; jansson itself stops at
 * 2048 levels. */
#define MAX_TRACKED_DEPTH 4096

/* Exponents are kept within this bound (saturated): beyond it every literal of a
 * body is either zero or infinite in any comparison that matters. */
#define EXP_MAX ((int64_t)1 << 59)

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of the JSON number literal at the start of s[0, n), or 0 if none. */
static size_t literal_len(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n)
        return 0;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < n && is_digit(s[i]))
            i++;
    } else {
        return 0;
    }
    if (i + 1 < n && s[i] == '.' && is_digit(s[i + 1])) {
        i += 2;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && is_digit(s[j])) {
            while (j < n && is_digit(s[j]))
                j++;
            i = j;
        }
    }
    return i;
}

/* ---- reading numbers as doubles, whatever the process locale ---- */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* strtod of a NUL-terminated literal in the C locale. */
static double literal_double(const char *lit)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale ? strtod_l(lit, NULL, c_locale) : strtod(lit, NULL);
}

/* ---- decimal values ---- */

/* A literal's value: its digits (integer part, then fraction) and exponent. */
struct dec {
    bool neg;
    const char *ip, *fp; /* integer and fraction digits */
    size_t in, fn;
    int64_t exp;
    /* derived: first and last non-zero digit (indexes into ip ++ fp), and the
     * position of the decimal point relative to the first one, so that the value
     * is 0.D x 10^adj with D the digits first..last */
    bool zero;
    size_t first, last;
    int64_t adj;
};

static char dec_digit(const struct dec *d, size_t k)
{
    return k < d->in ? d->ip[k] : d->fp[k - d->in];
}

/* s[0, n) is a valid literal (literal_len(s, n) == n). */
static void dec_parse(const char *s, size_t n, struct dec *d)
{
    size_t i = 0;
    memset(d, 0, sizeof(*d));
    if (s[0] == '-') {
        d->neg = true;
        i = 1;
    }
    d->ip = s + i;
    while (i < n && is_digit(s[i]))
        i++;
    d->in = (size_t)(s + i - d->ip);
    d->fp = s + i;
    if (i < n && s[i] == '.') {
        d->fp = s + ++i;
        while (i < n && is_digit(s[i]))
            i++;
        d->fn = (size_t)(s + i - d->fp);
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false;
        i++;
        if (s[i] == '+' || s[i] == '-')
            eneg = s[i++] == '-';
        int64_t e = 0;
        for (; i < n && is_digit(s[i]); i++)
            if (e <= EXP_MAX)
                e = e * 10 + (s[i] - '0');
        if (e > EXP_MAX)
            e = EXP_MAX;
        d->exp = eneg ? -e : e;
    }
    size_t total = d->in + d->fn, k = 0;
    while (k < total && dec_digit(d, k) == '0')
        k++;
    if (k == total) {
        d->zero = true;
        return;
    }
    d->first = k;
    d->last = total - 1;
    while (dec_digit(d, d->last) == '0')
        d->last--;
    d->adj = (int64_t)d->in - (int64_t)d->first + d->exp;
}

/* -1, 0, 1 as |a| is below, equal to or above |b|; both non-zero. */
static int dec_cmp_mag(const struct dec *a, const struct dec *b)
{
    if (a->adj != b->adj)
        return a->adj < b->adj ? -1 : 1;
    size_t na = a->last - a->first + 1, nb = b->last - b->first + 1;
    for (size_t k = 0; k < na && k < nb; k++) {
        char x = dec_digit(a, a->first + k), y = dec_digit(b, b->first + k);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return na == nb ? 0 : na < nb ? -1 : 1;
}

static int dec_cmp(const struct dec *a, const struct dec *b)
{
    int sa = a->zero ? 0 : a->neg ? -1 : 1, sb = b->zero ? 0 : b->neg ? -1 : 1;
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    int m = dec_cmp_mag(a, b);
    return sa > 0 ? m : -m;
}

static bool dec_integral(const struct dec *d)
{
    return d->zero || d->adj >= (int64_t)(d->last - d->first + 1);
}

/* ---- numbers kept as text ---- */

const char *lg_jnum_literal(const json_t *v, size_t *len)
{
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n < 2 || s[0] != '\0' || literal_len(s + 1, n - 1) != n - 1)
        return NULL;
    if (len)
        *len = n - 1;
    return s + 1;
}

bool lg_jnum_is_text(const json_t *v)
{
    return lg_jnum_literal(v, NULL) != NULL;
}

json_t *lg_jnum_new(const char *lit, size_t len)
{
    if (!len || literal_len(lit, len) != len)
        return NULL;
    char *s = lg_malloc(len + 1);
    s[0] = '\0';
    memcpy(s + 1, lit, len);
    json_t *v = json_stringn_nocheck(s, len + 1);
    free(s);
    if (!v)
        abort(); /* jansson allocation failure; see lg_malloc */
    return v;
}

bool lg_jnum_is_number(const json_t *v)
{
    return json_is_number(v) || lg_jnum_is_text(v);
}

double lg_jnum_value(const json_t *v)
{
    if (json_is_number(v))
        return json_number_value(v);
    const char *lit = lg_jnum_literal(v, NULL);
    return lit ? literal_double(lit) : 0;
}

bool lg_jnum_is_integral(const json_t *v)
{
    if (json_is_integer(v))
        return true;
    if (json_is_real(v)) {
        double d = json_real_value(v);
        return isfinite(d) && floor(d) == d;
    }
    size_t n;
    const char *lit = lg_jnum_literal(v, &n);
    if (!lit)
        return false;
    struct dec d;
    dec_parse(lit, n, &d);
    return dec_integral(&d);
}

/* The decimal value of an integer or a number kept as text; buf holds an integer's
 * digits. */
static void to_dec(const json_t *v, char buf[24], struct dec *d)
{
    size_t n;
    const char *lit = lg_jnum_literal(v, &n);
    if (!lit) {
        n = (size_t)snprintf(buf, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        lit = buf;
    }
    dec_parse(lit, n, d);
}

bool lg_jnum_cmp(const json_t *a, const json_t *b, int *cmp)
{
    if (!lg_jnum_is_number(a) || !lg_jnum_is_number(b))
        return false;
    if (json_is_integer(a) && json_is_integer(b)) {
        json_int_t x = json_integer_value(a), y = json_integer_value(b);
        *cmp = x < y ? -1 : x > y;
        return true;
    }
    if (json_is_real(a) || json_is_real(b)) {
        double x = lg_jnum_value(a), y = lg_jnum_value(b);
        *cmp = x < y ? -1 : x > y;
        return true;
    }
    char ba[24], bb[24];
    struct dec da, db;
    to_dec(a, ba, &da);
    to_dec(b, bb, &db);
    *cmp = dec_cmp(&da, &db);
    return true;
}

bool lg_jnum_to_int64(const char *lit, size_t len, int64_t *out)
{
    if (!len || literal_len(lit, len) != len)
        return false;
    struct dec d;
    dec_parse(lit, len, &d);
    if (d.zero) {
        *out = 0;
        return true;
    }
    if (!dec_integral(&d) || d.adj > 19)
        return false;
    uint64_t u = 0, limit = d.neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (int64_t k = 0; k < d.adj; k++) {
        size_t idx = d.first + (size_t)k;
        unsigned digit = idx <= d.last ? (unsigned)(dec_digit(&d, idx) - '0') : 0;
        if (u > (limit - digit) / 10)
            return false;
        u = u * 10 + digit;
    }
    *out = d.neg ? (u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u) : (int64_t)u;
    return true;
}

/* ---- dumping ---- */

static int dump_cb(const char *p, size_t n, void *data)
{
    lg_buf_append(data, p, n);
    return 0;
}

void lg_jnum_dump(const json_t *v, size_t flags, struct lg_buf *out)
{
    size_t n;
    const char *lit = lg_jnum_literal(v, &n);
    if (lit) {
        lg_buf_append(out, lit, n);
        return;
    }
    size_t start = out->len;
    json_dump_callback(v, dump_cb, out, flags | JSON_ENCODE_ANY);
    if (out->len == start || !memmem(out->data + start, out->len - start, MARK_OPEN, MARK_OPEN_LEN))
        return;
    /* jansson wrote each number kept as text as the string "\u0000LITERAL": keep
     * LITERAL alone. The text only shrinks, so it is rewritten in place. */
    char *s = out->data;
    size_t w = start, i = start, end = out->len;
    while (i < end) {
        if (s[i] != '"') {
            s[w++] = s[i++];
            continue;
        }
        size_t j = i + 1;
        while (j < end && s[j] != '"')
            j += s[j] == '\\' ? 2 : 1;
        size_t tok_end = j < end ? j + 1 : end;
        size_t body = j < end ? j - i - 1 : 0;
        if (body > MARK_OPEN_LEN - 1 && !memcmp(s + i, MARK_OPEN, MARK_OPEN_LEN) &&
            literal_len(s + i + MARK_OPEN_LEN, j - i - MARK_OPEN_LEN) == j - i - MARK_OPEN_LEN) {
            memmove(s + w, s + i + MARK_OPEN_LEN, j - i - MARK_OPEN_LEN);
            w += j - i - MARK_OPEN_LEN;
        } else {
            memmove(s + w, s + i, tok_end - i);
            w += tok_end - i;
        }
        i = tok_end;
    }
    out->len = w;
    s[w] = '\0';
}

/* ---- parsing ---- */

/* Whether a literal is one jansson refuses: an integer beyond int64, or a real
 * whose double overflows (jansson checks strtod for HUGE_VAL). */
static bool out_of_range(const char *lit, size_t n)
{
    bool real = memchr(lit, '.', n) || memchr(lit, 'e', n) || memchr(lit, 'E', n);
    if (!real) {
        bool neg = lit[0] == '-';
        size_t digits = n - neg;
        const char *limit = neg ? "9223372036854775808" : "9223372036854775807";
        return digits > 19 || (digits == 19 && memcmp(lit + neg, limit, 19) > 0);
    }
    char small[64];
    char *copy = n < sizeof(small) ? small : lg_malloc(n + 1);
    memcpy(copy, lit, n);
    copy[n] = '\0';
    bool inf = isinf(literal_double(copy));
    if (copy != small)
        free(copy);
    return inf;
}

bool lg_jnum_fits(const char *lit, size_t len)
{
    return !out_of_range(lit, len);
}

/* A number replaced by a marked string: where, in the original and the new text. */
struct repl {
    size_t orig_end;           /* end of the literal in the body */
    size_t out_start, out_end; /* the marked string in the rewritten text */
};

struct rewrite {
    struct lg_buf out;
    struct repl *r;
    size_t n, cap;
    size_t nul_at; /* first \u0000 escape of a string in the body, or SIZE_MAX */
};

/* Copies buf into w->out with every out-of-range number that is not an object key
 * replaced by a marked string. Strings are copied as they are (escapes included);
 * anything that is not JSON is copied too, for jansson to refuse. */
static void rewrite_numbers(const char *buf, size_t len, struct rewrite *w)
{
    uint64_t is_object[MAX_TRACKED_DEPTH / 64] = {0};
    size_t depth = 0, copied = 0, i = 0;
    char prev = 0; /* the last byte outside strings that was not a blank */
    w->nul_at = SIZE_MAX;
    while (i < len) {
        char c = buf[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < len && buf[j] != '"') {
                if (buf[j] == '\\') {
                    if (j + 5 < len && buf[j + 1] == 'u' && !memcmp(buf + j + 2, "0000", 4) &&
                        w->nul_at == SIZE_MAX)
                        w->nul_at = j;
                    j += 2;
                } else {
                    j++;
                }
            }
            i = j < len ? j + 1 : len;
            prev = '"';
            continue;
        }
        if (c == '-' || is_digit(c)) {
            size_t n = literal_len(buf + i, len - i);
            bool in_object = depth > 0 && depth <= MAX_TRACKED_DEPTH &&
                             (is_object[(depth - 1) / 64] >> ((depth - 1) % 64) & 1);
            bool key = in_object && (prev == '{' || prev == ',');
            if (n && !key && out_of_range(buf + i, n)) {
                lg_buf_append(&w->out, buf + copied, i - copied);
                LG_GROW(w->r, w->n + 1, w->cap);
                struct repl *r = &w->r[w->n++];
                r->orig_end = i + n;
                r->out_start = w->out.len;
                lg_buf_append(&w->out, MARK_OPEN, MARK_OPEN_LEN);
                lg_buf_append(&w->out, buf + i, n);
                lg_buf_putc(&w->out, '"');
                r->out_end = w->out.len;
                copied = i + n;
            }
            i += n ? n : 1;
            prev = '0';
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth < MAX_TRACKED_DEPTH) {
                uint64_t bit = (uint64_t)1 << (depth % 64);
                if (c == '{')
                    is_object[depth / 64] |= bit;
                else
                    is_object[depth / 64] &= ~bit;
            }
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            prev = c;
        i++;
    }
    lg_buf_append(&w->out, buf + copied, len - copied);
}

/* The body's position for a position in the rewritten text. */
static size_t orig_pos(const struct rewrite *w, size_t pos)
{
    size_t added = 0;
    for (size_t k = 0; k < w->n && w->r[k].out_start < pos; k++) {
        if (pos < w->r[k].out_end) /* inside a marked string: its literal's end */
            return w->r[k].orig_end;
        added += MARK_LEN;
    }
    return pos - added;
}

/* Sets position, line and column for byte pos of buf as jansson counts them:
 * lines from 1, columns in UTF-8 code points (lead bytes) since the last newline. */
static void set_place(json_error_t *err, const char *buf, size_t len, size_t pos)
{
    int line = 1, col = 0;
    if (pos > len)
        pos = len;
    for (size_t i = 0; i < pos; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n') {
            line++;
            col = 0;
        } else if (c < 0x80 || (c >= 0xC2 && c <= 0xF4)) {
            col++;
        }
    }
    err->position = (int)pos;
    err->line = line;
    err->column = col;
}

/* jansson quotes the token it stopped at: a marked string shows as its literal. */
static void unmark_text(char *text)
{
    char *m = strstr(text, "'" MARK_OPEN);
    if (!m)
        return;
    memmove(m + 1, m + 1 + MARK_OPEN_LEN, strlen(m + 1 + MARK_OPEN_LEN) + 1);
    size_t n = strlen(text);
    if (n >= 2 && text[n - 1] == '\'' && text[n - 2] == '"') {
        text[n - 2] = '\'';
        text[n - 1] = '\0';
    }
}

static void set_error(json_error_t *err, enum json_error_code code, const char *text)
{
    snprintf(err->text, JSON_ERROR_TEXT_LENGTH - 1, "%s", text);
    err->text[JSON_ERROR_TEXT_LENGTH - 1] = (char)code;
}

/* The second parse, once jansson refused a number's range. */
static json_t *load_rewritten(const char *buf, size_t len, json_error_t *err)
{
    struct rewrite w = {0};
    json_t *j = NULL;
    rewrite_numbers(buf, len, &w);
    if (w.n == 0) /* nothing to keep as text: jansson's refusal stands */
        goto out;
    json_error_t e2;
    j = json_loadb(w.out.data, w.out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e2);
    size_t epos = j ? SIZE_MAX : orig_pos(&w, (size_t)(e2.position < 0 ? 0 : e2.position));
    if (w.nul_at != SIZE_MAX && w.nul_at < epos) {
        /* A string with NUL: refused as jansson refuses it without the rewrite, so
         * that only numbers kept as text start with NUL. */
        json_decref(j);
        j = NULL;
        set_error(err, json_error_null_character, "\\u0000 is not allowed in a string");
        set_place(err, buf, len, w.nul_at);
    } else if (!j) {
        *err = e2;
        unmark_text(err->text);
        set_place(err, buf, len, epos);
    }
out:
    lg_buf_free(&w.out);
    free(w.r);
    return j;
}

json_t *lg_jnum_loadb(const char *buf, size_t len, json_error_t *err)
{
    /* a failed attempt's values, all released, leave the arena before the next */
    struct lg_jarena_mark mark = lg_jarena_mark();
    json_t *j = lg_jsimd_loadb(buf, len);
    if (j)
        return j;
    lg_jarena_rewind(mark);
    json_error_t local;
    if (!err)
        err = &local;
    j = json_loadb(buf, len, JSON_DECODE_ANY, err);
    if (j || json_error_code(err) != json_error_numeric_overflow)
        return j;
    lg_jarena_rewind(mark);
    return load_rewritten(buf, len, err);
}
