/* config_tmpl: compiles the templates of a file. Literal text is escaped here for
 * JSON and URL contexts, and a template may only read what is defined by the time
 * its step runs (vars, captures of earlier steps, the step's for_each variable). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

/* ---- templates ---- */

void lg_cfg_put_json_lit(struct lg_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            lg_buf_puts(b, "\\\"");
            break;
        case '\\':
            lg_buf_puts(b, "\\\\");
            break;
        case '\n':
            lg_buf_puts(b, "\\n");
            break;
        case '\r':
            lg_buf_puts(b, "\\r");
            break;
        case '\t':
            lg_buf_puts(b, "\\t");
            break;
        default:
            if (c < 0x20)
                lg_buf_printf(b, "\\u%04x", c);
            else
                lg_buf_putc(b, (char)c);
        }
    }
}

void lg_cfg_put_url_lit(struct lg_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            lg_buf_putc(b, (char)c);
        } else {
            lg_buf_putc(b, '%');
            lg_buf_putc(b, hex[c >> 4]);
            lg_buf_putc(b, hex[c & 15]);
        }
    }
}

/* The end of the {{ ... }} that opens at src[open] (just past "}}"), skipping
 * "strings" inside; the end of src when it is not closed. */
size_t lg_cfg_expr_end(const char *src, size_t open)
{
    size_t i = open + 2;
    while (src[i]) {
        if (src[i] == '"') {
            for (i++; src[i] && src[i] != '"'; i++) {
                if (src[i] == '\\' && src[i + 1])
                    i++;
            }
            if (src[i])
                i++;
        } else if (src[i] == '}' && src[i + 1] == '}') {
            return i + 2;
        } else {
            i++;
        }
    }
    return i;
}

/* Appends src to t. In JSON and URL modes the text around expressions is escaped
 * here (the template engine copies literal text as is). Reports a compile error. */
static bool add_escaped(const struct lg_cfg_tctx *c, struct lg_tmpl *t, const struct ynode *n,
                        const char *src, size_t base, enum lg_tmpl_esc esc)
{
    struct lg_tmpl_err err = {0};
    if (esc == LG_TMPL_RAW) {
        if (lg_tmpl_add_src(t, src, esc, c->scope, &err) == LG_OK)
            return true;
        lg_cfg_err_at(c->l, n, (int)base + err.offset, "%s", err.msg);
        return false;
    }
    struct lg_buf lit = {0};
    size_t pos = 0;
    bool ok = true;
    while (ok) {
        const char *open = strstr(src + pos, "{{");
        size_t stop = open ? (size_t)(open - src) : strlen(src);
        lg_buf_reset(&lit);
        if (esc == LG_TMPL_JSON)
            lg_cfg_put_json_lit(&lit, src + pos, stop - pos);
        else
            lg_cfg_put_url_lit(&lit, src + pos, stop - pos);
        lg_tmpl_add_lit(t, lit.data ? lit.data : "", lit.len);
        if (!open)
            break;
        size_t end = lg_cfg_expr_end(src, stop);
        char *piece = lg_strndup(src + stop, end - stop);
        if (lg_tmpl_add_src(t, piece, esc, c->scope, &err) != LG_OK) {
            lg_cfg_err_at(c->l, n, (int)(base + stop) + err.offset, "%s", err.msg);
            ok = false;
        }
        free(piece);
        pos = end;
    }
    lg_buf_free(&lit);
    return ok;
}

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Byte offset of the first whole-word occurrence of name in src, or -1. */
static int find_word(const char *src, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = strstr(src, name); p; p = strstr(p + 1, name)) {
        if ((p == src || !word_char(p[-1])) && !word_char(p[len]))
            return (int)(p - src);
    }
    return -1;
}

const char *lg_cfg_step_label(const struct lg_cfg_tctx *c, int k, char *buf, size_t n)
{
    const struct ynode *st = c->steps_node->kids[k];
    for (size_t i = 0; st->type == YN_MAP && i + 1 < st->n; i += 2) {
        const struct ynode *v = st->kids[i + 1];
        if (!strcmp(st->kids[i]->s, "name") && v->type == YN_SCALAR && *v->s)
            return v->s;
    }
    snprintf(buf, n, "#%d", k + 1);
    return buf;
}

/* Every slot t reads must be defined by the time step c->step runs. */
static bool check_slots(const struct lg_cfg_tctx *c, const struct lg_tmpl *t, const struct ynode *n,
                        const char *src, size_t base)
{
    int small[32];
    size_t total = lg_tmpl_slots(t, small, 32);
    int *slots = small;
    bool ok = true;
    if (total > 32) {
        slots = lg_malloc(total * sizeof *slots);
        lg_tmpl_slots(t, slots, total);
    }
    for (size_t i = 0; i < total && c->slots; i++) {
        int s = slots[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = slots[j] == s;
        if (seen || s < 0 || (size_t)s >= c->slots->n)
            continue;
        const struct lg_cfg_slots *sl = c->slots;
        if (sl->is_var[s] || (sl->cap_step[s] >= 0 && sl->cap_step[s] < c->step) || s == c->fe_var)
            continue;
        const char *name = c->scope->names[s];
        int off = find_word(src, name);
        off = off < 0 ? -1 : (int)base + off;
        char buf[24];
        if (sl->cap_step[s] == c->step)
            lg_cfg_err_at(c->l, n, off, "'%s' is captured by this step, from its own response",
                          name);
        else if (sl->cap_step[s] >= 0)
            lg_cfg_err_at(c->l, n, off, "'%s' is captured by step '%s' which runs later", name,
                          lg_cfg_step_label(c, sl->cap_step[s], buf, sizeof buf));
        else if (sl->fe_step[s] >= 0)
            lg_cfg_err_at(c->l, n, off,
                          "'%s' is only defined inside step '%s' (its for_each variable)", name,
                          lg_cfg_step_label(c, sl->fe_step[s], buf, sizeof buf));
        else
            lg_cfg_err_at(c->l, n, off, "undefined variable '%s'", name);
        ok = false;
    }
    if (slots != small)
        free(slots);
    return ok;
}

bool lg_cfg_tmpl(const struct lg_cfg_tctx *c, struct lg_tmpl *t, const struct ynode *n,
                 const char *src, size_t base, enum lg_tmpl_esc esc)
{
    /* Compiled alone first so that its slots and env reads can be checked. */
    struct lg_tmpl *alone = lg_tmpl_new();
    bool ok = add_escaped(c, alone, n, src, base, esc) && check_slots(c, alone, n, src, base);
    const char *missing = ok && c->need_env ? lg_tmpl_missing_env(alone) : NULL;
    if (missing) {
        char *word = lg_asprintf("env.%s", missing);
        int off = find_word(src, word);
        lg_cfg_err_at(c->l, n, off < 0 ? -1 : (int)base + off, "environment variable %s is not set",
                      missing);
        free(word);
        ok = false;
    }
    if (ok)
        lg_tmpl_secrets(alone, &c->l->suite->secrets);
    lg_tmpl_free(alone);
    return ok && add_escaped(c, t, n, src, base, esc);
}

struct lg_tmpl *lg_cfg_tmpl_new(const struct lg_cfg_tctx *c, const struct ynode *n, const char *src,
                                enum lg_tmpl_esc esc)
{
    struct lg_tmpl *t = lg_tmpl_new();
    if (lg_cfg_tmpl(c, t, n, src, 0, esc))
        return t;
    lg_tmpl_free(t);
    return NULL;
}

/* ---- headers ---- */

static bool valid_header_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && !strchr("!#$%&'*+-.^_`|~", *s))
            return false;
    }
    return true;
}

/* Header maps of environments and requests. */
void lg_cfg_headers(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_header_tmpl **out,
                    size_t *n_out)
{
    struct ld *l = c->l;
    if (!lg_cfg_is_map(l, n, "headers"))
        return;
    *out = lg_calloc(n->n / 2 + 1, sizeof **out);
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        const char *val;
        if (!valid_header_name(k->s)) {
            lg_cfg_err(l, k, "invalid header name '%s'", k->s);
            continue;
        }
        if (!lg_cfg_string(l, v, "headers", &val))
            continue;
        if (strpbrk(val, "\r\n")) {
            lg_cfg_err(l, v, "header '%s' must not contain line breaks", k->s);
            continue;
        }
        struct lg_tmpl *t = lg_tmpl_new();
        if (!lg_cfg_tmpl(c, t, v, val, 0, LG_TMPL_RAW)) {
            lg_tmpl_free(t);
            continue;
        }
        struct lg_header_tmpl *h = &(*out)[(*n_out)++];
        h->name = lg_strdup(k->s);
        h->value = t;
        h->secret = lg_tmpl_is_secret(t);
        h->same_origin_only = h->secret || lg_secrets_header_name(h->name);
    }
}
