/* jsonpath: compiles the JSONPath subset used by checks and captures into an array
 * of segments at load time, so that evaluating a path on the hot path is a plain
 * walk over jansson values with no string parsing. */
#include "jsonpath.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Supported syntax (a subset of RFC 9535):
 *   $            the root; every path starts with it
 *   .name        a member; name is letters, digits, '_', '-' and any byte >= 0x80
 *                (UTF-8). Unlike RFC 9535, a name may start with a digit and
 *                contain '-' ($.0, $.x-request-id); use ['...'] for anything else.
 *   .*           shorthand for [*]
 *   ['name']     a member, any name (also ["name"], and [''] for the empty name);
 *                escapes inside the quotes: \' \" \\ only
 *   [N]  [-N]    an array element; -1 is the last one. Out of range selects nothing.
 *   [*]          every array element, or every member value of an object in
 *                document order
 * Blanks (space, tab) are allowed just inside the brackets. Descendants (..),
 * slices, unions and filters are refused with a message naming them. */

enum seg_kind { SEG_NAME, SEG_INDEX, SEG_WILD };

struct seg {
    enum seg_kind kind;
    char *name;    /* SEG_NAME, NUL-terminated (escapes cannot produce NUL) */
    long long idx; /* SEG_INDEX; negative counts from the end */
};

struct lg_jpath {
    char *src;
    struct seg *segs;
    size_t n, cap;
    bool singular;
};

/* RFC 9535 limits indexes to the I-JSON range. */
#define JP_MAX_INDEX 9007199254740991LL

struct parser {
    const char *src;
    size_t pos;
    char *err;
    size_t errlen;
    int err_off;
};

static int fail(struct parser *ps, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parser *ps, size_t off, const char *fmt, ...)
{
    if (ps->err && ps->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err, ps->errlen, fmt, ap);
        va_end(ap);
    }
    ps->err_off = (int)off;
    return LG_ESYNTAX;
}

static bool is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c >= 0x80;
}

static struct seg *push(struct lg_jpath *p, enum seg_kind kind)
{
    LG_GROW(p->segs, p->n + 1, p->cap);
    struct seg *s = &p->segs[p->n++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    return s;
}

static void skip_blanks(struct parser *ps)
{
    while (ps->src[ps->pos] == ' ' || ps->src[ps->pos] == '\t')
        ps->pos++;
}

/* Parses 'name' or "name" starting at the quote; the name goes to *out. */
static int parse_quoted(struct parser *ps, char **out)
{
    char quote = ps->src[ps->pos];
    size_t open = ps->pos++;
    struct lg_buf b = {0};
    for (;;) {
        char c = ps->src[ps->pos];
        if (c == '\0') {
            lg_buf_free(&b);
            return fail(ps, open, "unterminated string");
        }
        if (c == quote) {
            ps->pos++;
            break;
        }
        if (c == '\\') {
            char e = ps->src[ps->pos + 1];
            if (e != '\'' && e != '"' && e != '\\') {
                lg_buf_free(&b);
                if (e == '\0')
                    return fail(ps, open, "unterminated string");
                return fail(ps, ps->pos, "unsupported escape '\\%c' (only \\' \\\" \\\\)", e);
            }
            lg_buf_putc(&b, e);
            ps->pos += 2;
            continue;
        }
        lg_buf_putc(&b, c);
        ps->pos++;
    }
    *out = lg_buf_take(&b);
    return LG_OK;
}

/* Parses an index: -?(0|[1-9][0-9]*), within the I-JSON range. */
static int parse_index(struct parser *ps, long long *out)
{
    size_t start = ps->pos;
    bool neg = false;
    if (ps->src[ps->pos] == '-') {
        neg = true;
        ps->pos++;
    }
    const char *d = ps->src + ps->pos;
    if (*d < '0' || *d > '9')
        return fail(ps, ps->pos, "expected a digit after '-'");
    if (*d == '0' && d[1] >= '0' && d[1] <= '9')
        return fail(ps, start, "leading zeros are not allowed in an index");
    long long v = 0;
    while (ps->src[ps->pos] >= '0' && ps->src[ps->pos] <= '9') {
        v = v * 10 + (ps->src[ps->pos] - '0');
        if (v > JP_MAX_INDEX)
            return fail(ps, start, "index is out of range");
        ps->pos++;
    }
    if (neg && v == 0)
        return fail(ps, start, "-0 is not a valid index");
    *out = neg ? -v : v;
    return LG_OK;
}

/* Parses one [...] selector; ps->pos is at '['. */
static int parse_bracket(struct parser *ps, struct lg_jpath *p)
{
    const char *what;
    ps->pos++;
    skip_blanks(ps);
    char c = ps->src[ps->pos];
    if (c == '\'' || c == '"') {
        char *name = NULL;
        int rc = parse_quoted(ps, &name);
        if (rc)
            return rc;
        push(p, SEG_NAME)->name = name;
        what = "name";
    } else if (c == '*') {
        ps->pos++;
        push(p, SEG_WILD);
        p->singular = false;
        what = "'*'";
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        long long idx = 0;
        int rc = parse_index(ps, &idx);
        if (rc)
            return rc;
        push(p, SEG_INDEX)->idx = idx;
        what = "index";
    } else if (c == ':') {
        return fail(ps, ps->pos, "array slices are not supported");
    } else if (c == '?') {
        return fail(ps, ps->pos, "filter expressions are not supported");
    } else {
        return fail(ps, ps->pos, "expected a name, index or '*' after '['");
    }
    skip_blanks(ps);
    c = ps->src[ps->pos];
    if (c == ']') {
        ps->pos++;
        return LG_OK;
    }
    if (c == ':')
        return fail(ps, ps->pos, "array slices are not supported");
    if (c == ',')
        return fail(ps, ps->pos, "unions of selectors are not supported");
    return fail(ps, ps->pos, "expected ']' after %s", what);
}

/* Parses .name or .*; ps->pos is at '.'. */
static int parse_dot(struct parser *ps, struct lg_jpath *p)
{
    ps->pos++;
    char c = ps->src[ps->pos];
    if (c == '.')
        return fail(ps, ps->pos - 1, "descendant segments ('..') are not supported");
    if (c == '*') {
        ps->pos++;
        push(p, SEG_WILD);
        p->singular = false;
        return LG_OK;
    }
    size_t start = ps->pos;
    while (is_name_char((unsigned char)ps->src[ps->pos]))
        ps->pos++;
    if (ps->pos == start) {
        if (c == '\0' || c == '.' || c == '[')
            return fail(ps, start, "empty name after '.'");
        return fail(ps, start, "unexpected character '%c' in name (use ['...'] for it)", c);
    }
    push(p, SEG_NAME)->name = lg_strndup(ps->src + start, ps->pos - start);
    return LG_OK;
}

int lg_jpath_compile(const char *src, struct lg_jpath **out, char *err, size_t errlen, int *err_off)
{
    struct parser ps = {.src = src, .pos = 0, .err = err, .errlen = errlen};
    struct lg_jpath *p = lg_calloc(1, sizeof(*p));
    int rc = LG_OK;
    p->singular = true;

    if (src[0] != '$') {
        rc = fail(&ps, 0, "path must start with '$'");
        goto out;
    }
    ps.pos = 1;
    while (rc == LG_OK && src[ps.pos] != '\0') {
        char c = src[ps.pos];
        if (c == '.')
            rc = parse_dot(&ps, p);
        else if (c == '[')
            rc = parse_bracket(&ps, p);
        else
            rc = fail(&ps, ps.pos, "expected '.' or '[', got '%c'", c);
    }
    if (rc == LG_OK)
        p->src = lg_strdup(src);

out:
    if (rc != LG_OK) {
        if (err_off)
            *err_off = ps.err_off;
        lg_jpath_free(p);
        return rc;
    }
    *out = p;
    return LG_OK;
}

void lg_jpath_free(struct lg_jpath *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->segs[i].name);
    free(p->segs);
    free(p->src);
    free(p);
}

bool lg_jpath_is_singular(const struct lg_jpath *p)
{
    return p->singular;
}

const char *lg_jpath_src(const struct lg_jpath *p)
{
    return p->src;
}

/* The one child a name or index segment selects from v, or NULL. Borrowed. */
static json_t *step_one(const struct seg *s, json_t *v)
{
    if (s->kind == SEG_NAME)
        return json_is_object(v) ? json_object_get(v, s->name) : NULL;
    if (!json_is_array(v))
        return NULL;
    long long n = (long long)json_array_size(v);
    long long i = s->idx < 0 ? n + s->idx : s->idx;
    if (i < 0 || i >= n)
        return NULL;
    return json_array_get(v, (size_t)i);
}

/* Appends to out everything segments [i, n) select from v, in document order. */
static void walk(const struct lg_jpath *p, size_t i, json_t *v, json_t *out)
{
    for (; i < p->n; i++) {
        const struct seg *s = &p->segs[i];
        if (s->kind != SEG_WILD) {
            v = step_one(s, v);
            if (!v)
                return;
            continue;
        }
        if (json_is_array(v)) {
            size_t k;
            json_t *e;
            json_array_foreach(v, k, e)
            {
                walk(p, i + 1, e, out);
            }
        } else if (json_is_object(v)) {
            const char *key;
            json_t *e;
            /* jansson iterates objects in insertion order, which is document
             * order for parsed JSON. */
            json_object_foreach(v, key, e)
            {
                walk(p, i + 1, e, out);
            }
        }
        return;
    }
    json_array_append(out, v);
}

json_t *lg_jpath_query(const struct lg_jpath *p, json_t *root)
{
    if (!p->singular) {
        json_t *out = json_array();
        if (!out)
            abort(); /* jansson allocation failure; see lg_malloc */
        if (root)
            walk(p, 0, root, out);
        return out;
    }
    json_t *v = root;
    for (size_t i = 0; v && i < p->n; i++)
        v = step_one(&p->segs[i], v);
    return v ? json_incref(v) : NULL;
}
