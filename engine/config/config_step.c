/* config_step: the steps of a scenario: requests and their bodies (JSON, form, raw),
 * for_each, think, weight, on_failure and tags, and the slots of captures and
 * for_each variables with the first step that defines each. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "url.h"

/* ---- request bodies ---- */

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? */
static bool is_json_number(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        s += strspn(s, "0123456789");
    else
        return false;
    if (*s == '.') {
        s++;
        size_t n = strspn(s, "0123456789");
        if (!n)
            return false;
        s += n;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        size_t n = strspn(s, "0123456789");
        if (!n)
            return false;
        s += n;
    }
    return *s == '\0';
}

static void flush_lit(struct lg_tmpl *t, struct lg_buf *lit)
{
    if (lit->len)
        lg_tmpl_add_lit(t, lit->data, lit->len);
    lg_buf_reset(lit);
}

/* Emits the YAML node as JSON text into t (literal text gathered in lit). */
static bool json_body(const struct lg_cfg_tctx *c, struct lg_tmpl *t, const struct ynode *n,
                      struct lg_buf *lit)
{
    bool ok = true;
    long long iv;
    double dv;
    bool bv;
    switch (n->type) {
    case YN_MAP:
        lg_buf_putc(lit, '{');
        for (size_t i = 0; i + 1 < n->n; i += 2) {
            if (i)
                lg_buf_putc(lit, ',');
            lg_buf_putc(lit, '"');
            lg_cfg_put_json_lit(lit, n->kids[i]->s, n->kids[i]->len);
            lg_buf_puts(lit, "\":");
            ok = json_body(c, t, n->kids[i + 1], lit) && ok;
        }
        lg_buf_putc(lit, '}');
        break;
    case YN_SEQ:
        lg_buf_putc(lit, '[');
        for (size_t i = 0; i < n->n; i++) {
            if (i)
                lg_buf_putc(lit, ',');
            ok = json_body(c, t, n->kids[i], lit) && ok;
        }
        lg_buf_putc(lit, ']');
        break;
    case YN_SCALAR:
        if (strstr(n->s, "{{")) {
            lg_buf_putc(lit, '"');
            flush_lit(t, lit);
            ok = lg_cfg_tmpl(c, t, n, n->s, 0, LG_TMPL_JSON);
            lg_buf_putc(lit, '"');
            break;
        }
        switch (lg_cfg_resolve(n, &iv, &dv, &bv)) {
        case YS_NULL:
            lg_buf_puts(lit, "null");
            break;
        case YS_BOOL:
            lg_buf_puts(lit, bv ? "true" : "false");
            break;
        case YS_INT:
            if (is_json_number(n->s))
                lg_buf_puts(lit, n->s);
            else
                lg_buf_printf(lit, "%lld", iv);
            break;
        case YS_FLOAT:
            if (is_json_number(n->s)) {
                lg_buf_puts(lit, n->s);
            } else {
                json_t *r = json_real(dv);
                lg_tmpl_value_text(r, lit);
                json_decref(r);
            }
            break;
        case YS_STRING:
            /* a plain number beyond a double (1e400) is still a number: as written */
            if (!n->quoted && strlen(n->s) == n->len && is_json_number(n->s)) {
                lg_buf_puts(lit, n->s);
                break;
            }
            lg_buf_putc(lit, '"');
            lg_cfg_put_json_lit(lit, n->s, n->len);
            lg_buf_putc(lit, '"');
            break;
        }
        break;
    }
    return ok;
}

/* form: {a: b, c: d} -> a=b&c=d, names escaped here, values as URL templates. */
static bool form_body(const struct lg_cfg_tctx *c, struct lg_tmpl *t, const struct ynode *n)
{
    struct lg_buf lit = {0};
    bool ok = true;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        lg_buf_reset(&lit);
        if (i)
            lg_buf_putc(&lit, '&');
        lg_cfg_put_url_lit(&lit, k->s, k->len);
        lg_buf_putc(&lit, '=');
        lg_tmpl_add_lit(t, lit.data, lit.len);
        if (v->type != YN_SCALAR) {
            lg_cfg_err(c->l, v, "form field '%s' must be a string", k->s);
            ok = false;
        } else if (lg_cfg_resolve(v, NULL, NULL, NULL) != YS_NULL) {
            ok = lg_cfg_tmpl(c, t, v, v->s, 0, LG_TMPL_URL) && ok;
        }
    }
    lg_buf_free(&lit);
    return ok;
}

/* ---- requests ---- */

/* Whitespace in a URL must be encoded, but {{ expressions }} may hold spaces. */
/* Whether the first n bytes of a URL write its origin whole: an http(s) scheme,
 * then an authority that a '/', '?' or '#' ends within them. */
static bool origin_written(const char *s, size_t n)
{
    if (lg_url_kind(s, n, NULL) != LG_URL_HTTP)
        return false;
    const char *auth = strstr(s, "://") + 3;
    for (const char *p = auth; p < s + n; p++)
        if (*p == '/' || *p == '?' || *p == '#')
            return true;
    return false;
}

static bool has_space_outside_exprs(const char *s)
{
    size_t i = 0;
    while (s[i]) {
        if (s[i] == '{' && s[i + 1] == '{')
            i = lg_cfg_expr_end(s, i);
        else if (strchr(" \t\r\n", s[i++]))
            return true;
    }
    return false;
}

static const char *const request_keys[] = {"method", "url",      "headers", "query",
                                           "json",   "body",     "form",    "timeout",
                                           "follow", "max_body", NULL};

static void parse_query(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_request *r)
{
    if (!lg_cfg_is_map(c->l, n, "query"))
        return;
    r->query = lg_calloc(n->n / 2 + 1, sizeof *r->query);
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        const char *s;
        if (!lg_cfg_string(c->l, v, k->s, &s))
            continue;
        struct lg_tmpl *t = lg_tmpl_new();
        if (lg_cfg_resolve(v, NULL, NULL, NULL) != YS_NULL &&
            !lg_cfg_tmpl(c, t, v, s, 0, LG_TMPL_URL)) {
            lg_tmpl_free(t);
            continue;
        }
        struct lg_buf name = {0};
        lg_cfg_put_url_lit(&name, k->s, k->len);
        r->query[r->n_query++] = (struct lg_query_tmpl){.name = lg_buf_take(&name), .value = t};
    }
}

static void parse_request(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_request *r)
{
    struct ld *l = c->l;
    const struct ynode *body_key = NULL;
    bool has_url = false; /* or misspelt */
    if (!lg_cfg_is_map(l, n, "request"))
        return;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        const char *s;
        if (!strcmp(k->s, "method")) {
            if (!lg_cfg_string(l, v, "method", &s))
                continue;
            bool ok = *s != '\0' && strlen(s) <= 32;
            for (const char *p = s; ok && *p; p++)
                ok = isalpha((unsigned char)*p);
            if (!ok) {
                lg_cfg_err(l, v, "'method' must be an HTTP method such as GET or POST");
                continue;
            }
            free(r->method);
            r->method = lg_strdup(s);
            for (char *p = r->method; *p; p++)
                *p = (char)toupper((unsigned char)*p);
        } else if (!strcmp(k->s, "url")) {
            has_url = true;
            if (!lg_cfg_string(l, v, "url", &s))
                continue;
            if (!*s) {
                lg_cfg_err(l, v, "'url' must not be empty");
                continue;
            }
            if (has_space_outside_exprs(s)) {
                lg_cfg_err(l, v, "'url' must not contain spaces or line breaks (encode them)");
                continue;
            }
            /* The scheme is known at load time when it comes before any {{ }}. */
            const char *expr = strstr(s, "{{");
            size_t lit = expr ? (size_t)(expr - s) : strlen(s), scheme;
            enum lg_url_kind kind = lg_url_kind(s, lit, &scheme);
            if (scheme && !lg_url_scheme_is_http(s, scheme)) {
                lg_cfg_err(l, v,
                           "'url' must be an http:// or https:// URL or a path ('%.*s:' is "
                           "not supported)",
                           (int)scheme, s);
                continue;
            }
            if (kind == LG_URL_OTHER && !expr) {
                lg_cfg_err(l, v, "'url' must be an http:// or https:// URL or a path");
                continue;
            }
            /* A browser reads "//host/x" as another host; joined to the base URL it
             * would be a path there: neither is what it seems, so it is neither. */
            if (lit >= 2 && s[0] == '/' && s[1] == '/') {
                lg_cfg_err(l, v,
                           "'url' must not start with '//' (a scheme-relative URL): write "
                           "http:// or https://, or one '/' for a path");
                continue;
            }
            r->url = lg_cfg_tmpl_new(c, v, s, LG_TMPL_RAW);
            r->origin_rendered = expr && !origin_written(s, lit);
        } else if (!strcmp(k->s, "headers")) {
            lg_cfg_headers(c, v, &r->headers, &r->n_headers);
        } else if (!strcmp(k->s, "query")) {
            parse_query(c, v, r);
        } else if (!strcmp(k->s, "json") || !strcmp(k->s, "body") || !strcmp(k->s, "form")) {
            if (body_key) {
                lg_cfg_err(l, k, "'%s' and '%s' cannot both be given: one of json, body, form",
                           body_key->s, k->s);
                continue;
            }
            body_key = k;
            struct lg_tmpl *t = lg_tmpl_new();
            bool ok;
            if (!strcmp(k->s, "json")) {
                struct lg_buf lit = {0};
                ok = json_body(c, t, v, &lit);
                flush_lit(t, &lit);
                lg_buf_free(&lit);
                r->body_kind = LG_BODY_JSON;
            } else if (!strcmp(k->s, "body")) {
                ok = lg_cfg_string(l, v, "body", &s) && lg_cfg_tmpl(c, t, v, s, 0, LG_TMPL_RAW);
                r->body_kind = LG_BODY_RAW;
            } else {
                ok = lg_cfg_is_map(l, v, "form") && form_body(c, t, v);
                r->body_kind = LG_BODY_FORM;
            }
            if (ok) {
                r->body = t;
            } else {
                lg_tmpl_free(t);
                r->body_kind = LG_BODY_NONE;
            }
        } else if (!strcmp(k->s, "timeout")) {
            int64_t us;
            if (!lg_cfg_duration(l, v, "timeout", &us))
                continue;
            if (us <= 0)
                lg_cfg_err(l, v, "'timeout' must be greater than 0");
            else
                r->timeout_us = us;
        } else if (!strcmp(k->s, "max_body")) {
            lg_cfg_size(l, v, "max_body", &r->max_body);
        } else if (!strcmp(k->s, "follow")) {
            lg_cfg_bool(l, v, "follow", &r->follow);
        } else {
            const char *meant = lg_cfg_unknown_key(l, k, "request", request_keys);
            has_url = has_url || (meant && !strcmp(meant, "url"));
        }
    }
    if (!has_url)
        lg_cfg_err(l, n, "'request' needs a 'url'");
}

/* ---- steps ---- */

static const char *const step_keys[] = {"name",       "request",  "expect",     "capture",
                                        "think",      "for_each", "until",      "weight",
                                        "on_failure", "tags",     "regression", NULL};
static const char *const foreach_keys[] = {"in", "as", NULL};

static void parse_think(struct ld *l, const struct ynode *v, struct lg_step *st)
{
    const char *dots = v->type == YN_SCALAR ? strstr(v->s, "..") : NULL;
    int64_t lo, hi;
    if (!dots) {
        if (lg_cfg_duration(l, v, "think", &lo))
            st->think_min_us = st->think_max_us = lo;
        return;
    }
    char *a = lg_strndup(v->s, (size_t)(dots - v->s));
    struct ynode left = *v, right = *v;
    left.s = a;
    left.len = strlen(a);
    right.s = (char *)dots + 2;
    right.len = strlen(right.s);
    right.exact = false;
    if (lg_cfg_duration(l, &left, "think", &lo) && lg_cfg_duration(l, &right, "think", &hi)) {
        if (lo > hi) {
            lg_cfg_err(l, v, "'think' range goes down: %s is more than %s", a, right.s);
        } else {
            st->think_min_us = lo;
            st->think_max_us = hi;
        }
    }
    free(a);
}

/* for_each: {in: LIST, as: ITEM}. Sets foreach_slot and foreach_var when valid;
 * returns the slot of ITEM when that name is usable (for the step's templates even
 * when `in` is wrong), else -1. */
static int parse_foreach(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_step *st)
{
    struct ld *l = c->l;
    const struct ynode *in = NULL, *as = NULL;
    bool reported = false;
    if (!lg_cfg_is_map(l, n, "for_each"))
        return -1;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        const char *s;
        if (!strcmp(k->s, "in") || !strcmp(k->s, "as")) {
            if (lg_cfg_string(l, v, k->s, &s))
                *(k->s[0] == 'i' ? &in : &as) = v;
            else
                reported = true;
        } else {
            lg_cfg_unknown_key(l, k, "for_each", foreach_keys);
        }
    }
    if (!in || !as) {
        if (!reported)
            lg_cfg_err(l, n, "'for_each' needs 'in' (a list) and 'as' (a name for each item)");
        return -1;
    }
    const struct lg_cfg_slots *sl = c->slots;
    int src = lg_scope_find(c->scope, in->s);
    char buf[24];
    bool ok = true;
    if (src < 0) {
        lg_cfg_err(l, in, "undefined variable '%s'", in->s);
        ok = false;
    } else if (!sl->is_var[src] && !(sl->cap_step[src] >= 0 && sl->cap_step[src] < c->step)) {
        if (sl->cap_step[src] == c->step)
            lg_cfg_err(l, in, "'%s' is captured by this step, from its own response", in->s);
        else if (sl->cap_step[src] >= 0)
            lg_cfg_err(l, in, "'%s' is captured by step '%s' which runs later", in->s,
                       lg_cfg_step_label(c, sl->cap_step[src], buf, sizeof buf));
        else
            lg_cfg_err(l, in, "'in' must name a var or a capture of an earlier step");
        ok = false;
    }
    if (!lg_cfg_check_name(l, as, "for_each variable"))
        return -1;
    int var = lg_scope_find(c->scope, as->s);
    if (var == src) {
        lg_cfg_err(l, as, "'as' must differ from 'in'");
        ok = false;
    } else if (var >= 0 && sl->is_var[var]) {
        lg_cfg_err(l, as, "'%s' is already a variable", as->s);
        ok = false;
    } else if (var >= 0 && sl->cap_step[var] >= 0) {
        lg_cfg_err(l, as, "'%s' is already captured by step '%s'", as->s,
                   lg_cfg_step_label(c, sl->cap_step[var], buf, sizeof buf));
        ok = false;
    }
    if (var < 0 || var == src || sl->is_var[var] || sl->cap_step[var] >= 0)
        return -1;
    if (ok) {
        st->foreach_slot = src;
        st->foreach_var = var;
    }
    return var;
}

static void parse_tags(struct ld *l, const struct ynode *n, struct lg_step *st)
{
    if (!lg_cfg_is_map(l, n, "tags"))
        return;
    st->tags = lg_calloc(n->n / 2 + 1, sizeof *st->tags);
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        const char *s;
        if (!*k->s) {
            lg_cfg_err(l, k, "a tag needs a name");
            continue;
        }
        if (!lg_cfg_string(l, v, k->s, &s))
            continue;
        st->tags[st->n_tags++] = (struct lg_tag){.name = lg_strdup(k->s), .value = lg_strdup(s)};
    }
}

static void parse_step(struct lg_cfg_tctx *c, const struct ynode *n, struct lg_step *st)
{
    struct ld *l = c->l;
    const struct ynode *name = NULL, *request = NULL, *expect = NULL, *until = NULL,
                       *capture = NULL, *each = NULL;
    bool misspelt_name = false, misspelt_request = false;
    st->loc = lg_cfg_loc(l, n);
    if (n->type != YN_MAP) {
        lg_cfg_err(l, n, "a step must be a mapping with 'name' and 'request'");
        return;
    }
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        const char *s;
        if (!strcmp(k->s, "name")) {
            if (lg_cfg_string(l, v, "name", &s) && *s)
                name = v;
            else if (v->type == YN_SCALAR)
                lg_cfg_err(l, v, "'name' must not be empty");
        } else if (!strcmp(k->s, "request")) {
            request = v;
        } else if (!strcmp(k->s, "expect")) {
            expect = v;
        } else if (!strcmp(k->s, "until")) {
            until = v;
        } else if (!strcmp(k->s, "capture")) {
            capture = v;
        } else if (!strcmp(k->s, "for_each")) {
            each = v;
        } else if (!strcmp(k->s, "think")) {
            parse_think(l, v, st);
        } else if (!strcmp(k->s, "weight")) {
            double w;
            if (!lg_cfg_number(v, &w) || !(w > 0 && w <= 1))
                lg_cfg_err(l, v, "'weight' must be a number greater than 0 and at most 1");
            else
                st->weight = w;
        } else if (!strcmp(k->s, "on_failure")) {
            if (!lg_cfg_string(l, v, "on_failure", &s))
                continue;
            if (!strcmp(s, "stop"))
                st->on_failure = LG_ON_FAILURE_STOP;
            else if (!strcmp(s, "continue"))
                st->on_failure = LG_ON_FAILURE_CONTINUE;
            else
                lg_cfg_err(l, v, "'on_failure' must be stop or continue");
        } else if (!strcmp(k->s, "tags")) {
            parse_tags(l, v, st);
        } else if (!strcmp(k->s, "regression")) {
            lg_cfg_parse_regression(l, v, true, &st->regression);
        } else {
            const char *meant = lg_cfg_unknown_key(l, k, "step", step_keys);
            misspelt_name = misspelt_name || (meant && !strcmp(meant, "name"));
            misspelt_request = misspelt_request || (meant && !strcmp(meant, "request"));
        }
    }
    if (name) {
        st->name = lg_strdup(name->s);
        st->loc = lg_cfg_loc(l, name);
    } else if (!misspelt_name) {
        lg_cfg_err(l, n, "a step needs a 'name'");
    }
    /* The for_each variable is readable in the step's own templates. */
    c->fe_var = each ? parse_foreach(c, each, st) : -1;
    if (request)
        parse_request(c, request, &st->req);
    else if (!misspelt_request && name)
        lg_cfg_err(l, n, "step '%s' needs a 'request'", name->s);
    else if (!misspelt_request)
        lg_cfg_err(l, n, "a step needs a 'request'");
    if (expect)
        lg_cfg_parse_expect(c, expect, st);
    if (until)
        lg_cfg_parse_until(c, until, st);
    if (capture)
        lg_cfg_parse_captures(c, capture, st);
}

/* Before parsing steps: every capture and for_each variable gets its slot, and
 * each slot learns the first step that defines it. */
static void prepare_slots(struct ld *l, struct lg_scenario *sc, const struct ynode *steps,
                          struct lg_cfg_slots *sl)
{
    size_t n_vars = sc->scope.n;
    bool dropped = false;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            sl->n = sc->scope.n;
            sl->is_var = lg_calloc(sl->n + 1, sizeof *sl->is_var);
            sl->cap_step = lg_malloc((sl->n + 1) * sizeof *sl->cap_step);
            sl->fe_step = lg_malloc((sl->n + 1) * sizeof *sl->fe_step);
            for (size_t i = 0; i < sl->n; i++) {
                sl->is_var[i] = i < n_vars && sc->init[i];
                sl->cap_step[i] = sl->fe_step[i] = -1;
            }
        }
        for (size_t k = 0; k < steps->n; k++) {
            const struct ynode *st = steps->kids[k];
            for (size_t i = 0; st->type == YN_MAP && i + 1 < st->n; i += 2) {
                const struct ynode *key = st->kids[i], *v = st->kids[i + 1];
                bool cap = !strcmp(key->s, "capture"), fe = !strcmp(key->s, "for_each");
                if ((!cap && !fe) || v->type != YN_MAP)
                    continue;
                for (size_t j = 0; j + 1 < v->n; j += 2) {
                    const char *name = cap ? v->kids[j]->s : v->kids[j + 1]->s;
                    if (fe && (strcmp(v->kids[j]->s, "as") || v->kids[j + 1]->type != YN_SCALAR))
                        continue;
                    if (!*name || lg_tmpl_reserved(name))
                        continue;
                    if (pass == 0) {
                        if (sc->scope.n < LG_CFG_MAX_SLOTS || lg_scope_find(&sc->scope, name) >= 0)
                            lg_scope_add(&sc->scope, name);
                        else
                            dropped = true;
                        continue;
                    }
                    int s = lg_scope_find(&sc->scope, name);
                    if (s < 0)
                        continue;
                    int *first = cap ? &sl->cap_step[s] : &sl->fe_step[s];
                    if (*first < 0)
                        *first = (int)k;
                }
            }
        }
        if (pass == 0 && dropped)
            lg_cfg_err(l, steps, "too many variables and captures (the limit is %d)",
                       LG_CFG_MAX_SLOTS);
    }
    sc->init = lg_realloc(sc->init, (sc->scope.n + 1) * sizeof *sc->init);
    for (size_t i = n_vars; i < sc->scope.n; i++)
        sc->init[i] = NULL;
}

/* The methods RFC 9110 (9.2.2) calls idempotent. */
static bool is_idempotent(const char *method)
{
    static const char *const names[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"};
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        if (!strcmp(method, names[i]))
            return true;
    return false;
}

void lg_cfg_parse_steps(struct ld *l, struct lg_scenario *sc, const struct ynode *steps)
{
    struct lg_cfg_slots sl = {0};
    if (steps->n > LG_CFG_MAX_STEPS) {
        lg_cfg_err(l, steps, "too many steps (the limit is %d)", LG_CFG_MAX_STEPS);
        return;
    }
    prepare_slots(l, sc, steps, &sl);
    sc->steps = lg_calloc(steps->n + 1, sizeof *sc->steps);
    sc->n_steps = steps->n;
    for (size_t k = 0; k < steps->n; k++) {
        struct lg_step *st = &sc->steps[k];
        st->foreach_slot = st->foreach_var = -1;
        st->weight = 1;
        st->req.follow = true;
        struct lg_cfg_tctx c = {.l = l,
                                .scope = &sc->scope,
                                .slots = &sl,
                                .sc = sc,
                                .steps_node = steps,
                                .step = (int)k,
                                .fe_var = -1,
                                .need_env = l->opts->for_run};
        parse_step(&c, steps->kids[k], st);
        if (!st->name)
            st->name = lg_strdup("");
        if (!st->req.method)
            st->req.method = lg_strdup("GET");
        st->req.method_kind = !strcmp(st->req.method, "GET")    ? LG_METHOD_GET
                              : !strcmp(st->req.method, "HEAD") ? LG_METHOD_HEAD
                              : !strcmp(st->req.method, "POST") ? LG_METHOD_POST
                                                                : LG_METHOD_OTHER;
        st->req.idempotent = is_idempotent(st->req.method);
        if (!st->req.url)
            st->req.url = lg_tmpl_new();
        for (size_t j = 0; *st->name && j < k; j++) {
            if (strcmp(sc->steps[j].name, st->name))
                continue;
            lg_diags_add(l->diags, st->loc.file, st->loc.line, st->loc.col,
                         "duplicate step name '%s' (first at line %d)", st->name,
                         sc->steps[j].loc.line);
            break;
        }
    }
    free(sl.is_var);
    free(sl.cap_step);
    free(sl.fe_step);
}
