/* run: sets up a worker (libev loop, transport, virtual users), runs the closed
 * model's schedule, ticks the per-second series and progress, watches abort
 * thresholds and signals, and hands back the merged metrics. One worker for now;
 * all its state lives in struct lg_worker so that more can run side by side. */
#include "run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"
#include "worker.h"

struct runner {
    const struct lg_run_opts *o;
    struct lg_plan plan;
    struct lg_worker w;
    ev_timer tick, end, hard_stop;
    ev_signal sigint, sigterm;
    int64_t ticks;
    int64_t *broken_since_us; /* per threshold: when an abort threshold first broke */
    bool aborted;
    char abort_reason[200];
};

void lg_worker_vu_done(struct lg_worker *w)
{
    if (w->active_vus > 0 && --w->active_vus == 0)
        ev_break(w->loop, EVBREAK_ALL);
}

static void plan_free(struct lg_plan *p, size_t n_steps)
{
    free(p->scenario_cdf);
    for (size_t i = 0; i < n_steps; i++) {
        if (p->const_headers)
            curl_slist_free_all(p->const_headers[i]);
        if (p->const_url)
            curl_url_cleanup(p->const_url[i]);
    }
    free(p->const_headers);
    free(p->const_url);
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

/* Everything that can be decided once for the whole run. */
static void plan_init(struct lg_plan *p, const struct lg_run_opts *o)
{
    const struct lg_suite *s = o->suite;
    memset(p, 0, sizeof(*p));
    p->suite = s;
    p->env = o->env;
    p->base_url = o->base_url;
    p->ca_file = o->ca_file;
    p->insecure = o->insecure;
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
    p->proxy_from_env = proxy_env_set();
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

static void stop_all(struct runner *r)
{
    r->w.stopping = true;
    for (uint32_t i = 0; i < r->w.n_vus; i++)
        lg_vu_abandon(&r->w.vus[i]);
    ev_break(r->w.loop, EVBREAK_ALL);
}

static void abort_run(struct runner *r, const char *reason)
{
    if (r->aborted)
        return;
    r->aborted = true;
    snprintf(r->abort_reason, sizeof(r->abort_reason), "%s", reason);
    stop_all(r);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct runner *r = w->data;
    abort_run(r, w->signum == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
}

/* The duration is over: no new requests; VUs waiting (think, poll) stop now, those
 * with a request in flight stop when it completes. */
static void end_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct runner *r = t->data;
    r->w.stopping = true;
    for (uint32_t i = 0; i < r->w.n_vus; i++)
        if (!r->w.vus[i].in_flight)
            lg_vu_abandon(&r->w.vus[i]);
    ev_timer_start(loop, &r->hard_stop);
}

static void hard_stop_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    stop_all(t->data);
}

/* The live progress line: redrawn each second on a TTY, a plain line every 10 s
 * otherwise (CI logs), and a last one at the end. */
static void progress(struct runner *r, bool final)
{
    const struct lg_run_opts *o = r->o;
    if (o->progress == LG_PROGRESS_NONE)
        return;
    if (o->progress == LG_PROGRESS_PLAIN && !final && r->ticks % 10 != 0)
        return;
    struct lg_totals t;
    lg_metrics_totals(&r->w.metrics, &t);
    const struct lg_metrics *m = &r->w.metrics;
    const struct lg_series_point *last = m->n_series ? &m->series[m->n_series - 1] : NULL;
    double elapsed_s = (double)(lg_now_us() - r->w.start_us) / 1e6;
    double rps = final ? (elapsed_s > 0 ? (double)t.requests / elapsed_s : 0)
                       : (double)(last ? last->requests : 0);
    char p95[32], total[32] = "";
    lg_fmt_duration(last ? last->p95_us : 0, p95, sizeof(p95));
    if (o->duration_us)
        snprintf(total, sizeof(total), "/%.0fs", (double)o->duration_us / 1e6);
    fprintf(stderr,
            "%s%5.0fs%s  %u VUs  %.0f req/s  p95 %s  %llu requests  %llu errors  "
            "%llu iterations%s",
            o->progress == LG_PROGRESS_TTY ? "\r\033[K" : "", elapsed_s, total, r->w.active_vus,
            rps, p95, (unsigned long long)t.requests, (unsigned long long)t.errors,
            (unsigned long long)t.iterations, o->progress == LG_PROGRESS_TTY ? "" : "\n");
    if (o->progress == LG_PROGRESS_TTY && final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Evaluates abort thresholds over what was measured so far. */
static void watch_aborts(struct runner *r, int64_t now_us)
{
    const struct lg_run_opts *o = r->o;
    double elapsed_s = (double)(now_us - r->w.start_us) / 1e6;
    for (size_t i = 0; i < o->n_thresholds; i++) {
        const struct lg_threshold *t = &o->thresholds[i];
        if (!t->abort)
            continue;
        struct lg_gate_outcome out;
        lg_gate_eval(t, o->suite, &r->w.metrics, elapsed_s, &out);
        if (out.ok || out.no_samples) {
            r->broken_since_us[i] = 0;
            continue;
        }
        if (!r->broken_since_us[i])
            r->broken_since_us[i] = now_us;
        if (now_us - r->broken_since_us[i] >= t->abort_after_us) {
            char reason[200];
            snprintf(reason, sizeof(reason), "abort threshold broken: %s (observed %s)", t->expr,
                     out.observed_text);
            abort_run(r, reason);
            return;
        }
    }
}

static void tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct runner *r = t->data;
    lg_metrics_tick(&r->w.metrics, r->ticks, r->w.active_vus);
    r->ticks++;
    progress(r, false);
    watch_aborts(r, lg_now_us());
}

static int worker_init(struct runner *r)
{
    const struct lg_run_opts *o = r->o;
    struct lg_worker *w = &r->w;
    w->loop = ev_loop_new(EVFLAG_AUTO);
    if (!w->loop)
        return LG_EIO;
    w->plan = &r->plan;
    lg_metrics_init(&w->metrics, o->suite);
    if (lg_transport_init(w->loop, o->vus, lg_vu_transfer_done, w, &w->transport))
        return LG_ECURL;
    w->n_vus = o->vus;
    w->vus = lg_calloc(o->vus, sizeof(*w->vus));
    for (uint32_t i = 0; i < o->vus; i++)
        if (lg_vu_init(&w->vus[i], w, i + 1, o->seed + i))
            return LG_ECURL;
    w->limit_iterations = o->iterations > 0;
    w->iterations_left = o->iterations;
    return LG_OK;
}

static void worker_free(struct lg_worker *w)
{
    for (uint32_t i = 0; w->vus && i < w->n_vus; i++) {
        lg_vu_abandon(&w->vus[i]);
        lg_vu_free(&w->vus[i]);
    }
    free(w->vus);
    lg_transport_free(w->transport);
    lg_buf_free(&w->scratch);
    lg_buf_free(&w->tmpl_scratch);
    if (w->loop)
        ev_loop_destroy(w->loop);
}

int lg_run(const struct lg_run_opts *o, struct lg_run_report *out)
{
    struct runner *r = lg_calloc(1, sizeof(*r));
    r->o = o;
    r->broken_since_us = lg_calloc(o->n_thresholds, sizeof(int64_t));
    plan_init(&r->plan, o);
    int rc = worker_init(r);
    if (rc)
        goto done;

    struct ev_loop *loop = r->w.loop;
    ev_timer_init(&r->tick, tick_cb, 1., 1.);
    r->tick.data = r;
    int64_t duration_us = o->duration_us ? o->duration_us : LG_MAX_ITERATIONS_DURATION_US;
    ev_timer_init(&r->end, end_cb, (double)duration_us / 1e6, 0.);
    r->end.data = r;
    ev_timer_init(&r->hard_stop, hard_stop_cb, (double)LG_GRACEFUL_STOP_US / 1e6, 0.);
    r->hard_stop.data = r;
    ev_signal_init(&r->sigint, signal_cb, SIGINT);
    ev_signal_init(&r->sigterm, signal_cb, SIGTERM);
    r->sigint.data = r->sigterm.data = r;
    ev_signal_start(loop, &r->sigint);
    ev_signal_start(loop, &r->sigterm);
    ev_unref(loop); /* the signal watchers must not keep the loop alive */
    ev_unref(loop);

    ev_now_update(loop);
    r->w.start_us = lg_now_us();
    out->started_wall_ms = lg_wall_ms();
    r->w.active_vus = r->w.n_vus;
    ev_timer_start(loop, &r->tick);
    ev_timer_start(loop, &r->end);
    for (uint32_t i = 0; i < r->w.n_vus; i++)
        lg_vu_start(&r->w.vus[i]);
    if (r->w.n_vus > 0)
        ev_run(loop, 0);

    int64_t end_us = lg_now_us();
    if (r->w.metrics.second_requests > 0 || r->w.metrics.n_series == 0)
        lg_metrics_tick(&r->w.metrics, r->ticks, r->w.active_vus);
    r->ticks++;
    progress(r, true);
    ev_ref(loop);
    ev_ref(loop);
    ev_signal_stop(loop, &r->sigint);
    ev_signal_stop(loop, &r->sigterm);
    ev_timer_stop(loop, &r->tick);
    ev_timer_stop(loop, &r->end);
    ev_timer_stop(loop, &r->hard_stop);

    out->duration_s = (double)(end_us - r->w.start_us) / 1e6;
    out->aborted = r->aborted;
    snprintf(out->abort_reason, sizeof(out->abort_reason), "%s", r->abort_reason);
    out->metrics = r->w.metrics; /* moved */
    memset(&r->w.metrics, 0, sizeof(r->w.metrics));
done:
    worker_free(&r->w);
    lg_metrics_free(&r->w.metrics);
    plan_free(&r->plan, o->suite->n_steps);
    free(r->broken_since_us);
    free(r);
    return rc;
}
