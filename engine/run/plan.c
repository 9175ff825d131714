/* plan: what every request of a run can share, decided once before the workers
 * start: the scenario weights, the headers and URLs that never change, which
 * responses are read, the body limits and each handle's receive buffer. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "util.h"
#include "request.h"

/* Whether a template renders the same for every request of the run: it is pure
 * and reads only variables that no step captures into (their initial values). */
static bool fixed(const struct lg_tmpl *t, const bool *written, const struct lg_scenario *sc)
{
    if (!lg_tmpl_is_pure(t))
        return false;
    int slots[16];
    size_t n = lg_tmpl_slots(t, slots, 16);
    if (n > 16)
        return false;
    for (size_t i = 0; i < n; i++)
        if (written[slots[i]] || !sc->init[slots[i]])
            return false;
    return true;
}

static bool url_fixed(const struct lg_step *st, const bool *written, const struct lg_scenario *sc)
{
    if (!fixed(st->req.url, written, sc))
        return false;
    for (size_t i = 0; i < st->req.n_query; i++)
        if (!fixed(st->req.query[i].value, written, sc))
            return false;
    return true;
}

static bool headers_fixed(const struct lg_step *st, const struct lg_environment *env,
                          const bool *written, const struct lg_scenario *sc)
{
    for (size_t i = 0; env && i < env->n_headers; i++)
        if (!lg_tmpl_is_const(env->headers[i].value))
            return false;
    for (size_t i = 0; i < st->req.n_headers; i++)
        if (!fixed(st->req.headers[i].value, written, sc))
            return false;
    return true;
}

/* Whether a step's checks or captures read the response body. */
static bool reads_body(const struct lg_step *st)
{
    if (st->needs_json)
        return true;
    for (size_t i = 0; i < st->n_checks; i++)
        if (st->checks[i].kind == LG_CHECK_BODY)
            return true;
    for (size_t i = 0; i < st->n_until; i++)
        if (st->until[i].kind == LG_CHECK_BODY || st->until[i].kind == LG_CHECK_JSON)
            return true;
    for (size_t i = 0; i < st->n_captures; i++)
        if (st->captures[i].kind == LG_CAPTURE_JSON || st->captures[i].kind == LG_CAPTURE_REGEX)
            return true;
    return false;
}

/* The slots of a scenario that some step writes (captures, for_each variables). */
static bool *written_slots(const struct lg_scenario *sc)
{
    bool *w = lg_calloc(sc->scope.n, sizeof(bool));
    for (size_t i = 0; i < sc->n_steps; i++) {
        const struct lg_step *st = &sc->steps[i];
        for (size_t c = 0; c < st->n_captures; c++)
            w[st->captures[c].slot] = true;
        if (st->foreach_slot >= 0)
            w[st->foreach_var] = true;
    }
    return w;
}

/* libcurl looks the proxy variables up for every request unless told a proxy;
 * decide once whether they matter. */
static bool proxy_env_set(void)
{
    static const char *const names[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                        "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        if (getenv(names[i]) && *getenv(names[i]))
            return true;
    return false;
}

const char *lg_accept_encodings(void)
{
    /* The order libcurl itself writes them in for CURLOPT_ACCEPT_ENCODING "". */
    static const char *const lists[8] = {
        "identity", "deflate, gzip",       "br",       "deflate, gzip, br",
        "zstd",     "deflate, gzip, zstd", "br, zstd", "deflate, gzip, br, zstd",
    };
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    int k = ((v->features & CURL_VERSION_LIBZ) ? 1 : 0) |
            ((v->features & CURL_VERSION_BROTLI) ? 2 : 0) |
            ((v->features & CURL_VERSION_ZSTD) ? 4 : 0);
    return lists[k];
}

/* The receive buffer of each VU's handle: libcurl's default of 16 KiB while the run
 * is small, halved as VUs grow so that all of them together hold about 8 MiB, down
 * to libcurl's minimum of 1 KiB (from 4,097 VUs on). A response that fits is read
 * with one recv(); each further buffer's worth costs libcurl a poll() and a recv()
 * (figures: docs/benchmarks.md). */
#define LG_RECV_BUDGET (8L << 20)
#define LG_RECV_MIN 1024L

long lg_recv_buffer_size(uint32_t vus)
{
    long per_vu = vus ? LG_RECV_BUDGET / (long)vus : CURL_MAX_WRITE_SIZE;
    long size = CURL_MAX_WRITE_SIZE;
    while (size > LG_RECV_MIN && size > per_vu)
        size /= 2;
    return size;
}

void lg_plan_init(struct lg_plan *p, const struct lg_run_opts *o)
{
    const struct lg_suite *s = o->suite;
    memset(p, 0, sizeof(*p));
    p->suite = s;
    p->env = o->env;
    p->base_url = o->base_url;
    p->ca_file = o->ca_file;
    p->insecure = o->insecure;
    p->http = o->http == LG_HTTP_2 ? LG_HTTP_2 : LG_HTTP_1_1;
    p->multiplex = o->multiplex && p->http == LG_HTTP_2;
    p->proxy_from_env = proxy_env_set();
    p->recv_buffer = lg_recv_buffer_size(o->vus);
    if (!o->env || !o->env->no_compression)
        p->accept_encoding = lg_accept_encodings();
    double total = 0;
    for (size_t i = 0; i < s->n_scenarios; i++)
        total += s->scenarios[i].weight;
    p->scenario_cdf = lg_calloc(s->n_scenarios, sizeof(double));
    double acc = 0;
    for (size_t i = 0; i < s->n_scenarios; i++) {
        acc += s->scenarios[i].weight / total;
        p->scenario_cdf[i] = i + 1 == s->n_scenarios ? 1.0 : acc;
        if (s->scenarios[i].scope.n > p->max_slots)
            p->max_slots = s->scenarios[i].scope.n;
    }
    p->const_headers = lg_calloc(s->n_steps, sizeof(*p->const_headers));
    p->const_url = lg_calloc(s->n_steps, sizeof(*p->const_url));
    p->keep_body = lg_calloc(s->n_steps, sizeof(*p->keep_body));
    p->max_body = lg_calloc(s->n_steps, sizeof(*p->max_body));
    for (size_t i = 0; i < s->n_steps; i++) {
        p->keep_body[i] = reads_body(s->steps[i]);
        p->max_body[i] = s->steps[i]->req.max_body    ? s->steps[i]->req.max_body
                         : o->env && o->env->max_body ? o->env->max_body
                                                      : LG_DEFAULT_MAX_BODY;
    }
    struct lg_buf scratch = {0}, tmpl_scratch = {0};
    for (size_t k = 0; k < s->n_scenarios; k++) {
        const struct lg_scenario *sc = &s->scenarios[k];
        bool *written = written_slots(sc);
        /* Renders with the initial values only: no VU state is involved. */
        struct lg_tmpl_ctx init = {.slots = sc->init,
                                   .n_slots = sc->scope.n,
                                   .scope = &sc->scope,
                                   .scratch = &tmpl_scratch};
        for (size_t j = 0; j < sc->n_steps; j++) {
            const struct lg_step *st = &sc->steps[j];
            int unset;
            if (headers_fixed(st, o->env, written, sc))
                lg_request_render_headers(st, o->env, p->accept_encoding, &init,
                                          &p->const_headers[st->id], &unset);
            if (url_fixed(st, written, sc) &&
                !lg_request_render_url(st, p->base_url, &init, &scratch, &unset)) {
                CURLU *u = curl_url();
                if (u && curl_url_set(u, CURLUPART_URL, scratch.data, 0) == CURLUE_OK)
                    p->const_url[st->id] = u;
                else
                    curl_url_cleanup(u); /* libcurl reports the bad URL at run time */
            }
        }
        free(written);
    }
    lg_buf_free(&tmpl_scratch);
    lg_buf_free(&scratch);
}

void lg_plan_free(struct lg_plan *p)
{
    free(p->scenario_cdf);
    for (size_t i = 0; p->suite && i < p->suite->n_steps; i++) {
        if (p->const_headers)
            lg_header_list_free(&p->const_headers[i]);
        if (p->const_url)
            curl_url_cleanup(p->const_url[i]);
    }
    free(p->const_headers);
    free(p->const_url);
    free(p->keep_body);
    free(p->max_body);
    memset(p, 0, sizeof(*p));
}
