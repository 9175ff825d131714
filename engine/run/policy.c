/* policy: what a run may do and how it is shaped, decided from the flags, the
 * profile and the environment before anything is sent: the load shape, the
 * environment's limits, the production interlock, and the checks that refuse a
 * run that could not be measured. */
#include "policy.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "url.h"

/* The load shape. Flags override the profile: --rate makes the run open; --vus,
 * --duration or --iterations alone make it closed. With neither flags nor a
 * profile, one VU runs one iteration. The smoke profile runs its scenarios in
 * turn. Returns 0, or LG_EINVAL with the reason in err. */
int lg_policy_load_shape(const struct lg_load_flags *a, const struct lg_profile *prof,
                         struct lg_run_opts *o, char *err, size_t errlen)
{
    /* The smoke profile runs every scenario once: in turn, not by weight. */
    o->scenarios_in_turn = prof && lg_profile_is_smoke(prof->name);
    bool closed_flags = a->vus > 0 || a->iterations > 0 || a->duration_us > 0;
    o->max_lateness_us = a->max_lateness_us > 0 ? a->max_lateness_us
                         : prof                 ? prof->max_lateness_us
                                                : 0;
    if (a->rate_per_s > 0 || (!closed_flags && prof && prof->open)) {
        if (a->iterations > 0)
            return lg_errorf(err, errlen,
                             "--iterations applies to the closed model, not with --rate");
        o->open = true;
        if (a->rate_per_s > 0) {
            o->rate_per_s = a->rate_per_s;
            o->duration_us = a->duration_us > 0                           ? a->duration_us
                             : prof && prof->open && !prof->n_rate_stages ? prof->duration_us
                                                                          : 0;
            if (!o->duration_us)
                return lg_errorf(err, errlen, "--rate needs --duration");
        } else {
            o->rate_per_s = prof->rate_per_s;
            o->rate_stages = prof->rate_stages;
            o->n_rate_stages = prof->n_rate_stages;
            o->duration_us = prof->duration_us;
        }
        long long max_vus = a->max_vus > 0          ? a->max_vus
                            : prof && prof->max_vus ? (long long)prof->max_vus
                            : a->vus > 0            ? a->vus
                                                    : LG_DEFAULT_MAX_VUS;
        o->vus = (uint32_t)max_vus;
        return LG_OK;
    }
    if (a->max_vus > 0)
        return lg_errorf(err, errlen, "--max-vus applies to the open model: give --rate too");
    if (a->max_lateness_us > 0)
        return lg_errorf(err, errlen, "--max-lateness applies to the open model: give --rate too");
    if (!closed_flags && prof && prof->n_vu_stages) {
        double peak = prof->vus;
        for (size_t i = 0; i < prof->n_vu_stages; i++)
            if (prof->vu_stages[i].target > peak)
                peak = prof->vu_stages[i].target;
        o->vus_start = prof->vus;
        o->vu_stages = prof->vu_stages;
        o->n_vu_stages = prof->n_vu_stages;
        o->vus = peak >= 1 ? (uint32_t)peak : 1;
        o->duration_us = prof->duration_us;
        o->iterations = prof->iterations; /* the stages end the run unless these do first */
        return LG_OK;
    }
    long long vus = a->vus > 0 ? a->vus : (prof && prof->vus ? (long long)prof->vus : -1);
    o->duration_us = a->duration_us > 0 ? a->duration_us : (prof ? prof->duration_us : 0);
    long long its = a->iterations > 0 ? a->iterations : (prof ? (long long)prof->iterations : 0);
    if (vus < 0)
        vus = 1;
    if (!o->duration_us && !its)
        its = vus;
    o->vus = (uint32_t)vus;
    o->iterations = (uint64_t)its;
    return LG_OK;
}

/* A step whose URL is a constant relative path needs a base URL. */
const struct lg_step *lg_policy_needs_base_url(const struct lg_suite *s)
{
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct lg_tmpl *u = s->steps[i]->req.url;
        if (!lg_tmpl_is_const(u))
            continue;
        struct lg_buf b = {0};
        struct lg_tmpl_ctx none = {0};
        lg_tmpl_render(u, &none, &b, NULL);
        bool rel = !lg_url_is_absolute(b.data);
        lg_buf_free(&b);
        if (rel)
            return s->steps[i];
    }
    return NULL;
}

/* The URL whose route the run reports (lg_proxy_for_url): the base URL, else the
 * first step's constant URL. NULL when neither is known before the run. */
const char *lg_policy_route_url(const struct lg_suite *s, const char *base_url, struct lg_buf *b)
{
    if (base_url)
        return base_url;
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct lg_tmpl *u = s->steps[i]->req.url;
        if (!lg_tmpl_is_const(u))
            continue;
        struct lg_tmpl_ctx none = {0};
        lg_buf_reset(b);
        lg_tmpl_render(u, &none, b, NULL);
        return b->data && lg_url_is_absolute(b->data) ? b->data : NULL;
    }
    return NULL;
}

/* libcurl before 8.0.0 breaks an h2c connection by prior knowledge when it reuses
 * it (curl issue #10634: every other request fails unanswered): refuse h2c there
 * rather than measure that. Any URL known at load time counts, the base URL and
 * every step's constant absolute URL (a scheme is case-insensitive); URLs made at
 * run time, and redirects, cannot be seen here. Returns 0, or LG_EINVAL with the
 * reason in err. */
int lg_policy_check_h2c(const struct lg_run_opts *o, const struct lg_suite *s, char *err,
                        size_t errlen)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    if (o->http != LG_HTTP_2 || v->version_num >= 0x080000)
        return LG_OK;
    const struct lg_step *st = NULL;
    bool h2c = o->base_url && !strncasecmp(o->base_url, "http://", 7);
    struct lg_buf b = {0};
    for (size_t i = 0; i < s->n_steps && !h2c; i++) {
        if (!lg_tmpl_is_const(s->steps[i]->req.url))
            continue;
        struct lg_tmpl_ctx none = {0};
        lg_buf_reset(&b);
        lg_tmpl_render(s->steps[i]->req.url, &none, &b, NULL);
        if (b.data && !strncasecmp(b.data, "http://", 7)) {
            h2c = true;
            st = s->steps[i];
        }
    }
    lg_buf_free(&b);
    if (!h2c)
        return LG_OK;
    char where[200] = "";
    if (st)
        snprintf(where, sizeof(where), " (step '%s' at %s:%d:%d)", st->name, st->loc.file,
                 st->loc.line, st->loc.col);
    return lg_errorf(err, errlen,
                     "HTTP/2 over plain http:// (h2c) needs libcurl 8.0.0 or later (this is "
                     "%s, which breaks reused h2c connections)%s: use an https:// URL, or "
                     "--http 1.1",
                     v->version, where);
}

/* A protected environment (production) runs only with --yes-production: the
 * refusal is an abort (exit 3), and nothing is sent. */
char *lg_policy_protected_refusal(const struct lg_environment *env, bool yes_production)
{
    if (!env || !env->is_protected || yes_production)
        return NULL;
    char *shown = lg_url_redact(env->base_url);
    char *msg =
        lg_asprintf("environment '%s' is protected (%s): refusing to run without --yes-production",
                    env->name, shown ? shown : "no base_url");
    free(shown);
    return msg;
}

/* An environment's limits cap the load whatever the flags and the profile ask:
 * max_vus the VUs of every model (the open model's pool, the peak of VU stages);
 * max_rate the requests per second of every model (the run's pacer), and the open
 * model's arrivals too. Says so on stderr once, before the run, and records it in
 * *lim for the result. Capped rate stages are copied into *stages_copy (the caller
 * frees it). */
void lg_policy_apply_limits(const struct lg_environment *env, struct lg_run_opts *o,
                            struct lg_stage **stages_copy, struct lg_result_limits *lim)
{
    memset(lim, 0, sizeof(*lim));
    if (!env || (!env->max_vus && !(env->max_rate_per_s > 0)))
        return;
    double cap = env->max_rate_per_s;
    lim->has = true;
    lim->max_rate_per_s = cap;
    lim->max_vus = env->max_vus;
    lim->vus_asked = o->vus;
    if (env->max_vus && o->vus > env->max_vus) {
        o->vus = env->max_vus;
        lim->vus_capped = true;
    }
    o->max_rate_per_s = cap;
    if (o->open) {
        double asked = o->rate_per_s;
        for (size_t i = 0; i < o->n_rate_stages; i++)
            if (o->rate_stages[i].target > asked)
                asked = o->rate_stages[i].target;
        lim->rate_asked_per_s = asked;
        if (cap > 0 && asked > cap) {
            lim->rate_capped = true;
            if (o->rate_per_s > cap)
                o->rate_per_s = cap;
            if (o->n_rate_stages) {
                *stages_copy = lg_calloc(o->n_rate_stages, sizeof(**stages_copy));
                memcpy(*stages_copy, o->rate_stages, o->n_rate_stages * sizeof(**stages_copy));
                for (size_t i = 0; i < o->n_rate_stages; i++)
                    if ((*stages_copy)[i].target > cap)
                        (*stages_copy)[i].target = cap;
                o->rate_stages = *stages_copy;
            }
        }
    }
    struct lg_buf b = {0};
    lg_buf_printf(&b, "loadgate: environment '%s' limits", env->name);
    if (cap > 0)
        lg_buf_printf(&b, " requests to %g/s (each request waits for its turn)", cap);
    if (env->max_vus)
        lg_buf_printf(&b, "%s VUs to %u", cap > 0 ? " and" : "", env->max_vus);
    if (lim->vus_capped)
        lg_buf_printf(&b, "; VUs capped at %u (asked %u)", env->max_vus, lim->vus_asked);
    if (lim->rate_capped)
        lg_buf_printf(&b, "; arrival rate capped at %g/s (asked %g/s)", cap, lim->rate_asked_per_s);
    fprintf(stderr, "%s\n", b.data);
    lg_buf_free(&b);
}
