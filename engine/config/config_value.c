/* config_value: reading YAML values as the types the model needs (strings, booleans,
 * durations, numbers by YAML's core schema, JSON), and reporting a problem at the
 * node or at a byte inside a scalar, with a did-you-mean for unknown keys. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

/* ---- diagnostics ---- */

struct lg_loc lg_cfg_loc(const struct ld *l, const struct ynode *n)
{
    return (struct lg_loc){.file = l->file, .line = n ? n->line : 0, .col = n ? n->col : 0};
}

static void verr(struct ld *l, const struct ynode *n, int off, const char *fmt, va_list ap)
{
    struct lg_buf b = {0};
    lg_buf_vprintf(&b, fmt, ap);
    int line = n ? n->line : 0, col = n ? n->col : 0;
    if (n && off >= 0 && n->type == YN_SCALAR && n->exact && (size_t)off <= n->len)
        col += n->voff + off;
    lg_diags_add(l->diags, l->file, line, col, "%s", b.data ? b.data : "");
    lg_buf_free(&b);
}

void lg_cfg_err(struct ld *l, const struct ynode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(l, n, -1, fmt, ap);
    va_end(ap);
}

void lg_cfg_err_at(struct ld *l, const struct ynode *n, int off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(l, n, off, fmt, ap);
    va_end(ap);
}

/* Edit distance (insertions, deletions, substitutions, adjacent swaps). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[3][33];
    if (la > 32 || lb > 32)
        return (size_t)-1;
    size_t *pp = d[0], *prev = d[1], *cur = d[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

const char *lg_cfg_unknown_key(struct ld *l, const struct ynode *key, const char *where,
                               const char *const *known)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; known && known[i]; i++) {
        size_t dist = edit_distance(key->s, known[i]);
        if (dist < best_d) {
            best_d = dist;
            best = known[i];
        }
    }
    size_t len = strlen(key->s);
    if (best && best_d <= 2 && best_d < len) {
        lg_cfg_err(l, key, "unknown key '%s' in %s (did you mean '%s'?)", key->s, where, best);
        return best;
    }
    lg_cfg_err(l, key, "unknown key '%s' in %s", key->s, where);
    return NULL;
}

/* ---- typed values ---- */

static const char *type_name(const struct ynode *n)
{
    return n->type == YN_MAP ? "a mapping" : n->type == YN_SEQ ? "a list" : "a scalar";
}

bool lg_cfg_is_map(struct ld *l, const struct ynode *n, const char *what)
{
    if (n->type == YN_MAP)
        return true;
    lg_cfg_err(l, n, "'%s' must be a mapping, not %s", what, type_name(n));
    return false;
}

bool lg_cfg_is_seq(struct ld *l, const struct ynode *n, const char *what)
{
    if (n->type == YN_SEQ)
        return true;
    lg_cfg_err(l, n, "'%s' must be a list, not %s", what, type_name(n));
    return false;
}

bool lg_cfg_string(struct ld *l, const struct ynode *n, const char *what, const char **out)
{
    if (n->type == YN_SCALAR) {
        *out = n->s;
        return true;
    }
    lg_cfg_err(l, n, "'%s' must be a string, not %s", what, type_name(n));
    return false;
}

bool lg_cfg_bool(struct ld *l, const struct ynode *n, const char *what, bool *out)
{
    bool b;
    if (n->type == YN_SCALAR && lg_cfg_resolve(n, NULL, NULL, &b) == YS_BOOL) {
        *out = b;
        return true;
    }
    lg_cfg_err(l, n, "'%s' must be true or false", what);
    return false;
}

bool lg_cfg_duration(struct ld *l, const struct ynode *n, const char *what, int64_t *out)
{
    int64_t us;
    if (n->type != YN_SCALAR) {
        lg_cfg_err(l, n, "'%s' must be a duration, e.g. 500ms", what);
        return false;
    }
    if (lg_parse_duration_us(n->s, 0, &us) == LG_OK) {
        *out = us;
        return true;
    }
    if (lg_parse_duration_us(n->s, 1, &us) == LG_OK)
        lg_cfg_err(l, n, "duration needs a unit, e.g. 500ms");
    else
        lg_cfg_err(l, n, "invalid duration '%s' for '%s' (a number and a unit: us, ms, s, m, h)",
                   n->s, what);
    return false;
}

bool lg_cfg_rate(struct ld *l, const struct ynode *n, const char *what, double *out)
{
    if (n->type != YN_SCALAR) {
        lg_cfg_err(l, n, "'%s' must be a rate, e.g. 50/s", what);
        return false;
    }
    double v;
    int rc = strlen(n->s) == n->len ? lg_parse_rate_per_s(n->s, &v) : LG_ESYNTAX;
    if (rc == LG_ELIMIT) {
        lg_cfg_err(l, n, "'%s' must be at most %d/s", what, LG_MAX_RATE_PER_S);
        return false;
    }
    if (rc) {
        lg_cfg_err(l, n, "invalid rate '%s' for '%s' (a number per s, m or h, e.g. 50/s)", n->s,
                   what);
        return false;
    }
    *out = v;
    return true;
}

bool lg_cfg_size(struct ld *l, const struct ynode *n, const char *what, uint64_t *out)
{
    uint64_t v = 0;
    int rc = n->type != YN_SCALAR     ? LG_ESYNTAX
             : strlen(n->s) == n->len ? lg_parse_size(n->s, &v)
                                      : LG_ESYNTAX;
    if (rc == LG_ELIMIT) {
        lg_cfg_err(l, n, "'%s' must be at most %lluGiB", what,
                   (unsigned long long)(LG_MAX_SIZE_BYTES >> 30));
        return false;
    }
    if (rc) {
        lg_cfg_err(l, n,
                   "invalid size '%s' for '%s' (a whole number of bytes, or with a unit: kB, "
                   "MB, GB, KiB, MiB, GiB; e.g. 8MiB)",
                   n->type == YN_SCALAR ? n->s : "", what);
        return false;
    }
    if (v == 0) {
        lg_cfg_err(l, n, "'%s' must be greater than 0", what);
        return false;
    }
    *out = v;
    return true;
}

bool lg_cfg_number(const struct ynode *n, double *out)
{
    long long iv;
    double dv;
    if (n->type != YN_SCALAR)
        return false;
    switch (lg_cfg_resolve(n, &iv, &dv, NULL)) {
    case YS_INT:
        *out = (double)iv;
        return true;
    case YS_FLOAT:
        *out = dv;
        return true;
    default:
        return false;
    }
}

static bool all_digits(const char *s, int (*pred)(int))
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!pred((unsigned char)*s))
            return false;
    }
    return true;
}

static int is_octal(int c)
{
    return c >= '0' && c <= '7';
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_float_text(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t ip = strspn(s, "0123456789");
    s += ip;
    size_t fp = 0;
    if (*s == '.') {
        s++;
        fp = strspn(s, "0123456789");
        s += fp;
    }
    if (!ip && !fp)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        size_t ep = strspn(s, "0123456789");
        if (!ep)
            return false;
        s += ep;
    }
    return *s == '\0';
}

/* The digits of a 0x or 0o integer: an INT, or a FLOAT beyond long long. */
static enum yscalar radix_int(const char *digits, int base, long long *i, double *d)
{
    errno = 0;
    unsigned long long u = strtoull(digits, NULL, base);
    *i = (long long)u;
    *d = (double)u;
    return errno || u > LLONG_MAX ? YS_FLOAT : YS_INT;
}

enum yscalar lg_cfg_resolve(const struct ynode *n, long long *iv, double *dv, bool *bv)
{
    long long i = 0;
    double d = 0;
    bool b = false;
    enum yscalar k = YS_STRING;
    const char *s = n->s;

    if (n->type != YN_SCALAR || n->quoted || strlen(s) != n->len)
        return YS_STRING;
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL")) {
        k = YS_NULL;
    } else if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
        k = YS_BOOL;
        b = true;
    } else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
        k = YS_BOOL;
    } else if (!strncmp(s, "0x", 2) && all_digits(s + 2, isxdigit)) {
        k = radix_int(s + 2, 16, &i, &d);
    } else if (!strncmp(s, "0o", 2) && all_digits(s + 2, is_octal)) {
        k = radix_int(s + 2, 8, &i, &d);
    } else if (all_digits(s + (*s == '-' || *s == '+'), isdigit)) {
        errno = 0;
        i = strtoll(s, NULL, 10);
        k = YS_INT;
        if (errno) { /* beyond 64 bits: keep it as a number */
            d = strtod(s, NULL);
            k = YS_FLOAT;
        }
    } else if (is_float_text(s)) {
        d = strtod(s, NULL);
        k = isfinite(d) ? YS_FLOAT : YS_STRING;
    }
    if (k == YS_INT && dv)
        *dv = (double)i;
    if (iv)
        *iv = i;
    if (dv && k == YS_FLOAT)
        *dv = d;
    if (bv)
        *bv = b;
    return k;
}

bool lg_cfg_decimal_literal(const struct ynode *n, struct lg_buf *lit)
{
    const char *s = n->s;
    if (n->type != YN_SCALAR || n->quoted || strlen(s) != n->len)
        return false;
    if (!all_digits(s + (*s == '-' || *s == '+'), isdigit) && !is_float_text(s))
        return false;
    lg_buf_reset(lit);
    if (*s == '-')
        lg_buf_putc(lit, '-');
    if (*s == '-' || *s == '+')
        s++;
    size_t ip = strspn(s, "0123456789"), lead = 0;
    while (lead + 1 < ip && s[lead] == '0')
        lead++;
    if (ip)
        lg_buf_append(lit, s + lead, ip - lead);
    else
        lg_buf_putc(lit, '0'); /* .5 */
    s += ip;
    if (*s == '.') {
        size_t fp = strspn(++s, "0123456789");
        if (fp) { /* 5. has none */
            lg_buf_putc(lit, '.');
            lg_buf_append(lit, s, fp);
        }
        s += fp;
    }
    lg_buf_puts(lit, s); /* the exponent, as written: e, E, a sign, digits */
    return true;
}

json_t *lg_cfg_exact_number(const struct ynode *n)
{
    struct lg_buf lit = {0};
    json_t *j = NULL;
    int64_t iv;
    if (lg_cfg_decimal_literal(n, &lit))
        j = lg_jnum_to_int64(lit.data, lit.len, &iv) ? json_integer(iv)
                                                     : lg_jnum_new(lit.data, lit.len);
    lg_buf_free(&lit);
    return j;
}

json_t *lg_cfg_jstr(const char *s, size_t len)
{
    json_t *j = json_stringn(s, len);
    if (!j)
        j = json_stringn_nocheck(s, len);
    if (!j) {
        fprintf(stderr, "loadgate: out of memory\n");
        abort();
    }
    return j;
}

json_t *lg_cfg_to_json(const struct ynode *n)
{
    long long iv;
    double dv;
    bool bv;
    json_t *j = NULL;
    switch (n->type) {
    case YN_MAP:
        j = json_object();
        for (size_t i = 0; i + 1 < n->n; i += 2)
            json_object_set_new_nocheck(j, n->kids[i]->s, lg_cfg_to_json(n->kids[i + 1]));
        break;
    case YN_SEQ:
        j = json_array();
        for (size_t i = 0; i < n->n; i++)
            json_array_append_new(j, lg_cfg_to_json(n->kids[i]));
        break;
    case YN_SCALAR: {
        enum yscalar k = lg_cfg_resolve(n, &iv, &dv, &bv);
        struct lg_buf lit = {0};
        /* A number jansson cannot hold (beyond int64 as an integer, or beyond a
         * double) is kept exactly, as text (jnum.h). */
        if ((k == YS_FLOAT || k == YS_STRING) && lg_cfg_decimal_literal(n, &lit) &&
            !lg_jnum_fits(lit.data, lit.len))
            j = lg_jnum_new(lit.data, lit.len);
        lg_buf_free(&lit);
        if (j)
            break;
        switch (k) {
        case YS_NULL:
            j = json_null();
            break;
        case YS_BOOL:
            j = json_boolean(bv);
            break;
        case YS_INT:
            j = json_integer(iv);
            break;
        case YS_FLOAT:
            j = json_real(dv);
            break;
        case YS_STRING:
            j = lg_cfg_jstr(n->s, n->len);
            break;
        }
        break;
    }
    }
    if (!j) {
        fprintf(stderr, "loadgate: out of memory\n");
        abort();
    }
    return j;
}

bool lg_cfg_check_name(struct ld *l, const struct ynode *key, const char *what)
{
    const char *s = key->s;
    bool ok = isalpha((unsigned char)*s) || *s == '_';
    for (size_t i = 1; ok && s[i]; i++)
        ok = isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-';
    if (!ok || strlen(s) != key->len) {
        lg_cfg_err(l, key, "invalid %s name '%s' (a letter or _, then letters, digits, _ or -)",
                   what, s);
        return false;
    }
    if (lg_tmpl_reserved(s)) {
        lg_cfg_err(l, key, "'%s' is a built-in name and cannot be a %s", s, what);
        return false;
    }
    return true;
}
