/* tmpl: compiles "{{ ... }}" templates once, at load time, into parts (literal text,
 * slots, environment values, function calls) and renders them per request with no
 * parsing, no name lookup and no allocation beyond growing the buffers it is given. */
#include "tmpl.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "jnum.h"

#define MAX_ARGS 3
/* Parentheses nest at most this deep: the parser and the renderer recurse once per
 * level, so a hostile "((((..." must meet an error rather than the stack's end. */
#define MAX_NESTING 32

/* ---- built-in functions ------------------------------------------------------ */

/* One rendered argument; valid for the duration of the call only. */
struct arg {
    const char *p;
    size_t len;
};

/* Appends the function's value to out (never the buffer that holds args).
 * Returns 0, or LG_EINVAL when an argument cannot be used. */
typedef int (*func_cb)(const struct arg *args, const struct lg_tmpl_ctx *ctx, struct lg_buf *out);

struct func {
    const char *name;
    int nargs;     /* exact arity, at most MAX_ARGS */
    bool pure;     /* depends only on its arguments: folded at compile time when they
                      are all constant */
    bool int_args; /* every argument must be an integer (checked at compile time for
                      constants, at render time otherwise) */
    bool lo_hi;    /* the first argument must not exceed the second */
    func_cb fn;
};

static const char hexdigits[] = "0123456789abcdef";

static void put_hex(struct lg_buf *out, const unsigned char *p, size_t n)
{
    char s[2 * EVP_MAX_MD_SIZE];
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = hexdigits[p[i] >> 4];
        s[2 * i + 1] = hexdigits[p[i] & 15];
    }
    lg_buf_append(out, s, 2 * n);
}

/* A signed decimal integer, the whole text: -?[0-9]+ within int64. */
static bool parse_i64(const char *p, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = n > 0 && p[0] == '-';
    if (neg)
        i = 1;
    if (i == n)
        return false;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (!neg)
        *out = (int64_t)v;
    else
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    return true;
}

/* The virtual user's PRNG, or a per-thread one when the caller gave none. */
static struct lg_rng *ctx_rng(const struct lg_tmpl_ctx *ctx)
{
    static __thread struct lg_rng fallback;
    static __thread bool seeded;
    if (ctx->rng)
        return ctx->rng;
    if (!seeded) {
        lg_rng_seed(&fallback, (uint64_t)lg_now_us() ^ (uint64_t)(uintptr_t)&fallback);
        seeded = true;
    }
    return &fallback;
}

static int fn_vu_id(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    lg_buf_printf(out, "%" PRIu32, ctx->vu_id);
    return 0;
}

static int fn_iteration(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    lg_buf_printf(out, "%" PRIu64, ctx->iteration);
    return 0;
}

static int fn_now_ms(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    lg_buf_printf(out, "%" PRId64, lg_wall_ms());
    return 0;
}

static int fn_uuid(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    struct lg_rng *rng = ctx_rng(ctx);
    unsigned char b[16];
    uint64_t hi = lg_rng_next(rng), lo = lg_rng_next(rng);
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char s[36];
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            s[k++] = '-';
        s[k++] = hexdigits[b[i] >> 4];
        s[k++] = hexdigits[b[i] & 15];
    }
    lg_buf_append(out, s, sizeof(s));
    return 0;
}

static int fn_random_int(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    int64_t lo, hi;
    if (!parse_i64(a[0].p, a[0].len, &lo) || !parse_i64(a[1].p, a[1].len, &hi) || lo > hi)
        return LG_EINVAL;
    /* Unsigned arithmetic: the span of [INT64_MIN, INT64_MAX] must not overflow. */
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1, x = lg_rng_next(ctx_rng(ctx));
    if (span)
        x %= span;
    lg_buf_printf(out, "%" PRId64, (int64_t)((uint64_t)lo + x));
    return 0;
}

static int fn_base64(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    /* Encoded in chunks of a multiple of 3 bytes, so that only the last one pads. */
    enum { CHUNK = 192 };
    unsigned char enc[CHUNK / 3 * 4 + 1];
    const unsigned char *in = (const unsigned char *)a[0].p;
    for (size_t i = 0; i < a[0].len; i += CHUNK) {
        size_t n = a[0].len - i < CHUNK ? a[0].len - i : CHUNK;
        int m = EVP_EncodeBlock(enc, in + i, (int)n);
        lg_buf_append(out, enc, (size_t)m);
    }
    return 0;
}

/* Digest implementations fetched once: OpenSSL 3 would otherwise look them up in
 * its provider store on every call. */
static EVP_MD *sha256_md;
static EVP_MAC *hmac_mac;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void crypto_init(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static int fn_sha256(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    pthread_once(&crypto_once, crypto_init);
    if (!sha256_md || !EVP_Digest(a[0].p, a[0].len, md, &n, sha256_md, NULL))
        return LG_EINVAL;
    put_hex(out, md, n);
    return 0;
}

static int fn_hmac_sha256(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    size_t n = 0;
    int rc = LG_EINVAL;
    pthread_once(&crypto_once, crypto_init);
    EVP_MAC_CTX *mc = hmac_mac ? EVP_MAC_CTX_new(hmac_mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    /* An empty key is valid HMAC, but OpenSSL wants a non-NULL pointer for it. */
    const unsigned char *key = a[0].len ? (const unsigned char *)a[0].p : (const unsigned char *)"";
    if (mc && EVP_MAC_init(mc, key, a[0].len, params) &&
        EVP_MAC_update(mc, (const unsigned char *)a[1].p, a[1].len) &&
        EVP_MAC_final(mc, md, &n, sizeof(md))) {
        put_hex(out, md, n);
        rc = 0;
    }
    EVP_MAC_CTX_free(mc);
    return rc;
}

/* The virtual user's key pair, made on first use. */
static const struct lg_wallet *ctx_wallet(const struct lg_tmpl_ctx *ctx)
{
    if (!ctx->wallet)
        return NULL;
    if (!*ctx->wallet && lg_wallet_new_seeded(ctx->wallet_seed, ctx->vu_id, ctx->wallet))
        return NULL;
    return *ctx->wallet;
}

static int fn_wallet_address(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    const struct lg_wallet *w = ctx_wallet(ctx);
    if (!w)
        return LG_EINVAL;
    lg_buf_append(out, lg_wallet_address(w), LG_WALLET_ADDRESS_LEN);
    return 0;
}

static int fn_wallet_public_key(const struct arg *a, const struct lg_tmpl_ctx *ctx,
                                struct lg_buf *out)
{
    const struct lg_wallet *w = ctx_wallet(ctx);
    if (!w)
        return LG_EINVAL;
    lg_buf_append(out, lg_wallet_public_key(w), LG_WALLET_PUBKEY_HEX_LEN);
    return 0;
}

static int fn_wallet_sign(const struct arg *a, const struct lg_tmpl_ctx *ctx, struct lg_buf *out)
{
    const struct lg_wallet *w = ctx_wallet(ctx);
    unsigned char sig[LG_WALLET_SIG_LEN];
    if (!w || lg_wallet_sign(w, a[0].p, a[0].len, sig))
        return LG_EINVAL;
    put_hex(out, sig, sizeof(sig));
    return 0;
}

/* Every name a template can call. To add one (say `wallet.sign MSG`): write its
 * callback, add a row here, and if it needs per-user state (a key pair) add a
 * field to struct lg_tmpl_ctx that the callback reads. A name with no arguments
 * (`wallet.address`) is a row with nargs 0. */
static const struct func funcs[] = {
    {"vu.id", 0, false, false, false, fn_vu_id},
    {"iteration", 0, false, false, false, fn_iteration},
    {"uuid", 0, false, false, false, fn_uuid},
    {"now_ms", 0, false, false, false, fn_now_ms},
    {"random_int", 2, false, true, true, fn_random_int},
    {"base64", 1, true, false, false, fn_base64},
    {"sha256", 1, true, false, false, fn_sha256},
    {"hmac_sha256", 2, true, false, false, fn_hmac_sha256},
    /* Not pure: they depend on the virtual user's key pair. */
    {"wallet.address", 0, false, false, false, fn_wallet_address},
    {"wallet.public_key", 0, false, false, false, fn_wallet_public_key},
    {"wallet.sign", 1, false, false, false, fn_wallet_sign},
};

static const struct func *find_func(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
        if (strlen(funcs[i].name) == len && !memcmp(funcs[i].name, name, len))
            return &funcs[i];
    return NULL;
}

/* ---- the compiled form ---------------------------------------------------------- */

enum node_kind {
    N_TEXT, /* a constant: quoted string, integer or folded pure call */
    N_ENV,  /* env.NAME as read at compile time (a secret) */
    N_SLOT,
    N_CALL,
    N_DATA, /* data.FEED.FIELD: a value of the virtual user's current row */
};

struct node {
    enum node_kind kind;
    int slot;              /* N_SLOT */
    uint32_t feed, field;  /* N_DATA: lg_feed.index and the field's column */
    size_t off, len;       /* N_TEXT, N_ENV: the value in t->text */
    const struct func *fn; /* N_CALL */
    int args[MAX_ARGS];    /* N_CALL: node indexes, fn->nargs of them */
};

struct part {
    bool is_expr;
    enum lg_tmpl_esc esc; /* expressions */
    int node;             /* expressions: the root node */
    size_t off, len;      /* literals: the text in t->text */
};

struct lg_tmpl {
    struct part *parts;
    size_t n_parts, cap_parts;
    struct node *nodes; /* children before parents: an expression is a contiguous run */
    size_t n_nodes, cap_nodes;
    struct lg_buf text; /* literal text and constant values, referenced by offset */
    bool secret;
    char *missing_env;
};

struct lg_tmpl *lg_tmpl_new(void)
{
    return lg_calloc(1, sizeof(struct lg_tmpl));
}

void lg_tmpl_free(struct lg_tmpl *t)
{
    if (!t)
        return;
    free(t->parts);
    free(t->nodes);
    lg_buf_free(&t->text);
    free(t->missing_env);
    free(t);
}

static void buf_truncate(struct lg_buf *b, size_t len)
{
    b->len = len;
    if (b->data)
        b->data[len] = '\0';
}

/* The bytes of b from off on; "" for a buffer that never held any. */
static const char *at(const struct lg_buf *b, size_t off)
{
    return b->data ? b->data + off : "";
}

void lg_tmpl_add_lit(struct lg_tmpl *t, const char *s, size_t len)
{
    if (!len)
        return;
    struct part *last = t->n_parts ? &t->parts[t->n_parts - 1] : NULL;
    if (last && !last->is_expr && last->off + last->len == t->text.len) {
        last->len += len;
    } else {
        LG_GROW(t->parts, t->n_parts + 1, t->cap_parts);
        t->parts[t->n_parts++] = (struct part){.off = t->text.len, .len = len};
    }
    lg_buf_append(&t->text, s, len);
}

static int push_node(struct lg_tmpl *t, struct node n)
{
    LG_GROW(t->nodes, t->n_nodes + 1, t->cap_nodes);
    t->nodes[t->n_nodes] = n;
    return (int)t->n_nodes++;
}

static int push_text(struct lg_tmpl *t, enum node_kind kind, const char *s, size_t len)
{
    size_t off = t->text.len;
    lg_buf_append(&t->text, s, len);
    return push_node(t, (struct node){.kind = kind, .off = off, .len = len});
}

/* ---- escaping and value text --------------------------------------------------- */

static bool url_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static void escape_append(struct lg_buf *out, const char *p, size_t n, enum lg_tmpl_esc esc)
{
    size_t run = 0; /* start of the pending run of bytes copied as they are */
    for (size_t i = 0; i < n && esc != LG_TMPL_RAW; i++) {
        unsigned char c = (unsigned char)p[i];
        char e[8];
        int elen = 0;
        if (esc == LG_TMPL_URL) {
            if (url_unreserved(c))
                continue;
            elen = snprintf(e, sizeof(e), "%%%02X", c);
        } else if (c == '"' || c == '\\') {
            elen = snprintf(e, sizeof(e), "\\%c", c);
        } else if (c < 0x20) {
            const char *named = c == '\n'   ? "\\n"
                                : c == '\t' ? "\\t"
                                : c == '\r' ? "\\r"
                                : c == '\b' ? "\\b"
                                : c == '\f' ? "\\f"
                                            : NULL;
            elen =
                named ? snprintf(e, sizeof(e), "%s", named) : snprintf(e, sizeof(e), "\\u%04X", c);
        } else {
            continue;
        }
        lg_buf_append(out, p + run, i - run);
        lg_buf_append(out, e, (size_t)elen);
        run = i + 1;
    }
    lg_buf_append(out, p + run, n - run);
}

static void put_real(struct lg_buf *out, double d)
{
    /* The first of 15, 16 or 17 significant digits that reads back as the same
     * double: %g drops trailing zeros, so 0.1 prints as "0.1", not with 17 digits. */
    char s[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof(s), "%.*g", prec, d);
        if (strtod(s, NULL) == d)
            break;
    }
    lg_buf_puts(out, s);
    /* Keep it a real when read back as JSON: 2.0 stays "2.0", not "2". */
    if (strspn(s, "-0123456789") == strlen(s))
        lg_buf_puts(out, ".0");
}

void lg_tmpl_value_text(const json_t *v, struct lg_buf *out)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        size_t n;
        const char *lit = lg_jnum_literal(v, &n);
        if (lit)
            lg_buf_append(out, lit, n);
        else
            lg_buf_append(out, json_string_value(v), json_string_length(v));
        break;
    }
    case JSON_INTEGER:
        lg_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        put_real(out, json_real_value(v));
        break;
    case JSON_TRUE:
        lg_buf_puts(out, "true");
        break;
    case JSON_FALSE:
        lg_buf_puts(out, "false");
        break;
    case JSON_NULL:
        lg_buf_puts(out, "null");
        break;
    default: /* arrays and objects, with their numbers kept as text unquoted */
        lg_jnum_dump(v, JSON_COMPACT, out);
        break;
    }
}

/* ---- rendering ------------------------------------------------------------------ */

struct render {
    const struct lg_tmpl *t;
    const struct lg_tmpl_ctx *ctx;
    struct lg_buf *stack; /* evaluated function arguments */
    int unset;            /* the slot that had no value */
};

static const json_t *slot_value(struct render *r, int slot)
{
    const json_t *v = (size_t)slot < r->ctx->n_slots ? r->ctx->slots[slot] : NULL;
    if (!v)
        r->unset = slot;
    return v;
}

static int call(struct render *r, const struct node *n, struct lg_buf *dst);

/* The value of an N_DATA node in the current row, or NULL when no row was taken. */
static const char *data_value(const struct render *r, const struct node *n)
{
    const struct lg_feed_rows *d = r->ctx->data;
    if (!d || n->feed >= d->n || !d->row[n->feed])
        return NULL;
    return d->row[n->feed][n->field];
}

/* Appends the value of node n to the argument stack. tmp (not the stack) lends its
 * tail as working space for a call's result; its length is restored. */
static int push_value(struct render *r, const struct node *n, struct lg_buf *tmp)
{
    const json_t *v;
    const char *s;
    size_t saved;
    int rc = 0;
    switch (n->kind) {
    case N_TEXT:
    case N_ENV:
        lg_buf_append(r->stack, at(&r->t->text, n->off), n->len);
        break;
    case N_SLOT:
        if (!(v = slot_value(r, n->slot)))
            return LG_EUNSET;
        lg_tmpl_value_text(v, r->stack);
        break;
    case N_DATA:
        if (!(s = data_value(r, n)))
            return LG_EINVAL;
        lg_buf_puts(r->stack, s);
        break;
    case N_CALL:
        saved = tmp->len;
        rc = call(r, n, tmp);
        if (!rc)
            lg_buf_append(r->stack, at(tmp, saved), tmp->len - saved);
        buf_truncate(tmp, saved);
        break;
    }
    return rc;
}

/* Evaluates n's arguments onto the stack, appends the function's value to dst (not
 * the stack) and pops the arguments. */
static int call(struct render *r, const struct node *n, struct lg_buf *dst)
{
    struct lg_buf *st = r->stack;
    size_t mark = st->len, off[MAX_ARGS];
    struct arg args[MAX_ARGS];
    int rc = 0;
    for (int i = 0; i < n->fn->nargs && !rc; i++) {
        off[i] = st->len;
        rc = push_value(r, &r->t->nodes[n->args[i]], dst);
        args[i].len = st->len - off[i];
    }
    /* Pointers only now: pushing may have moved the stack. */
    for (int i = 0; i < n->fn->nargs && !rc; i++)
        args[i].p = at(st, off[i]);
    if (!rc)
        rc = n->fn->fn(args, r->ctx, dst);
    buf_truncate(st, mark);
    return rc;
}

/* Evaluates n onto the stack, then appends it escaped to out. */
static int render_escaped(struct render *r, const struct node *n, enum lg_tmpl_esc esc,
                          struct lg_buf *out)
{
    size_t mark = r->stack->len;
    int rc = push_value(r, n, out);
    if (!rc)
        escape_append(out, at(r->stack, mark), r->stack->len - mark, esc);
    buf_truncate(r->stack, mark);
    return rc;
}

static int render_expr(struct render *r, const struct part *p, struct lg_buf *out)
{
    const struct node *n = &r->t->nodes[p->node];
    const json_t *v;
    const char *s;
    switch (n->kind) {
    case N_TEXT:
    case N_ENV:
        escape_append(out, at(&r->t->text, n->off), n->len, p->esc);
        return 0;
    case N_SLOT:
        if (!(v = slot_value(r, n->slot)))
            return LG_EUNSET;
        if (p->esc == LG_TMPL_RAW)
            lg_tmpl_value_text(v, out);
        else if (json_is_string(v) && !lg_jnum_is_text(v))
            escape_append(out, json_string_value(v), json_string_length(v), p->esc);
        else
            return render_escaped(r, n, p->esc, out);
        return 0;
    case N_DATA:
        if (!(s = data_value(r, n)))
            return LG_EINVAL;
        escape_append(out, s, strlen(s), p->esc);
        return 0;
    case N_CALL:
        break;
    }
    return p->esc == LG_TMPL_RAW ? call(r, n, out) : render_escaped(r, n, p->esc, out);
}

int lg_tmpl_render(const struct lg_tmpl *t, const struct lg_tmpl_ctx *ctx, struct lg_buf *out,
                   int *unset_slot)
{
    static const struct lg_tmpl_ctx no_ctx;
    struct lg_buf own = {0};
    if (!ctx)
        ctx = &no_ctx;
    struct render r = {t, ctx, ctx->scratch ? ctx->scratch : &own, -1};
    size_t start = out->len, stack_start = r.stack->len;
    int rc = 0;
    for (size_t i = 0; i < t->n_parts && !rc; i++) {
        const struct part *p = &t->parts[i];
        if (p->is_expr)
            rc = render_expr(&r, p, out);
        else
            lg_buf_append(out, at(&t->text, p->off), p->len);
    }
    if (rc) {
        buf_truncate(out, start);
        if (rc == LG_EUNSET && unset_slot)
            *unset_slot = r.unset;
    }
    buf_truncate(r.stack, stack_start);
    lg_buf_free(&own);
    return rc;
}

/* ---- parsing ------------------------------------------------------------------- */

enum tok_kind { T_EOF, T_CLOSE, T_LPAREN, T_RPAREN, T_STRING, T_INT, T_WORD };

struct token {
    enum tok_kind kind;
    size_t off, len; /* in src; a string's includes its quotes */
};

struct parser {
    struct lg_tmpl *t;
    const char *src;
    size_t pos;
    size_t open; /* offset of the "{{" being parsed */
    int nesting; /* parentheses open around the current token */
    const struct lg_scope *scope;
    struct lg_tmpl_err *err;
};

static int fail(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, size_t off, const char *fmt, ...)
{
    if (p->err) {
        va_list ap;
        va_start(ap, fmt);
        p->err->offset = (int)off;
        vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
        va_end(ap);
    }
    return LG_ESYNTAX;
}

static bool word_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool word_char(char c)
{
    return word_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int next_token(struct parser *p, struct token *tok)
{
    const char *s = p->src;
    while (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r')
        p->pos++;
    size_t i = p->pos;
    char c = s[i];
    *tok = (struct token){.off = i, .len = 1};
    if (c == '\0') {
        tok->kind = T_EOF;
        tok->len = 0;
    } else if (c == '}' && s[i + 1] == '}') {
        tok->kind = T_CLOSE;
        tok->len = 2;
    } else if (c == '(' || c == ')') {
        tok->kind = c == '(' ? T_LPAREN : T_RPAREN;
    } else if (c == '"') {
        size_t j = i + 1;
        for (; s[j] != '"'; j++) {
            if (s[j] == '\0')
                return fail(p, i, "unterminated string");
            if (s[j] == '\\') {
                if (s[j + 1] != '"' && s[j + 1] != '\\') {
                    if (s[j + 1] > ' ' && s[j + 1] < 0x7f)
                        return fail(p, j, "invalid escape '\\%c' in string", s[j + 1]);
                    return fail(p, j, "invalid escape in string");
                }
                j++;
            }
        }
        tok->kind = T_STRING;
        tok->len = j + 1 - i;
    } else if ((c >= '0' && c <= '9') || (c == '-' && s[i + 1] >= '0' && s[i + 1] <= '9')) {
        size_t j = i + 1;
        while (word_char(s[j]))
            j++;
        tok->kind = T_INT;
        tok->len = j - i;
    } else if (word_start(c)) {
        size_t j = i + 1;
        while (word_char(s[j]))
            j++;
        tok->kind = T_WORD;
        tok->len = j - i;
    } else if ((unsigned char)c > ' ' && (unsigned char)c < 0x7f) {
        return fail(p, i, "unexpected character '%c'", c);
    } else {
        return fail(p, i, "unexpected byte 0x%02X", (unsigned char)c);
    }
    p->pos = i + tok->len;
    return 0;
}

static int fail_arity(struct parser *p, const struct token *name, const struct func *f)
{
    if (f->nargs == 0)
        return fail(p, name->off, "%s takes no arguments", f->name);
    return fail(p, name->off, "%s takes %d argument%s", f->name, f->nargs,
                f->nargs == 1 ? "" : "s");
}

static int fail_unexpected(struct parser *p, const struct token *tok, enum tok_kind term)
{
    if (tok->kind == T_EOF)
        return fail(p, p->open, "unterminated '{{'");
    return fail(p, tok->off, "expected '%s'", term == T_CLOSE ? "}}" : ")");
}

/* data.FEED.FIELD, resolved here to the feed's index and the field's column. */
static int resolve_data(struct parser *p, const struct token *tok, int *node)
{
    const char *w = p->src + tok->off, *feed = w + 5;
    const char *dot = memchr(feed, '.', tok->len - 5);
    if (!dot || dot == feed || dot + 1 == w + tok->len ||
        memchr(dot + 1, '.', (size_t)(w + tok->len - dot - 1)))
        return fail(p, tok->off, "expected data.FEED.FIELD, got '%.*s'", (int)tok->len, w);
    size_t feed_len = (size_t)(dot - feed), field_len = (size_t)(w + tok->len - dot - 1);
    const struct lg_scope *sc = p->scope;
    const struct lg_feed *f = NULL;
    for (size_t i = 0; sc && i < sc->n_feeds && !f; i++)
        if (strlen(sc->feeds[i]->name) == feed_len && !memcmp(sc->feeds[i]->name, feed, feed_len))
            f = sc->feeds[i];
    if (!f) {
        if (!sc || !sc->n_feeds)
            return fail(p, tok->off, "no feed '%.*s' (no feed is declared under 'data')",
                        (int)feed_len, feed);
        struct lg_buf names = {0};
        for (size_t i = 0; i < sc->n_feeds; i++)
            lg_buf_printf(&names, "%s%s", i ? ", " : "", sc->feeds[i]->name);
        fail(p, tok->off, "no feed '%.*s' (feeds: %s)", (int)feed_len, feed, names.data);
        lg_buf_free(&names);
        return LG_ESYNTAX;
    }
    /* A feed whose file could not be read was reported where it was declared;
     * an error here for each of its fields would only repeat that one. */
    int field = f->unread ? 0 : lg_feed_field(f, dot + 1, field_len);
    if (field < 0) {
        struct lg_buf names = {0};
        for (size_t i = 0; i < f->n_fields; i++)
            lg_buf_printf(&names, "%s%s", i ? ", " : "", f->fields[i]);
        fail(p, tok->off, "no field '%.*s' in feed '%s' (fields: %s)", (int)field_len, dot + 1,
             f->name, names.data);
        lg_buf_free(&names);
        return LG_ESYNTAX;
    }
    *node =
        push_node(p->t, (struct node){.kind = N_DATA, .feed = f->index, .field = (uint32_t)field});
    return 0;
}

/* A name that is not a function: env.NAME, data.FEED.FIELD or a scope slot. */
static int resolve_name(struct parser *p, const struct token *tok, int *node)
{
    const char *w = p->src + tok->off;
    size_t len = tok->len;
    if (len >= 4 && !memcmp(w, "env.", 4)) {
        bool ok = len > 4 && word_start(w[4]);
        for (size_t i = 5; ok && i < len; i++)
            ok = w[i] != '.' && w[i] != '-';
        if (!ok)
            return fail(p, tok->off, "invalid environment variable name '%.*s'", (int)len, w);
        char *name = lg_strndup(w + 4, len - 4);
        const char *val = getenv(name);
        if (!val && !p->t->missing_env)
            p->t->missing_env = lg_strdup(name);
        free(name);
        *node = push_text(p->t, N_ENV, val ? val : "", val ? strlen(val) : 0);
        p->t->secret = true;
        return 0;
    }
    if (len >= 5 && !memcmp(w, "data.", 5))
        return resolve_data(p, tok, node);
    char *name = lg_strndup(w, len);
    int slot = p->scope ? lg_scope_find(p->scope, name) : -1;
    free(name);
    if (slot < 0)
        return fail(p, tok->off, "undefined variable '%.*s'", (int)len, w);
    *node = push_node(p->t, (struct node){.kind = N_SLOT, .slot = slot});
    return 0;
}

static int parse_expr(struct parser *p, enum tok_kind term, size_t open_off, int *node);

/* A function argument, or the whole of an expression that is not a call. */
static int parse_atom(struct parser *p, const struct token *tok, int *node)
{
    struct lg_tmpl *t = p->t;
    const char *s = p->src + tok->off;
    int64_t v;
    switch (tok->kind) {
    case T_STRING: {
        size_t off = t->text.len;
        for (size_t i = 1; i + 1 < tok->len; i++) {
            if (s[i] == '\\')
                i++;
            lg_buf_putc(&t->text, s[i]);
        }
        *node = push_node(t, (struct node){.kind = N_TEXT, .off = off, .len = t->text.len - off});
        return 0;
    }
    case T_INT: {
        if (!parse_i64(s, tok->len, &v)) {
            size_t digits = strspn(s + (s[0] == '-'), "0123456789") + (s[0] == '-');
            if (digits == tok->len)
                return fail(p, tok->off, "integer out of range '%.*s'", (int)tok->len, s);
            return fail(p, tok->off, "invalid number '%.*s'", (int)tok->len, s);
        }
        char num[24];
        int n = snprintf(num, sizeof(num), "%" PRId64, v);
        *node = push_text(t, N_TEXT, num, (size_t)n);
        return 0;
    }
    case T_LPAREN: {
        if (p->nesting == MAX_NESTING)
            return fail(p, tok->off, "parentheses nested deeper than %d levels", MAX_NESTING);
        p->nesting++;
        int rc = parse_expr(p, T_RPAREN, tok->off, node);
        p->nesting--;
        return rc;
    }
    case T_WORD: {
        const struct func *f = find_func(s, tok->len);
        if (!f)
            return resolve_name(p, tok, node);
        if (f->nargs)
            return fail_arity(p, tok, f);
        *node = push_node(t, (struct node){.kind = N_CALL, .fn = f});
        return 0;
    }
    case T_EOF:
    case T_CLOSE:
    case T_RPAREN:
        break;
    }
    if (tok->kind == T_EOF)
        return fail(p, p->open, "unterminated '{{'");
    return fail(p, tok->off, "unexpected '%.*s'", (int)tok->len, s);
}

/* Evaluates a pure call with constant arguments now and replaces its nodes (the
 * last ones pushed, from first_node) with one constant. */
static int fold(struct parser *p, int call_node, size_t first_node, size_t first_text)
{
    struct lg_tmpl *t = p->t;
    struct lg_buf stack = {0}, val = {0};
    struct lg_tmpl_ctx ctx = {.scratch = &stack};
    struct render r = {t, &ctx, &stack, -1};
    int rc = call(&r, &t->nodes[call_node], &val);
    if (!rc) {
        t->n_nodes = first_node;
        buf_truncate(&t->text, first_text);
        push_text(t, N_TEXT, at(&val, 0), val.len);
    }
    lg_buf_free(&stack);
    lg_buf_free(&val);
    return rc;
}

/* Checks constant arguments of functions that take integers. */
static int check_int_args(struct parser *p, const struct func *f, const int *args,
                          const struct token *arg_tok)
{
    int64_t v[MAX_ARGS];
    bool known[MAX_ARGS];
    for (int i = 0; i < f->nargs; i++) {
        const struct node *n = &p->t->nodes[args[i]];
        known[i] = n->kind == N_TEXT;
        if (known[i] && !parse_i64(at(&p->t->text, n->off), n->len, &v[i]))
            return fail(p, arg_tok[i].off, "%s: '%.*s' is not an integer", f->name,
                        (int)arg_tok[i].len, p->src + arg_tok[i].off);
    }
    if (f->lo_hi && known[0] && known[1] && v[0] > v[1])
        return fail(p, arg_tok[0].off, "%s: %" PRId64 " is greater than %" PRId64, f->name, v[0],
                    v[1]);
    return 0;
}

/* Parses an expression up to and including its terminator: "}}" at the top, ")"
 * inside parentheses (open_off is where they open). */
static int parse_expr(struct parser *p, enum tok_kind term, size_t open_off, int *node)
{
    struct lg_tmpl *t = p->t;
    struct token tok, next;
    int rc;
    if ((rc = next_token(p, &tok)))
        return rc;
    if (tok.kind == term)
        return fail(p, open_off, "empty expression");
    const struct func *f = tok.kind == T_WORD ? find_func(p->src + tok.off, tok.len) : NULL;
    if (!f) {
        /* A name followed by an argument was meant as a call (checked before the
         * name, so that `{{foo bar}}` says "unknown function"). */
        if (tok.kind == T_WORD) {
            size_t save = p->pos;
            if ((rc = next_token(p, &next)))
                return rc;
            p->pos = save;
            if (next.kind == T_WORD || next.kind == T_STRING || next.kind == T_INT ||
                next.kind == T_LPAREN)
                return fail(p, tok.off, "unknown function '%.*s'", (int)tok.len, p->src + tok.off);
        }
        if ((rc = parse_atom(p, &tok, node)) || (rc = next_token(p, &next)))
            return rc;
        return next.kind == term ? 0 : fail_unexpected(p, &next, term);
    }

    size_t first_node = t->n_nodes, first_text = t->text.len;
    struct node call_n = {.kind = N_CALL, .fn = f};
    struct token arg_tok[MAX_ARGS];
    int n = 0;
    for (;;) {
        if ((rc = next_token(p, &next)))
            return rc;
        if (next.kind == term)
            break;
        if (next.kind == T_EOF || next.kind == T_CLOSE || next.kind == T_RPAREN)
            return fail_unexpected(p, &next, term);
        if (n == f->nargs)
            return fail_arity(p, &tok, f);
        arg_tok[n] = next;
        if ((rc = parse_atom(p, &next, &call_n.args[n])))
            return rc;
        n++;
    }
    if (n != f->nargs)
        return fail_arity(p, &tok, f);
    if (f->int_args && (rc = check_int_args(p, f, call_n.args, arg_tok)))
        return rc;
    *node = push_node(t, call_n);
    bool constant = f->pure;
    for (int i = 0; i < n && constant; i++)
        constant = t->nodes[call_n.args[i]].kind == N_TEXT;
    if (constant) {
        if ((rc = fold(p, *node, first_node, first_text)))
            return fail(p, tok.off, "%s failed", f->name);
        *node = (int)t->n_nodes - 1;
    }
    return 0;
}

int lg_tmpl_add_src(struct lg_tmpl *t, const char *src, enum lg_tmpl_esc esc,
                    const struct lg_scope *scope, struct lg_tmpl_err *err)
{
    /* Saved so that a failed call leaves the template as it was. */
    size_t n_parts = t->n_parts, n_nodes = t->n_nodes, text_len = t->text.len;
    size_t last_len = n_parts ? t->parts[n_parts - 1].len : 0;
    bool secret = t->secret;
    char *missing_env = t->missing_env;

    struct parser p = {.t = t, .src = src, .scope = scope, .err = err};
    int rc = 0;
    const char *open;
    while ((open = strstr(src + p.pos, "{{"))) {
        lg_tmpl_add_lit(t, src + p.pos, (size_t)(open - src) - p.pos);
        p.open = (size_t)(open - src);
        p.pos = p.open + 2;
        if (!strstr(open + 2, "}}")) {
            rc = fail(&p, p.open, "unterminated '{{'");
            break;
        }
        size_t first_text = t->text.len;
        int node;
        if ((rc = parse_expr(&p, T_CLOSE, p.open, &node)))
            break;
        struct node *n = &t->nodes[node];
        if (n->kind == N_TEXT) {
            /* A constant: becomes literal text, escaped once here. */
            struct lg_buf lit = {0};
            escape_append(&lit, at(&t->text, n->off), n->len, esc);
            t->n_nodes--;
            buf_truncate(&t->text, first_text);
            lg_tmpl_add_lit(t, at(&lit, 0), lit.len);
            lg_buf_free(&lit);
        } else {
            LG_GROW(t->parts, t->n_parts + 1, t->cap_parts);
            t->parts[t->n_parts++] = (struct part){.is_expr = true, .esc = esc, .node = node};
        }
    }
    if (!rc) {
        lg_tmpl_add_lit(t, src + p.pos, strlen(src + p.pos));
        return 0;
    }
    t->n_parts = n_parts;
    if (n_parts)
        t->parts[n_parts - 1].len = last_len;
    t->n_nodes = n_nodes;
    buf_truncate(&t->text, text_len);
    t->secret = secret;
    if (t->missing_env != missing_env) {
        free(t->missing_env);
        t->missing_env = missing_env;
    }
    return rc;
}

int lg_tmpl_compile(const char *src, enum lg_tmpl_esc esc, const struct lg_scope *scope,
                    struct lg_tmpl **out, struct lg_tmpl_err *err)
{
    struct lg_tmpl *t = lg_tmpl_new();
    int rc = lg_tmpl_add_src(t, src, esc, scope, err);
    if (rc) {
        lg_tmpl_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* ---- queries -------------------------------------------------------------------- */

bool lg_tmpl_is_const(const struct lg_tmpl *t)
{
    for (size_t i = 0; i < t->n_parts; i++)
        if (t->parts[i].is_expr)
            return false;
    return true;
}

bool lg_tmpl_is_pure(const struct lg_tmpl *t)
{
    for (size_t i = 0; i < t->n_nodes; i++)
        if ((t->nodes[i].kind == N_CALL && !t->nodes[i].fn->pure) || t->nodes[i].kind == N_DATA)
            return false;
    return true;
}

bool lg_tmpl_is_secret(const struct lg_tmpl *t)
{
    return t->secret;
}

/* Adds a secret as it is and as the JSON and URL escapings write it, since a
 * response may echo it in any of the three forms. */
static void add_secret(struct lg_secrets *sec, const char *p, size_t n)
{
    lg_secrets_add(sec, p, n);
    for (int esc = LG_TMPL_JSON; esc <= LG_TMPL_URL; esc++) {
        struct lg_buf b = {0};
        escape_append(&b, p, n, (enum lg_tmpl_esc)esc);
        lg_secrets_add(sec, at(&b, 0), b.len);
        lg_buf_free(&b);
    }
}

void lg_tmpl_secrets(const struct lg_tmpl *t, struct lg_secrets *sec)
{
    if (!t->secret)
        return;
    /* Nodes come children first, so one pass knows each call's arguments: a pure
     * call whose arguments are constants and env values is a constant too, and a
     * secret when one of them is (base64 of env.TOKEN). */
    bool *known = lg_calloc(t->n_nodes + 1, sizeof(*known));
    bool *secret = lg_calloc(t->n_nodes + 1, sizeof(*secret));
    for (size_t i = 0; i < t->n_nodes; i++) {
        const struct node *n = &t->nodes[i];
        if (n->kind == N_TEXT) {
            known[i] = true;
        } else if (n->kind == N_ENV) {
            known[i] = secret[i] = true;
            add_secret(sec, at(&t->text, n->off), n->len);
        } else if (n->kind == N_CALL && n->fn->pure) {
            bool k = true, s = false;
            for (int a = 0; a < n->fn->nargs; a++) {
                k = k && known[n->args[a]];
                s = s || secret[n->args[a]];
            }
            known[i] = k;
            secret[i] = k && s;
            if (!secret[i])
                continue;
            struct lg_buf stack = {0}, val = {0};
            struct lg_tmpl_ctx ctx = {.scratch = &stack};
            struct render r = {t, &ctx, &stack, -1};
            if (call(&r, n, &val) == 0)
                add_secret(sec, at(&val, 0), val.len);
            lg_buf_free(&stack);
            lg_buf_free(&val);
        }
    }
    free(known);
    free(secret);
}

const char *lg_tmpl_missing_env(const struct lg_tmpl *t)
{
    return t->missing_env;
}

size_t lg_tmpl_slots(const struct lg_tmpl *t, int *out, size_t max)
{
    /* Folding leaves no dead nodes, so every slot node is read. */
    size_t n = 0;
    for (size_t i = 0; i < t->n_nodes; i++) {
        if (t->nodes[i].kind != N_SLOT)
            continue;
        if (n < max)
            out[n] = t->nodes[i].slot;
        n++;
    }
    return n;
}

size_t lg_tmpl_feeds(const struct lg_tmpl *t, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_nodes; i++) {
        if (t->nodes[i].kind != N_DATA)
            continue;
        if (n < max)
            out[n] = t->nodes[i].feed;
        n++;
    }
    return n;
}

bool lg_tmpl_reserved(const char *name)
{
    return find_func(name, strlen(name)) || !strncmp(name, "env.", 4) || !strncmp(name, "vu.", 3) ||
           !strncmp(name, "wallet.", 7) || !strncmp(name, "data.", 5);
}

/* ---- scopes --------------------------------------------------------------------- */

int lg_scope_find(const struct lg_scope *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->names[i], name))
            return (int)i;
    return -1;
}

int lg_scope_add(struct lg_scope *s, const char *name)
{
    int i = lg_scope_find(s, name);
    if (i >= 0)
        return i;
    LG_GROW(s->names, s->n + 1, s->cap);
    s->names[s->n] = lg_strdup(name);
    return (int)s->n++;
}

void lg_scope_free(struct lg_scope *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->names[i]);
    free(s->names);
    s->names = NULL;
    s->n = s->cap = 0;
    s->feeds = NULL;
    s->n_feeds = 0;
}
