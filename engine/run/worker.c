/* worker: one thread with its own libev loop, transport, virtual users and metrics.
 * Nothing on the per-request path is shared: once a second the worker hands what
 * it measured to `pub` under a lock the coordinator takes as rarely, and the
 * coordinator's commands (end, stop, and in the open model arrivals handed to this
 * worker) arrive through an ev_async. */
#include "worker.h"

#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arrivals.h"
#include "pacer.h"
#include "transport.h"
#include "util.h"
#include "vu.h"

static bool open_model(const struct lg_worker *w)
{
    return w->ctl->rate != NULL;
}

static bool budget_spent(const struct lg_worker *w)
{
    return w->ctl->limit_iterations &&
           atomic_load_explicit(&w->ctl->iterations_left, memory_order_relaxed) <= 0;
}

static void set_active(struct lg_worker *w, uint32_t n)
{
    w->active_vus = n;
    atomic_store_explicit(&w->pub_active_vus, n, memory_order_relaxed);
    /* The closed model ends when every VU is done (under VU stages, parked VUs wait
     * for the target to rise, unless the iteration budget is spent); the open model
     * keeps idle VUs for later arrivals until no more are due. (The run's queue then
     * needs none of them: it holds arrivals only while no VU in any worker is free.) */
    bool over = open_model(w) ? w->arrivals_over : !w->ctl->staged || budget_spent(w);
    if (n == 0 && (over || w->host.stopping))
        ev_break(w->host.loop, EVBREAK_ALL);
}

/* The worker whose host h is. */
static struct lg_worker *host_worker(const struct lg_host *h)
{
    return (struct lg_worker *)((const char *)h - offsetof(struct lg_worker, host));
}

/* host.h take_iteration */
static bool take_iteration(struct lg_host *h)
{
    struct lg_control *c = host_worker(h)->ctl;
    if (!c->limit_iterations)
        return true;
    int64_t left = atomic_fetch_sub_explicit(&c->iterations_left, 1, memory_order_relaxed);
    if (left == 1 && c->budget_spent)
        ev_async_send(c->coord_loop, c->budget_spent);
    return left > 0;
}

/* host.h vu_done */
static void vu_done(struct lg_host *h)
{
    struct lg_worker *w = host_worker(h);
    if (w->active_vus > 0)
        set_active(w, w->active_vus - 1);
}

/* host.h vu_wanted */
static bool vu_wanted(const struct lg_host *h, const struct lg_vu *vu)
{
    const struct lg_worker *w = host_worker(h);
    return !w->ctl->staged ||
           (uint32_t)(vu - w->vus) < atomic_load_explicit(&w->target_vus, memory_order_relaxed);
}

/* Closed model: starts a VU looping. */
static void start_vu(struct lg_worker *w, struct lg_vu *vu)
{
    set_active(w, w->active_vus + 1);
    lg_vu_start(vu);
}

/* VU stages: starts parked VUs below the target; those above it park by themselves
 * when their iteration ends. */
static void apply_target(struct lg_worker *w)
{
    uint32_t target = atomic_load(&w->target_vus);
    for (uint32_t i = 0; i < w->n_vus && i < target && !w->host.stopping; i++)
        if (w->vus[i].parked)
            start_vu(w, &w->vus[i]);
}

static void begin(struct lg_worker *w, struct lg_vu *vu, int64_t due)
{
    set_active(w, w->active_vus + 1);
    lg_vu_begin(vu, due);
}

/* host.h vu_idle */
static void vu_idle(struct lg_host *h, struct lg_vu *vu)
{
    struct lg_worker *w = host_worker(h);
    /* Once stopping, nothing more starts: what waits is counted dropped at the end. */
    if (!w->host.stopping) {
        int64_t now = lg_now_us(), due;
        if (lg_arrivals_vu_idle(w->ctl->arrivals, w->index, now, &due, &w->host.metrics.dropped)) {
            /* the VU stays active: no count change */
            w->host.metrics.waited++;
            lg_hist_record(w->host.metrics.wait, now - due);
            lg_vu_begin(vu, due);
            return;
        }
    }
    w->free_vus[w->n_free++] = (uint32_t)(vu - w->vus);
    vu_done(&w->host);
}

/* Starts the arrivals handed to this worker, each on one of its free VUs (set
 * aside for it when it was handed over). Once stopping they never start. */
static void take_inbox(struct lg_worker *w)
{
    int64_t due;
    while (lg_arrivals_take(w->ctl->arrivals, w->index, &due)) {
        /* Once stopping nothing starts. (n_free is never 0: each entry set one aside.) */
        if (w->host.stopping || w->n_free == 0) {
            w->host.metrics.dropped++;
            continue;
        }
        /* How late the harness started an arrival that had a free VU when due:
         * the schedule clock's wake-up and the hand-over to this thread. */
        lg_hist_record(w->host.metrics.lag, lg_now_us() - due);
        begin(w, &w->vus[w->free_vus[--w->n_free]], due);
    }
}

/* Hands the metrics recorded since the last publish to the coordinator. */
static void publish(struct lg_worker *w)
{
    uint64_t conns = lg_transport_connections(w->host.transport);
    w->host.metrics.connections = conns - w->connections_published;
    w->connections_published = conns;
    pthread_mutex_lock(&w->pub_lock);
    lg_metrics_merge(&w->pub, &w->host.metrics);
    lg_metrics_take_second(&w->pub, &w->host.metrics);
    pthread_mutex_unlock(&w->pub_lock);
    lg_metrics_clear(&w->host.metrics);
}

/* The run ends now (hard stop, signal, abort): what finished is counted as
 * finished, what is still in flight as unfinished, iterations in progress as
 * interrupted; then the last publish (worker_main) hands all of it over. */
static void stop_all(struct lg_worker *w)
{
    w->host.stopping = true;
    lg_transport_flush(w->host.transport);
    for (uint32_t i = 0; i < w->n_vus; i++)
        lg_vu_stop(&w->vus[i]);
    ev_break(w->host.loop, EVBREAK_ALL);
}

/* ev_async: commands from the coordinator. */
static void wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    struct lg_worker *w = a->data;
    int cmd = atomic_exchange(&w->command, 0);
    if (cmd & LG_CMD_STOP)
        w->host.stopping = true; /* what the inbox holds never starts */
    /* After reading the commands: an arrival handed over before END starts before
     * END is seen. */
    if (open_model(w))
        take_inbox(w);
    if (cmd & LG_CMD_PUBLISH)
        publish(w);
    if (cmd & LG_CMD_TARGET)
        apply_target(w);
    if ((cmd & LG_CMD_SPENT) && w->active_vus == 0 && !open_model(w))
        ev_break(w->host.loop, EVBREAK_ALL); /* the VUs still running end it themselves */
    if (cmd & LG_CMD_STOP) {
        stop_all(w);
    } else if ((cmd & LG_CMD_END) && open_model(w)) {
        /* The duration is over: nothing more is due. Iterations that were due and
         * wait for a VU may still start within max_lateness, and running ones
         * finish, within the graceful stop. */
        w->arrivals_over = true;
        if (w->active_vus == 0)
            ev_break(w->host.loop, EVBREAK_ALL);
    } else if (cmd & LG_CMD_END) {
        /* The duration is over: no new requests. VUs that wait (think, poll) stop
         * now, their iterations interrupted; those with a request in flight stop
         * when it completes. */
        w->host.stopping = true;
        for (uint32_t i = 0; i < w->n_vus; i++)
            if (!w->vus[i].in_flight)
                lg_vu_stop(&w->vus[i]);
        if (w->active_vus == 0)
            ev_break(w->host.loop, EVBREAK_ALL);
    }
}

int lg_worker_init(struct lg_worker *w, unsigned index, const struct lg_plan *plan,
                   struct lg_control *ctl, uint32_t first_vu_id, uint32_t vu_id_step,
                   uint32_t n_vus, uint64_t seed)
{
    memset(w, 0, sizeof(*w));
    w->index = index;
    w->host.plan = plan;
    w->ctl = ctl;
    w->host.next_scenario = &ctl->next_scenario;
    w->host.vu_done = vu_done;
    w->host.take_iteration = take_iteration;
    w->host.vu_idle = vu_idle;
    w->host.vu_wanted = vu_wanted;
    pthread_mutex_init(&w->pub_lock, NULL);
    lg_metrics_init(&w->host.metrics, plan->suite);
    lg_metrics_init(&w->pub, plan->suite);
    if (ctl->rate) {
        lg_metrics_enable_open(&w->host.metrics);
        lg_metrics_enable_open(&w->pub);
    }
    w->host.loop = ev_loop_new(EVFLAG_AUTO);
    if (!w->host.loop)
        return LG_EIO;
    ev_async_init(&w->wake, wake_cb);
    w->wake.data = w;
    /* The command channel keeps the loop alive: a worker ends only by ev_break
     * (every VU done, or the run over), never because it has nothing to wait for
     * at a moment (VU stages at 0, an open model between arrivals). */
    ev_async_start(w->host.loop, &w->wake);
    if (lg_transport_init(w->host.loop, n_vus, lg_vu_transfer_done, w, &w->host.transport))
        return LG_ECURL;
    lg_transport_set_multiplex(w->host.transport, plan->multiplex);
    w->vus = lg_calloc(n_vus, sizeof(*w->vus));
    for (uint32_t i = 0; i < n_vus; i++) {
        if (lg_vu_init(&w->vus[i], &w->host, first_vu_id + i * vu_id_step, seed))
            return LG_ECURL;
        w->vus[i].transfer_slot = i;
        w->n_vus++;
    }
    w->free_vus = lg_calloc(n_vus, sizeof(*w->free_vus));
    return LG_OK;
}

static void *worker_main(void *arg)
{
    struct lg_worker *w = arg;
    if (w->n_vus > 0 || open_model(w))
        ev_run(w->host.loop, 0);
    publish(w);
    atomic_store(&w->finished, true);
    ev_async_send(w->coord_loop, w->coord_done);
    return NULL;
}

int lg_worker_start(struct lg_worker *w, struct ev_loop *coord_loop, ev_async *coord_done)
{
    w->coord_loop = coord_loop;
    w->coord_done = coord_done;
    w->host.in_turn = w->ctl->in_turn;
    w->host.pacer = w->ctl->pacer;
    if (open_model(w)) {
        for (uint32_t i = 0; i < w->n_vus; i++) /* pop order: VU 0 first */
            w->free_vus[w->n_free++] = w->n_vus - 1 - i;
    } else if (w->ctl->staged) {
        for (uint32_t i = 0; i < w->n_vus; i++)
            w->vus[i].parked = true;
        apply_target(w);
    } else {
        for (uint32_t i = 0; i < w->n_vus; i++)
            start_vu(w, &w->vus[i]);
    }
    /* Signals belong to the coordinator: the worker thread blocks them. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
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
    ev_async_send(w->host.loop, &w->wake);
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
    if (!w->host.plan)
        return; /* never initialised */
    if (w->thread)
        pthread_join(w->thread, NULL);
    for (uint32_t i = 0; i < w->n_vus; i++)
        lg_vu_free(&w->vus[i]);
    free(w->vus);
    free(w->free_vus);
    lg_transport_free(w->host.transport);
    lg_buf_free(&w->host.tmpl_scratch);
    if (w->host.loop)
        ev_loop_destroy(w->host.loop); /* its watchers live in *w and die with it */
    lg_metrics_free(&w->host.metrics);
    lg_metrics_free(&w->pub);
    pthread_mutex_destroy(&w->pub_lock);
}
