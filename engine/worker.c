/* worker: one thread with its own libev loop, transport, virtual users and metrics.
 * Nothing on the per-request path is shared: once a second the worker hands what
 * it measured to `pub` under a lock the coordinator takes as rarely, and the
 * coordinator's commands (end, stop) arrive through an ev_async. */
#include "worker.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void lg_worker_vu_done(struct lg_worker *w)
{
    if (w->active_vus > 0 && --w->active_vus == 0)
        ev_break(w->loop, EVBREAK_ALL);
    atomic_store_explicit(&w->pub_active_vus, w->active_vus, memory_order_relaxed);
}

static bool url_const(const struct lg_step *st)
{
    if (!lg_tmpl_is_const(st->req.url))
        return false;
    for (size_t i = 0; i < st->req.n_query; i++)
        if (!lg_tmpl_is_const(st->req.query[i].value))
            return false;
    return true;
}

static bool headers_const(const struct lg_step *st, const struct lg_environment *env)
{
    for (size_t i = 0; env && i < env->n_headers; i++)
        if (!lg_tmpl_is_const(env->headers[i].value))
            return false;
    for (size_t i = 0; i < st->req.n_headers; i++)
        if (!lg_tmpl_is_const(st->req.headers[i].value))
            return false;
    return true;
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

void lg_plan_init(struct lg_plan *p, const struct lg_run_opts *o)
{
    const struct lg_suite *s = o->suite;
    memset(p, 0, sizeof(*p));
    p->suite = s;
    p->env = o->env;
    p->base_url = o->base_url;
    p->ca_file = o->ca_file;
    p->insecure = o->insecure;
    p->proxy_from_env = proxy_env_set();
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
    struct lg_buf scratch = {0};
    struct lg_tmpl_ctx none = {0};
    for (size_t i = 0; i < s->n_steps; i++) {
        int unset;
        if (headers_const(s->steps[i], o->env))
            lg_vu_render_headers(s->steps[i], o->env, &none, &scratch, &p->const_headers[i],
                                 &unset);
        if (url_const(s->steps[i]) &&
            !lg_vu_render_url(s->steps[i], p->base_url, &none, &scratch, &unset)) {
            CURLU *u = curl_url();
            if (u && curl_url_set(u, CURLUPART_URL, scratch.data, 0) == CURLUE_OK)
                p->const_url[i] = u;
            else
                curl_url_cleanup(u); /* libcurl reports the bad URL at run time */
        }
    }
    lg_buf_free(&scratch);
}

void lg_plan_free(struct lg_plan *p)
{
    free(p->scenario_cdf);
    for (size_t i = 0; p->suite && i < p->suite->n_steps; i++) {
        if (p->const_headers)
            curl_slist_free_all(p->const_headers[i]);
        if (p->const_url)
            curl_url_cleanup(p->const_url[i]);
    }
    free(p->const_headers);
    free(p->const_url);
    memset(p, 0, sizeof(*p));
}

/* Hands the metrics recorded since the last publish to the coordinator. */
static void publish(struct lg_worker *w)
{
    pthread_mutex_lock(&w->pub_lock);
    lg_metrics_merge(&w->pub, &w->metrics);
    lg_metrics_take_second(&w->pub, &w->metrics);
    pthread_mutex_unlock(&w->pub_lock);
    lg_metrics_clear(&w->metrics);
}

static void stop_all(struct lg_worker *w)
{
    w->stopping = true;
    for (uint32_t i = 0; i < w->n_vus; i++)
        lg_vu_abandon(&w->vus[i]);
    ev_break(w->loop, EVBREAK_ALL);
}

/* ev_async: commands from the coordinator. */
static void wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    struct lg_worker *w = a->data;
    int cmd = atomic_exchange(&w->command, 0);
    if (cmd & LG_CMD_PUBLISH)
        publish(w);
    if (cmd & LG_CMD_STOP) {
        stop_all(w);
    } else if (cmd & LG_CMD_END) {
        /* The duration is over: no new requests. VUs that wait (think, poll) stop
         * now; those with a request in flight stop when it completes. */
        w->stopping = true;
        for (uint32_t i = 0; i < w->n_vus; i++)
            if (!w->vus[i].in_flight)
                lg_vu_abandon(&w->vus[i]);
    }
}

int lg_worker_init(struct lg_worker *w, unsigned index, const struct lg_plan *plan,
                   struct lg_control *ctl, uint32_t first_vu_id, uint32_t n_vus, uint64_t seed)
{
    memset(w, 0, sizeof(*w));
    w->index = index;
    w->plan = plan;
    w->ctl = ctl;
    pthread_mutex_init(&w->pub_lock, NULL);
    lg_metrics_init(&w->metrics, plan->suite);
    lg_metrics_init(&w->pub, plan->suite);
    w->loop = ev_loop_new(EVFLAG_AUTO);
    if (!w->loop)
        return LG_EIO;
    ev_async_init(&w->wake, wake_cb);
    w->wake.data = w;
    ev_async_start(w->loop, &w->wake);
    ev_unref(w->loop); /* the command channel must not keep the loop alive */
    if (lg_transport_init(w->loop, n_vus, lg_vu_transfer_done, w, &w->transport))
        return LG_ECURL;
    w->vus = lg_calloc(n_vus, sizeof(*w->vus));
    for (uint32_t i = 0; i < n_vus; i++) {
        if (lg_vu_init(&w->vus[i], w, first_vu_id + i, seed + first_vu_id + i))
            return LG_ECURL;
        w->n_vus++;
    }
    return LG_OK;
}

static void *worker_main(void *arg)
{
    struct lg_worker *w = arg;
    if (w->n_vus > 0)
        ev_run(w->loop, 0);
    publish(w);
    atomic_store(&w->finished, true);
    ev_async_send(w->coord_loop, w->coord_done);
    return NULL;
}

int lg_worker_start(struct lg_worker *w, struct ev_loop *coord_loop, ev_async *coord_done)
{
    w->coord_loop = coord_loop;
    w->coord_done = coord_done;
    w->active_vus = w->n_vus;
    atomic_store(&w->pub_active_vus, w->n_vus);
    for (uint32_t i = 0; i < w->n_vus; i++)
        lg_vu_start(&w->vus[i]);
    /* Signals belong to the coordinator: the worker thread blocks them. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        w->thread = 0;
        return LG_EIO;
    }
    return LG_OK;
}

void lg_worker_command(struct lg_worker *w, enum lg_command c)
{
    atomic_fetch_or(&w->command, (int)c);
    ev_async_send(w->loop, &w->wake);
}

void lg_worker_collect(struct lg_worker *w, struct lg_metrics *agg)
{
    pthread_mutex_lock(&w->pub_lock);
    lg_metrics_merge(agg, &w->pub);
    lg_metrics_take_second(agg, &w->pub);
    pthread_mutex_unlock(&w->pub_lock);
}

void lg_worker_free(struct lg_worker *w)
{
    if (!w->plan)
        return; /* never initialised */
    if (w->thread)
        pthread_join(w->thread, NULL);
    for (uint32_t i = 0; i < w->n_vus; i++) {
        lg_vu_abandon(&w->vus[i]);
        lg_vu_free(&w->vus[i]);
    }
    free(w->vus);
    lg_transport_free(w->transport);
    lg_buf_free(&w->scratch);
    lg_buf_free(&w->tmpl_scratch);
    if (w->loop)
        ev_loop_destroy(w->loop); /* its watchers live in *w and die with it */
    lg_metrics_free(&w->metrics);
    lg_metrics_free(&w->pub);
    pthread_mutex_destroy(&w->pub_lock);
}
