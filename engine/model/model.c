/* model: ownership of the validated suite. Everything a suite holds is freed here,
 * in one place, and the small lookups by name live next to it. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

void lg_check_clear(struct lg_check *c)
{
    if (!c)
        return;
    free(c->label);
    free(c->header);
    lg_jpath_free(c->path);
    free(c->ranges);
    json_decref(c->expected);
    json_decref(c->bound);
    lg_tmpl_free(c->expected_tmpl);
    if (c->has_re)
        regfree(&c->re);
    free(c->text);
    memset(c, 0, sizeof *c);
}

bool lg_profile_is_smoke(const char *name)
{
    return name && !strcmp(name, LG_SMOKE_PROFILE);
}

void lg_threshold_clear(struct lg_threshold *t)
{
    if (!t)
        return;
    free(t->expr);
    for (size_t i = 0; i < t->n_filters; i++) {
        free(t->filters[i].tag);
        free(t->filters[i].value);
    }
    free(t->filters);
    memset(t, 0, sizeof *t);
}

static void free_headers(struct lg_header_tmpl *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(h[i].name);
        lg_tmpl_free(h[i].value);
    }
    free(h);
}

static void free_checks(struct lg_check *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        lg_check_clear(&c[i]);
    free(c);
}

static void free_request(struct lg_request *r)
{
    free(r->method);
    lg_tmpl_free(r->url);
    free_headers(r->headers, r->n_headers);
    for (size_t i = 0; i < r->n_query; i++) {
        free(r->query[i].name);
        lg_tmpl_free(r->query[i].value);
    }
    free(r->query);
    lg_tmpl_free(r->body);
}

static void free_step(struct lg_step *st)
{
    free(st->name);
    free_request(&st->req);
    free_checks(st->checks, st->n_checks);
    free_checks(st->until, st->n_until);
    for (size_t i = 0; i < st->n_captures; i++) {
        struct lg_capture *c = &st->captures[i];
        free(c->name);
        lg_jpath_free(c->path);
        free(c->header);
        if (c->has_re)
            regfree(&c->re);
    }
    free(st->captures);
    for (size_t i = 0; i < st->n_tags; i++) {
        free(st->tags[i].name);
        free(st->tags[i].value);
    }
    free(st->tags);
}

static void free_scenario(struct lg_scenario *sc)
{
    free(sc->name);
    free(sc->description);
    for (size_t i = 0; i < sc->n_steps; i++)
        free_step(&sc->steps[i]);
    free(sc->steps);
    for (size_t i = 0; sc->init && i < sc->scope.n; i++)
        json_decref(sc->init[i]);
    free(sc->init);
    lg_scope_free(&sc->scope);
    free(sc->feeds_visible);
    free(sc->feeds);
}

static void free_env(struct lg_environment *e)
{
    free(e->name);
    free(e->base_url);
    free_headers(e->headers, e->n_headers);
    for (size_t i = 0; i < e->n_vars; i++) {
        free(e->vars[i].name);
        free(e->vars[i].value);
    }
    free(e->vars);
    free(e->ca_file);
}

void lg_suite_free(struct lg_suite *s)
{
    if (!s)
        return;
    free(s->name);
    for (size_t i = 0; i < s->n_envs; i++)
        free_env(&s->envs[i]);
    free(s->envs);
    for (size_t i = 0; i < s->n_scenarios; i++)
        free_scenario(&s->scenarios[i]);
    free(s->scenarios);
    free(s->steps);
    for (size_t i = 0; i < s->n_profiles; i++) {
        free(s->profiles[i].name);
        free(s->profiles[i].vu_stages);
        free(s->profiles[i].rate_stages);
    }
    free(s->profiles);
    for (size_t i = 0; i < s->n_thresholds; i++)
        lg_threshold_clear(&s->thresholds[i]);
    free(s->thresholds);
    for (size_t i = 0; i < s->n_feeds; i++)
        lg_feed_free(s->feeds[i]);
    free(s->feeds);
    lg_secrets_free(&s->secrets);
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i]);
    free(s->files);
    free(s);
}

const struct lg_environment *lg_suite_env(const struct lg_suite *s, const char *name)
{
    for (size_t i = 0; s && name && i < s->n_envs; i++) {
        if (!strcmp(s->envs[i].name, name))
            return &s->envs[i];
    }
    return NULL;
}

const struct lg_profile *lg_suite_profile(const struct lg_suite *s, const char *name)
{
    for (size_t i = 0; s && name && i < s->n_profiles; i++) {
        if (!strcmp(s->profiles[i].name, name))
            return &s->profiles[i];
    }
    return NULL;
}

bool lg_http_version_parse(const char *s, enum lg_http_version *out)
{
    if (!strcmp(s, "1.1"))
        *out = LG_HTTP_1_1;
    else if (!strcmp(s, "2"))
        *out = LG_HTTP_2;
    else
        return false;
    return true;
}

const char *lg_http_version_name(enum lg_http_version v)
{
    return v == LG_HTTP_2 ? "HTTP/2" : "HTTP/1.1";
}
