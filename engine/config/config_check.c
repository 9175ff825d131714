/* config_check: a step's `expect`, the conditions of `until` (same keys but tls,
 * plus every/timeout) and `capture`, with the labels reports show for each check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

/* ---- checks ---- */

struct checks {
    struct lg_check *v;
    size_t n, cap;
};

static struct lg_check *new_check(struct checks *cv, const struct ld *l, const struct ynode *at,
                                  enum lg_check_kind kind, enum lg_check_op op)
{
    LG_GROW(cv->v, cv->n + 1, cv->cap);
    struct lg_check *ch = &cv->v[cv->n++];
    memset(ch, 0, sizeof *ch);
    ch->kind = kind;
    ch->op = op;
    ch->loc = lg_cfg_loc(l, at);
    return ch;
}

static void drop_last(struct checks *cv)
{
    lg_check_clear(&cv->v[--cv->n]);
}

static void free_checks(struct checks *cv)
{
    for (size_t i = 0; i < cv->n; i++)
        lg_check_clear(&cv->v[i]);
    free(cv->v);
    memset(cv, 0, sizeof *cv);
}

#define MAX_RE_LEN 4096
#define MAX_RE_WEIGHT 20000

/* After an atom at s[*i]: its weight times a following {m,n} bound. */
static double repeat(const char *s, size_t *i, double w)
{
    if (s[*i] != '{')
        return w;
    char *end;
    unsigned long lo = strtoul(s + *i + 1, &end, 10), hi = lo;
    if (*end == ',')
        hi = end[1] == '}' ? lo : strtoul(end + 1, &end, 10);
    while (s[*i] && s[*i] != '}')
        (*i)++;
    if (s[*i])
        (*i)++;
    return w * (double)(hi > lo ? hi : lo ? lo : 1);
}

/* An upper bound of the atoms a regex expands to once its {m,n} repetitions are
 * unrolled, as glibc's regcomp does: nested bounds multiply, so a short pattern
 * like ((a{100}){100}){100} would take hundreds of megabytes. */
static double re_weight(const char *s)
{
    double stack[LG_YAML_MAX_DEPTH + 1] = {0};
    int depth = 0;
    size_t i = 0;
    while (s[i]) {
        double w = 1;
        char c = s[i++];
        if (c == '(') {
            if (depth == LG_YAML_MAX_DEPTH)
                return 1e300;
            stack[++depth] = 0;
            continue;
        }
        if (c == ')' && depth > 0) {
            w = stack[depth--];
        } else if (c == '[') {
            if (s[i] == '^')
                i++;
            if (s[i] == ']')
                i++;
            while (s[i] && s[i] != ']')
                i++;
            if (s[i])
                i++;
        } else if (c == '\\' && s[i]) {
            i++;
        }
        stack[depth] += repeat(s, &i, w);
    }
    return stack[0];
}

static bool compile_re(struct ld *l, const struct ynode *n, regex_t *re, bool *has_re)
{
    const char *s;
    if (!lg_cfg_string(l, n, "matches", &s))
        return false;
    if (strlen(s) > MAX_RE_LEN || re_weight(s) > MAX_RE_WEIGHT) {
        lg_cfg_err(l, n,
                   "regex is too large (at most %d characters and %d atoms once its "
                   "repetitions are expanded)",
                   MAX_RE_LEN, MAX_RE_WEIGHT);
        return false;
    }
    int rc = regcomp(re, s, REG_EXTENDED);
    if (rc) {
        char msg[128];
        regerror(rc, re, msg, sizeof msg);
        lg_cfg_err(l, n, "invalid regex '%s': %s", s, msg);
        return false;
    }
    *has_re = true;
    return true;
}

/* One status code, range ("200..299") or class ("2xx"). */
static bool status_item(const struct ynode *n, struct lg_status_range *r)
{
    if (n->type != YN_SCALAR)
        return false;
    const char *s = n->s;
    unsigned long long a, b;
    if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' && !strcmp(s + 1, "xx")) {
        r->lo = (s[0] - '0') * 100;
        r->hi = r->lo + 99;
        return true;
    }
    const char *dots = strstr(s, "..");
    if (dots) {
        char *lo = lg_strndup(s, (size_t)(dots - s));
        bool ok = lg_parse_uint(lo, 599, &a) == LG_OK && lg_parse_uint(dots + 2, 599, &b) == LG_OK;
        free(lo);
        if (!ok || a < 100 || a > b)
            return false;
    } else {
        if (lg_parse_uint(s, 599, &a) != LG_OK || a < 100)
            return false;
        b = a;
    }
    r->lo = (int)a;
    r->hi = (int)b;
    return true;
}

static void put_range(struct lg_buf *b, const struct lg_status_range *r)
{
    if (r->lo == r->hi)
        lg_buf_printf(b, "%d", r->lo);
    else
        lg_buf_printf(b, "%d..%d", r->lo, r->hi);
}

static void parse_status(struct ld *l, const struct ynode *n, struct checks *cv)
{
    size_t count = n->type == YN_SEQ ? n->n : 1;
    struct lg_status_range *ranges = lg_calloc(count + 1, sizeof *ranges);
    bool ok = count > 0;
    for (size_t i = 0; i < count && ok; i++) {
        const struct ynode *item = n->type == YN_SEQ ? n->kids[i] : n;
        ok = status_item(item, &ranges[i]);
    }
    if (!ok) {
        lg_cfg_err(l, n,
                   "'status' must be a status code (100..599), a range like 200..299, or a list "
                   "of them");
        free(ranges);
        return;
    }
    struct lg_check *ch = new_check(cv, l, n, LG_CHECK_STATUS, LG_OP_IN);
    struct lg_buf b = {0};
    lg_buf_puts(&b, "status in ");
    for (size_t i = 0; i < count; i++) {
        if (i)
            lg_buf_puts(&b, ", ");
        put_range(&b, &ranges[i]);
    }
    ch->ranges = ranges;
    ch->n_ranges = count;
    ch->label = lg_buf_take(&b);
}

/* equals for a header: a string, or a template when it has {{ }}. */
static bool expect_string(const struct lg_cfg_tctx *c, const struct ynode *v, struct lg_check *ch)
{
    if (v->type != YN_SCALAR) {
        lg_cfg_err(c->l, v, "'equals' must be a string here");
        return false;
    }
    if (strstr(v->s, "{{"))
        return (ch->expected_tmpl = lg_cfg_tmpl_new(c, v, v->s, LG_TMPL_RAW)) != NULL;
    ch->expected = lg_cfg_jstr(v->s, v->len);
    return true;
}

static const char *const header_ops[] = {"exists", "equals", "contains", "matches", NULL};

static void parse_header_checks(const struct lg_cfg_tctx *c, const struct ynode *n,
                                struct checks *cv)
{
    struct ld *l = c->l;
    if (!lg_cfg_is_map(l, n, "headers"))
        return;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *name = n->kids[i], *v = n->kids[i + 1];
        /* A bare value means equals. */
        size_t nops = v->type == YN_MAP ? v->n / 2 : 1;
        for (size_t j = 0; j < nops; j++) {
            const struct ynode *opk = v->type == YN_MAP ? v->kids[2 * j] : NULL;
            const struct ynode *arg = v->type == YN_MAP ? v->kids[2 * j + 1] : v;
            const char *op = opk ? opk->s : "equals";
            struct lg_check *ch;
            bool ok = true;
            const char *s;
            if (!strcmp(op, "exists")) {
                ch = new_check(cv, l, arg, LG_CHECK_HEADER, LG_OP_EXISTS);
                ok = lg_cfg_bool(l, arg, "exists", &ch->bool_arg);
                ch->label = lg_asprintf("header %s %s", name->s,
                                        ch->bool_arg ? "exists" : "does not exist");
            } else if (!strcmp(op, "equals")) {
                ch = new_check(cv, l, arg, LG_CHECK_HEADER, LG_OP_EQUALS);
                ok = expect_string(c, arg, ch);
                ch->label = lg_asprintf("header %s == %s", name->s, ok ? arg->s : "");
            } else if (!strcmp(op, "contains")) {
                ch = new_check(cv, l, arg, LG_CHECK_HEADER, LG_OP_CONTAINS);
                ok = lg_cfg_string(l, arg, "contains", &s);
                ch->text = lg_strdup(ok ? s : "");
                ch->label = lg_asprintf("header %s contains %s", name->s, ch->text);
            } else if (!strcmp(op, "matches")) {
                ch = new_check(cv, l, arg, LG_CHECK_HEADER, LG_OP_MATCHES);
                ok = compile_re(l, arg, &ch->re, &ch->has_re);
                ch->text = lg_strdup(ok ? arg->s : "");
                ch->label = lg_asprintf("header %s matches %s", name->s, ch->text);
            } else {
                lg_cfg_unknown_key(l, opk, "header check", header_ops);
                continue;
            }
            if (!ok) {
                drop_last(cv);
                continue;
            }
            ch->header = lg_strdup(name->s);
        }
    }
}

static const char *const json_ops[] = {"exists", "equals", "matches", "type", "length",
                                       "lt",     "lte",    "gt",      "gte",  NULL};
static const char *const type_names[] = {"string", "number", "integer", "boolean",
                                         "object", "array",  "null",    NULL};

/* The expected value's text for a label: JSON, or the number as written. */
static char *value_label(const struct ynode *v, const json_t *j)
{
    if (v->type == YN_SCALAR && lg_jnum_is_number(j))
        return lg_strdup(v->s);
    struct lg_buf b = {0};
    lg_jnum_dump(j, JSON_COMPACT, &b);
    return lg_buf_take(&b);
}

/* One op on a JSON path; returns false (and reports) when it is not valid. */
static bool json_op(const struct lg_cfg_tctx *c, const char *path, const char *op,
                    const struct ynode *opk, const struct ynode *arg, struct lg_check *ch)
{
    struct ld *l = c->l;
    double num;
    if (!strcmp(op, "exists")) {
        ch->op = LG_OP_EXISTS;
        if (!lg_cfg_bool(l, arg, "exists", &ch->bool_arg))
            return false;
        ch->label = lg_asprintf("%s %s", path, ch->bool_arg ? "exists" : "does not exist");
    } else if (!strcmp(op, "equals")) {
        ch->op = LG_OP_EQUALS;
        if (arg->type == YN_SCALAR && strstr(arg->s, "{{")) {
            if (!(ch->expected_tmpl = lg_cfg_tmpl_new(c, arg, arg->s, LG_TMPL_RAW)))
                return false;
            ch->label = lg_asprintf("%s == %s", path, arg->s);
        } else {
            ch->expected = lg_cfg_to_json(arg);
            char *vl = value_label(arg, ch->expected);
            ch->label = lg_asprintf("%s == %s", path, vl);
            free(vl);
        }
    } else if (!strcmp(op, "matches")) {
        ch->op = LG_OP_MATCHES;
        if (!compile_re(l, arg, &ch->re, &ch->has_re))
            return false;
        ch->text = lg_strdup(arg->s);
        ch->label = lg_asprintf("%s matches %s", path, arg->s);
    } else if (!strcmp(op, "type")) {
        ch->op = LG_OP_TYPE;
        size_t i = 0;
        while (type_names[i] && (arg->type != YN_SCALAR || strcmp(arg->s, type_names[i])))
            i++;
        if (!type_names[i]) {
            lg_cfg_err(l, arg,
                       "'type' must be one of string, number, integer, boolean, object, array, "
                       "null");
            return false;
        }
        ch->json_type = (enum lg_json_type)i;
        ch->label = lg_asprintf("%s type == %s", path, arg->s);
    } else if (!strcmp(op, "length")) {
        long long iv;
        ch->op = LG_OP_LENGTH;
        if (arg->type != YN_SCALAR || lg_cfg_resolve(arg, &iv, NULL, NULL) != YS_INT || iv < 0) {
            lg_cfg_err(l, arg, "'length' must be a non-negative integer");
            return false;
        }
        ch->number = (double)iv;
        ch->label = lg_asprintf("%s length == %s", path, arg->s);
    } else if (!strcmp(op, "lt") || !strcmp(op, "lte") || !strcmp(op, "gt") || !strcmp(op, "gte")) {
        static const char *const sym[] = {"<", "<=", ">", ">="};
        int i = op[0] == 'l' ? (op[2] ? 1 : 0) : (op[2] ? 3 : 2);
        ch->op = (enum lg_check_op)(LG_OP_LT + i);
        /* Kept exactly as written too, so that integers and numbers beyond jansson's
         * range compare exactly with it (1000000000000000000001 > 1e21). */
        if ((ch->bound = lg_cfg_exact_number(arg)) != NULL) {
            num = lg_jnum_value(ch->bound);
        } else if (!lg_cfg_number(arg, &num)) {
            lg_cfg_err(l, arg, "'%s' must be a number", op);
            return false;
        }
        ch->number = num;
        ch->label = lg_asprintf("%s %s %s", path, sym[i], arg->s);
    } else {
        lg_cfg_unknown_key(l, opk, "json check", json_ops);
        return false;
    }
    return true;
}

static void parse_json_checks(const struct lg_cfg_tctx *c, const struct ynode *n, struct checks *cv)
{
    struct ld *l = c->l;
    if (!lg_cfg_is_map(l, n, "json"))
        return;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *pk = n->kids[i], *v = n->kids[i + 1];
        char err[160] = "";
        int off = 0;
        struct lg_jpath *p = NULL;
        if (lg_jpath_compile(pk->s, &p, err, sizeof err, &off) != LG_OK) {
            lg_cfg_err_at(l, pk, off, "%s", err);
            continue;
        }
        lg_jpath_free(p);
        size_t nops = v->type == YN_MAP ? v->n / 2 : 1;
        for (size_t j = 0; j < nops; j++) {
            const struct ynode *opk = v->type == YN_MAP ? v->kids[2 * j] : NULL;
            const struct ynode *arg = v->type == YN_MAP ? v->kids[2 * j + 1] : v;
            struct lg_check *ch = new_check(cv, l, opk ? opk : pk, LG_CHECK_JSON, LG_OP_EQUALS);
            if (!json_op(c, pk->s, opk ? opk->s : "equals", opk, arg, ch)) {
                drop_last(cv);
                continue;
            }
            lg_jpath_compile(pk->s, &ch->path, err, sizeof err, &off);
        }
    }
}

static const char *const body_ops[] = {"contains", "matches", NULL};

static void parse_body_checks(struct ld *l, const struct ynode *n, struct checks *cv)
{
    if (!lg_cfg_is_map(l, n, "body"))
        return;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        bool contains = !strcmp(k->s, "contains");
        if (!contains && strcmp(k->s, "matches")) {
            lg_cfg_unknown_key(l, k, "body check", body_ops);
            continue;
        }
        size_t count = v->type == YN_SEQ ? v->n : 1;
        for (size_t j = 0; j < count; j++) {
            const struct ynode *arg = v->type == YN_SEQ ? v->kids[j] : v;
            const char *s;
            struct lg_check *ch =
                new_check(cv, l, arg, LG_CHECK_BODY, contains ? LG_OP_CONTAINS : LG_OP_MATCHES);
            bool ok = contains ? lg_cfg_string(l, arg, "contains", &s)
                               : compile_re(l, arg, &ch->re, &ch->has_re);
            if (!ok) {
                drop_last(cv);
                continue;
            }
            ch->text = lg_strdup(contains ? s : arg->s);
            ch->label = lg_asprintf("body %s %s", k->s, arg->s);
        }
    }
}

/* ---- tls ---- */

static const char *const tls_keys[] = {"min_version", "cert_valid_for", NULL};
static const char *const tls_versions[] = {"1.0", "1.1", "1.2", "1.3", NULL};

/* cert_valid_for: any duration, or whole or decimal days ("14d", "1.5d"), a unit
 * accepted only here since certificate lifetimes are counted in days. Kept in
 * whole seconds. */
static bool cert_validity(struct ld *l, const struct ynode *n, int64_t *out_s)
{
    int64_t us = 0;
    bool ok = n->type == YN_SCALAR;
    if (ok && n->len > 1 && n->s[n->len - 1] == 'd') {
        char *num = lg_strndup(n->s, n->len - 1);
        ok = strspn(num, "0123456789.") == n->len - 1 &&
             lg_parse_duration_us(num, 86400LL * 1000000, &us) == LG_OK;
        free(num);
    } else if (ok) {
        ok = lg_parse_duration_us(n->s, 0, &us) == LG_OK;
    }
    if (!ok) {
        lg_cfg_err(l, n,
                   "'cert_valid_for' must be a duration, e.g. 14d or 336h (units: s, m, h, d)");
        return false;
    }
    *out_s = us / 1000000;
    return true;
}

/* `tls: {min_version: "1.2", cert_valid_for: 14d}`: one check per key. */
static void parse_tls_checks(struct ld *l, const struct ynode *n, struct checks *cv)
{
    if (!lg_cfg_is_map(l, n, "tls"))
        return;
    if (n->n == 0) {
        lg_cfg_err(l, n, "'tls' needs min_version, cert_valid_for or both");
        return;
    }
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        if (!strcmp(k->s, "min_version")) {
            size_t j = 0;
            while (tls_versions[j] && (v->type != YN_SCALAR || strcmp(v->s, tls_versions[j])))
                j++;
            if (!tls_versions[j]) {
                lg_cfg_err(l, v, "'min_version' must be one of \"1.0\", \"1.1\", \"1.2\", \"1.3\"");
                continue;
            }
            struct lg_check *ch = new_check(cv, l, v, LG_CHECK_TLS, LG_OP_GTE);
            ch->tls_min_version = 0x0301 + (int)j; /* TLS1_VERSION .. TLS1_3_VERSION */
            ch->label = lg_asprintf("tls >= %s", v->s);
        } else if (!strcmp(k->s, "cert_valid_for")) {
            int64_t secs;
            if (!cert_validity(l, v, &secs))
                continue;
            struct lg_check *ch = new_check(cv, l, v, LG_CHECK_TLS, LG_OP_GTE);
            ch->cert_min_valid_s = secs;
            ch->label = lg_asprintf("certificate valid for >= %s", v->s);
        } else {
            lg_cfg_unknown_key(l, k, "tls", tls_keys);
        }
    }
}

static const char *const expect_keys[] = {"status",  "headers", "json", "body",
                                          "latency", "tls",     NULL};
static const char *const until_keys[] = {"status",  "headers", "json",    "body",
                                         "latency", "every",   "timeout", NULL};

/* expect (or the conditions of until) into cv: the status check first. */
static void parse_conditions(const struct lg_cfg_tctx *c, const struct ynode *n, bool until,
                             struct checks *cv)
{
    struct ld *l = c->l;
    struct checks status = {0};
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        if (!strcmp(k->s, "status")) {
            if (!status.n)
                parse_status(l, v, &status);
        } else if (!strcmp(k->s, "headers")) {
            parse_header_checks(c, v, cv);
        } else if (!strcmp(k->s, "json")) {
            parse_json_checks(c, v, cv);
        } else if (!strcmp(k->s, "body")) {
            parse_body_checks(l, v, cv);
        } else if (!strcmp(k->s, "latency")) {
            int64_t us;
            if (!lg_cfg_duration(l, v, "latency", &us))
                continue;
            struct lg_check *ch = new_check(cv, l, v, LG_CHECK_LATENCY, LG_OP_LTE);
            ch->latency_us = us;
            ch->label = lg_asprintf("latency <= %s", v->s);
        } else if (!strcmp(k->s, "tls")) {
            /* not a condition to poll for: the connection's TLS does not change */
            if (until)
                lg_cfg_err(l, k, "'tls' is not a condition to poll for: put it in 'expect'");
            else
                parse_tls_checks(l, v, cv);
        } else if (until && (!strcmp(k->s, "every") || !strcmp(k->s, "timeout"))) {
            continue;
        } else {
            lg_cfg_unknown_key(l, k, until ? "until" : "expect", until ? until_keys : expect_keys);
        }
    }
    if (status.n) {
        LG_GROW(cv->v, cv->n + 1, cv->cap);
        memmove(cv->v + 1, cv->v, cv->n * sizeof *cv->v);
        cv->v[0] = status.v[0];
        cv->n++;
    }
    free(status.v);
}

void lg_cfg_parse_expect(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_step *st)
{
    struct checks cv = {0};
    if (!lg_cfg_is_map(c->l, n, "expect"))
        return;
    parse_conditions(c, n, false, &cv);
    st->has_status_check = cv.n && cv.v[0].kind == LG_CHECK_STATUS;
    for (size_t i = 0; i < cv.n; i++) {
        st->needs_json = st->needs_json || cv.v[i].kind == LG_CHECK_JSON;
        st->needs_tls = st->needs_tls || cv.v[i].kind == LG_CHECK_TLS;
    }
    st->checks = cv.v;
    st->n_checks = cv.n;
}

/* ---- captures ---- */

static const char *const capture_kinds[] = {"json", "header", "regex", "cookie", NULL};

void lg_cfg_parse_captures(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_step *st)
{
    struct ld *l = c->l;
    if (!lg_cfg_is_map(l, n, "capture"))
        return;
    st->captures = lg_calloc(n->n / 2 + 1, sizeof *st->captures);
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *name = n->kids[i], *v = n->kids[i + 1];
        if (!lg_cfg_check_name(l, name, "capture"))
            continue;
        int slot = lg_scope_find(c->scope, name->s);
        if (slot >= 0 && c->slots->fe_step[slot] >= 0) {
            lg_cfg_err(l, name, "'%s' is already a for_each variable", name->s);
            continue;
        }
        if (v->type != YN_MAP || v->n != 2) {
            lg_cfg_err(l, v, "capture '%s' needs exactly one of json, header, regex, cookie",
                       name->s);
            continue;
        }
        const struct ynode *k = v->kids[0], *arg = v->kids[1];
        struct lg_capture cap = {.slot = slot, .loc = lg_cfg_loc(l, name)};
        const char *s;
        bool ok = lg_cfg_string(l, arg, k->s, &s);
        if (!strcmp(k->s, "json")) {
            char err[160] = "";
            int off = 0;
            cap.kind = LG_CAPTURE_JSON;
            if (ok && lg_jpath_compile(s, &cap.path, err, sizeof err, &off) != LG_OK) {
                lg_cfg_err_at(l, arg, off, "%s", err);
                ok = false;
            }
            st->needs_json = st->needs_json || ok;
        } else if (!strcmp(k->s, "header") || !strcmp(k->s, "cookie")) {
            cap.kind = k->s[0] == 'h' ? LG_CAPTURE_HEADER : LG_CAPTURE_COOKIE;
            if (ok && !*s) {
                lg_cfg_err(l, arg, "'%s' must name a %s", k->s, k->s);
                ok = false;
            }
            if (ok)
                cap.header = lg_strdup(s);
        } else if (!strcmp(k->s, "regex")) {
            cap.kind = LG_CAPTURE_REGEX;
            ok = ok && compile_re(l, arg, &cap.re, &cap.has_re);
        } else {
            lg_cfg_unknown_key(l, k, "capture", capture_kinds);
            ok = false;
        }
        if (!ok || slot < 0) {
            lg_jpath_free(cap.path);
            free(cap.header);
            if (cap.has_re)
                regfree(&cap.re);
            continue;
        }
        cap.name = lg_strdup(name->s);
        st->captures[st->n_captures++] = cap;
    }
}

/* ---- until ---- */

void lg_cfg_parse_until(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_step *st)
{
    struct ld *l = c->l;
    struct checks cv = {0};
    const struct ynode *timeout = NULL;
    if (!lg_cfg_is_map(l, n, "until"))
        return;
    st->until_every_us = 1000000;
    st->until_timeout_us = 30000000;
    bool ok = true;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        int64_t us;
        bool every = !strcmp(k->s, "every");
        if (!every && strcmp(k->s, "timeout"))
            continue;
        if (!lg_cfg_duration(l, v, k->s, &us)) {
            ok = false;
        } else if (us <= 0) {
            lg_cfg_err(l, v, "'%s' must be greater than 0", k->s);
            ok = false;
        } else if (every) {
            st->until_every_us = us;
        } else {
            st->until_timeout_us = us;
            timeout = v;
        }
    }
    parse_conditions(c, n, true, &cv);
    if (cv.n == 0) {
        lg_cfg_err(l, n,
                   "'until' needs at least one condition (status, headers, json, body, "
                   "latency)");
        ok = false;
    }
    if (!ok) {
        free_checks(&cv);
        return;
    }
    struct lg_buf b = {0};
    char dur[32];
    lg_buf_puts(&b, "until ");
    for (size_t i = 0; i < cv.n; i++) {
        if (i)
            lg_buf_puts(&b, " and ");
        lg_buf_puts(&b, cv.v[i].label);
        st->needs_json = st->needs_json || cv.v[i].kind == LG_CHECK_JSON;
    }
    lg_buf_printf(&b, " within %s",
                  timeout ? timeout->s : lg_fmt_duration(st->until_timeout_us, dur, sizeof dur));
    st->has_until = true;
    st->until = cv.v;
    st->n_until = cv.n;
    st->checks = lg_realloc(st->checks, (st->n_checks + 1) * sizeof *st->checks);
    struct lg_check *u = &st->checks[st->n_checks++];
    memset(u, 0, sizeof *u);
    u->kind = LG_CHECK_UNTIL;
    u->loc = lg_cfg_loc(l, n);
    u->label = lg_buf_take(&b);
}
