/* run: the coordinator. Splits the virtual users over worker threads, runs the
 * schedule (duration, iteration budget, and the open model's arrivals: one clock
 * for the run, each due arrival handed to a worker with a free VU), collects each
 * second's metrics from the workers into the series, draws progress, evaluates
 * abort thresholds and handles SIGINT, SIGTERM and SIGHUP, all from the calling
 * thread's own libev loop. */
#include "run.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/timerfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"
#include "hlog.h"
#include "jarena.h"
#include "signals.h"
#include "worker.h"

/* The coordinator's tick: it closes a second of the series, asks the workers to
 * publish, draws progress and watches abort thresholds. */
#define LG_TICK_US 1000000

struct runner {
    const struct lg_run_opts *o;
    struct lg_plan plan;
    struct lg_control ctl;
    struct lg_schedule rate; /* open model */
    struct lg_arrivals arrivals;
    struct lg_pacer pacer; /* the request rate cap, when there is one */
    int arrival_fd;        /* timerfd armed at the next due instant (microsecond precision:
                              libev's own timers round up to whole milliseconds); -1 when
                              none (0 is a valid descriptor: stdin may be closed) */
    ev_io arrival_io;
    uint64_t next_arrival;  /* index of the next arrival in the schedule */
    uint64_t scheduled;     /* arrivals made due */
    uint64_t dropped;       /* of those, dropped by the clock or left in the queue */
    struct lg_schedule vus; /* VU stages */
    ev_timer ramp;          /* VU stages: moves the workers' targets */
    struct lg_worker *workers;
    unsigned n_workers;
    struct ev_loop *loop;
    ev_timer tick, end, hard_stop;
    ev_signal sigint, sigterm, sighup;
    int signals;           /* SIGINT, SIGTERM and SIGHUP received */
    bool signals_handed;   /* the loop's watchers are stopped (hand_over_signals) */
    bool waiting;          /* --start-at: before the start (nothing runs yet) */
    ev_async done;         /* a worker finished */
    ev_async budget_spent; /* the last iteration of the budget started */
    int64_t start_us;
    int64_t ticks;                /* series points closed */
    int64_t ticks_sent;           /* publish requests sent */
    struct lg_metrics agg;        /* everything the workers published, rebuilt each second */
    struct lg_abort_watch *watch; /* per threshold */
    struct lg_hlog *hlog;         /* latency.hlog; NULL when none, or once it failed */
    int hlog_errno;               /* why it failed */
    bool aborted;
    char abort_reason[200];
};

static void command_all(struct runner *r, enum lg_command c)
{
    for (unsigned i = 0; i < r->n_workers; i++)
        lg_worker_command(&r->workers[i], c);
}

/* Arms the timerfd at an absolute CLOCK_MONOTONIC instant (lg_now_us's clock). */
static void arm_arrival(struct runner *r, int64_t due_us)
{
    struct itimerspec its = {
        .it_value = {.tv_sec = due_us / 1000000, .tv_nsec = (due_us % 1000000) * 1000},
    };
    timerfd_settime(r->arrival_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Open model: makes every arrival due by now_us due (a late wake-up catches up, in
 * due order), handing each to a worker with a free VU or to the run's queue, then
 * sleeps until the next. The instants are those of one schedule over one index, so
 * they do not depend on the thread count. */
static void dispatch_due(struct runner *r, int64_t now_us)
{
    if (!ev_is_active(&r->arrival_io))
        return;
    for (;;) {
        int64_t at = lg_schedule_arrival_us(&r->rate, r->next_arrival);
        if (at < 0) {
            ev_io_stop(r->loop, &r->arrival_io); /* nothing more is due in this run */
            return;
        }
        int64_t due = r->start_us + at;
        if (due > now_us) {
            arm_arrival(r, due);
            return;
        }
        r->next_arrival += lg_slice_whole(r->o->slice) ? 1 : r->o->slice.count;
        r->scheduled++;
        int k = lg_arrivals_due(&r->arrivals, due, now_us, &r->dropped);
        if (k >= 0)
            lg_worker_command(&r->workers[k], LG_CMD_ARRIVAL);
    }
}

/* ev_io on the timerfd (the open model's schedule clock). */
static void arrival_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    struct runner *r = io->data;
    uint64_t expirations;
    if (read(r->arrival_fd, &expirations, sizeof(expirations)) < 0) {
        /* EAGAIN: woken without an expiry; dispatch_due re-arms */
    }
    dispatch_due(r, lg_now_us());
}

static void stop_arrivals(struct runner *r)
{
    if (r->ctl.rate)
        ev_io_stop(r->loop, &r->arrival_io);
}

static void abort_run(struct runner *r, const char *reason)
{
    if (r->aborted)
        return;
    r->aborted = true;
    snprintf(r->abort_reason, sizeof(r->abort_reason), "%s", reason);
    stop_arrivals(r); /* before the stop: no worker gets an arrival after it */
    command_all(r, LG_CMD_STOP);
}

/* ev_signal for SIGINT, SIGTERM and SIGHUP (a dropped ssh session: the run stops as
 * for SIGTERM, and its reports are still written). The first stops the run; a
 * second exits at once, as a second Ctrl-C does everywhere (nothing is written yet
 * at that point: the reports come after the run). */
static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct runner *r = w->data;
    if (++r->signals >= 2)
        _exit(LG_EXIT_ABORTED);
    if (r->waiting) { /* no worker runs yet: nothing to stop but the wait */
        r->aborted = true;
        snprintf(r->abort_reason, sizeof(r->abort_reason), "%s before the run started (--start-at)",
                 w->signum == SIGINT   ? "interrupted (SIGINT)"
                 : w->signum == SIGHUP ? "hung up (SIGHUP)"
                                       : "terminated (SIGTERM)");
        ev_break(loop, EVBREAK_ALL);
        return;
    }
    abort_run(r, w->signum == SIGINT   ? "interrupted (SIGINT)"
                 : w->signum == SIGHUP ? "hung up (SIGHUP)"
                                       : "terminated (SIGTERM)");
}

/* From here on no loop handles the signals: they go to signals.h's handlers, which
 * know whether the run got one already. Blocked meanwhile, so that none arrives
 * between libev's restoring the default action and the new handlers. */
static void hand_over_signals(struct runner *r)
{
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    ev_signal_stop(r->loop, &r->sigint);
    ev_signal_stop(r->loop, &r->sigterm);
    ev_signal_stop(r->loop, &r->sighup);
    lg_signals_after_run(r->signals);
    r->signals_handed = true;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The duration is over: workers start no new requests, and get the graceful stop
 * to finish those in flight. */
static void end_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct runner *r = t->data;
    ev_timer_stop(loop, &r->ramp);
    if (r->ctl.rate) {
        /* Every arrival is due before the end: make those the clock has not yet
         * reached due, then no more (before END: none reaches a worker after it). */
        dispatch_due(r, lg_now_us());
        stop_arrivals(r);
    }
    command_all(r, LG_CMD_END);
    ev_timer_start(loop, &r->hard_stop);
}

static void hard_stop_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    command_all(t->data, LG_CMD_STOP);
}

static void done_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    struct runner *r = a->data;
    for (unsigned i = 0; i < r->n_workers; i++)
        if (!atomic_load(&r->workers[i].finished))
            return;
    ev_break(loop, EVBREAK_ALL);
}

/* The iteration budget is spent: every worker ends once its VUs are done, also
 * under VU stages that would go on (a worker whose VUs are all parked ends now). */
static void budget_spent_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    command_all(a->data, LG_CMD_SPENT);
}

static uint32_t active_vus(const struct runner *r)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < r->n_workers; i++)
        n += atomic_load_explicit(&r->workers[i].pub_active_vus, memory_order_relaxed);
    return n;
}

/* A failure to write latency.hlog is said once; the run goes on without it (the
 * exit code says it at the end, lg_run_report.hlog_errno). */
static void hlog_failed(struct runner *r, int err)
{
    r->hlog_errno = err ? err : EIO;
    /* below a live progress line, not appended to it */
    fprintf(stderr, "%sloadgate: cannot write %s: %s (the run goes on; it will exit with 4)\n",
            r->o->progress == LG_PROGRESS_TTY && r->ticks > 0 ? "\n" : "", r->o->hlog_path,
            strerror(r->hlog_errno));
    lg_hlog_close(r->hlog);
    r->hlog = NULL;
}

/* Rebuilds the aggregate from what every worker published, and closes a second of
 * the series with what they published last. Each tick asks the workers to publish
 * and collects what they published at the tick before, so every point of the
 * series covers one tick-to-tick interval of every worker; progress and abort
 * thresholds therefore see the run up to one second late: after this, during the
 * run, the aggregate covers exactly the first `ticks` seconds (agg_covered_us).
 * The same interval goes to latency.hlog; the last one (`last`, after the workers
 * stopped) runs from its second's start to now. */
static void collect(struct runner *r, bool last)
{
    lg_metrics_clear(&r->agg);
    for (unsigned i = 0; i < r->n_workers; i++)
        lg_worker_collect(&r->workers[i], &r->agg);
    r->agg.scheduled += r->scheduled; /* the clock's own counts */
    r->agg.dropped += r->dropped;
    if (r->hlog) {
        int64_t start_ms = r->ticks * (LG_TICK_US / 1000);
        int64_t length_ms =
            last ? (lg_now_us() - r->start_us) / 1000 - start_ms : LG_TICK_US / 1000;
        if (lg_hlog_interval(r->hlog, &r->agg, start_ms, length_ms < 0 ? 0 : length_ms))
            hlog_failed(r, errno);
    }
    lg_metrics_tick(&r->agg, r->ticks, active_vus(r));
    r->ticks++;
}

/* The span of the run the aggregate covers during the run (see collect): what its
 * rates are taken over, not the clock, which is a tick ahead. */
static int64_t agg_covered_us(const struct runner *r)
{
    return r->ticks * LG_TICK_US;
}

/* The live progress line: redrawn each second on a TTY, a plain line every 10 s
 * otherwise (CI logs), and a last one at the end. */
/* "stage 2/3" while a staged profile runs, else "". */
static void stage_text(const struct runner *r, int64_t t_us, char *buf, size_t n)
{
    const struct lg_schedule *sc = r->ctl.rate ? &r->rate : r->ctl.staged ? &r->vus : NULL;
    buf[0] = '\0';
    if (!sc || sc->n_segs < 2)
        return;
    size_t k = 0;
    while (k + 1 < sc->n_segs && t_us >= sc->segs[k].t1_us)
        k++;
    snprintf(buf, n, "  stage %zu/%zu", k + 1, sc->n_segs);
}

static void progress(struct runner *r, bool final)
{
    const struct lg_run_opts *o = r->o;
    if (o->progress == LG_PROGRESS_NONE)
        return;
    if (o->progress == LG_PROGRESS_PLAIN && !final && (r->ticks == 0 || r->ticks % 10 != 0))
        return; /* a line every 10 s in logs, once there is something to say */
    struct lg_totals t;
    lg_metrics_totals(&r->agg, &t);
    const struct lg_metrics *m = &r->agg;
    const struct lg_series_point *last = m->n_series ? &m->series[m->n_series - 1] : NULL;
    /* The figures are those the workers published at the last tick (collect), so
     * the time shown is that tick's, not the clock's: they agree (10s, 1,000
     * requests at 100/s). The final line is taken after the workers stopped. */
    int64_t elapsed_us = final ? lg_now_us() - r->start_us : agg_covered_us(r);
    double elapsed_s = (double)elapsed_us / 1e6;
    double rps = final ? (elapsed_s > 0 ? (double)t.requests / elapsed_s : 0)
                       : (double)(last ? last->requests : 0);
    char p95[32], total[32] = "", stage[64], dropped[48] = "";
    lg_fmt_duration(last ? last->p95_us : 0, p95, sizeof(p95));
    if (o->duration_us || r->ctl.rate || r->ctl.staged)
        snprintf(total, sizeof(total), "/%.0fs",
                 (double)(r->ctl.rate     ? r->rate.duration_us
                          : r->ctl.staged ? r->vus.duration_us
                                          : o->duration_us) /
                     1e6);
    stage_text(r, elapsed_us, stage, sizeof(stage));
    if (r->ctl.rate)
        snprintf(dropped, sizeof(dropped), "  %llu dropped", (unsigned long long)t.dropped);
    fprintf(stderr,
            "%s%5.0fs%s%s  %u VUs  %.0f req/s  p95 %s  %llu requests  %llu errors  "
            "%llu iterations%s%s",
            o->progress == LG_PROGRESS_TTY ? "\r\033[K" : "", elapsed_s, total, stage,
            active_vus(r), rps, p95, (unsigned long long)t.requests, (unsigned long long)t.errors,
            (unsigned long long)t.iterations, dropped, o->progress == LG_PROGRESS_TTY ? "" : "\n");
    if (o->progress == LG_PROGRESS_TTY && final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Evaluates abort thresholds over what was collected so far, and stops the run
 * when one is certainly broken or has been broken for its abort_after (the rule is
 * lg_gate_abort_due's, in gate.h). */
static void watch_aborts(struct runner *r)
{
    const struct lg_run_opts *o = r->o;
    if (r->ticks == 0)
        return; /* nothing collected yet */
    int64_t covered_us = agg_covered_us(r);
    for (size_t i = 0; i < o->n_thresholds; i++) {
        const struct lg_threshold *t = &o->thresholds[i];
        if (!t->abort)
            continue;
        struct lg_gate_outcome out;
        enum lg_abort_cause why =
            lg_gate_abort_due(t, o->suite, &r->agg, covered_us, &r->watch[i], &out);
        if (why == LG_ABORT_NONE)
            continue;
        char reason[200], evidence[32];
        if (why == LG_ABORT_CERTAIN) {
            snprintf(reason, sizeof(reason),
                     "abort threshold broken: %s (observed %s over %llu %s)", t->expr,
                     out.observed_text, (unsigned long long)out.samples, out.samples_of);
        } else {
            lg_fmt_duration(covered_us - r->watch[i].broken_since_us, evidence, sizeof(evidence));
            snprintf(reason, sizeof(reason),
                     "abort threshold broken: %s (observed %s, broken for %s)", t->expr,
                     out.observed_text, evidence);
        }
        abort_run(r, reason);
        return;
    }
}

/* VU stages: the target now, split over the workers as the VUs are. */
static void set_targets(struct runner *r, bool send)
{
    double v = lg_schedule_value(&r->vus, lg_now_us() - r->start_us);
    uint32_t target = (uint32_t)lg_slice_share(r->o->slice, (uint64_t)llround(v < 0 ? 0 : v));
    for (unsigned i = 0; i < r->n_workers; i++) {
        uint32_t n = target / r->n_workers + (i < target % r->n_workers ? 1 : 0);
        struct lg_worker *w = &r->workers[i];
        if (atomic_exchange(&w->target_vus, n) != n && send)
            lg_worker_command(w, LG_CMD_TARGET);
    }
}

static void ramp_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    set_targets(t->data, true);
}

static void tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct runner *r = t->data;
    if (r->ticks_sent > 0)
        collect(r, false);
    r->ticks_sent++;
    command_all(r, LG_CMD_PUBLISH);
    progress(r, false);
    watch_aborts(r);
}

static void start_at_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
    ev_break(loop, EVBREAK_ALL);
}

/* --start-at: waits on the wall clock (an ev_periodic, which follows the wall
 * clock where a timer would follow the monotonic one) until the start, in the
 * run's loop so that a signal ends the wait. Returns true when it waited to the
 * instant (the run starts at it exactly), false when the instant had passed
 * already or a signal came (r->aborted). */
static bool wait_start(struct runner *r)
{
    int64_t at = r->o->start_at_ms;
    if (at <= 0 || at <= lg_wall_ms())
        return false;
    ev_periodic p;
    ev_periodic_init(&p, start_at_cb, (double)at / 1e3, 0., NULL);
    r->waiting = true;
    ev_periodic_start(r->loop, &p);
    ev_run(r->loop, 0);
    ev_periodic_stop(r->loop, &p);
    r->waiting = false;
    if (r->aborted)
        return false;
    /* libev may wake a little early: the rest, to the millisecond */
    for (int64_t left; (left = at - lg_wall_ms()) > 0;) {
        struct timespec ts = {.tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    return true;
}

/* Worker threads: as asked, else one per online CPU; never more than VUs. */
static unsigned thread_count(const struct lg_run_opts *o)
{
    long n = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if ((uint32_t)n > o->vus)
        n = (long)o->vus;
    return (unsigned)n;
}

/* Creates the workers and their virtual users (before the clock starts: creating
 * 10,000 VUs takes a while). */
static int init_workers(struct runner *r)
{
    const struct lg_run_opts *o = r->o;
    r->n_workers = thread_count(o);
    r->workers = lg_calloc(r->n_workers, sizeof(*r->workers));
    uint32_t *vus = lg_calloc(r->n_workers, sizeof(*vus));
    for (unsigned i = 0; i < r->n_workers; i++)
        vus[i] = o->vus / r->n_workers + (i < o->vus % r->n_workers ? 1 : 0);
    if (r->ctl.rate) {
        lg_arrivals_init(&r->arrivals, r->n_workers, vus,
                         o->max_lateness_us ? o->max_lateness_us : LG_DEFAULT_MAX_LATENESS_US);
        r->ctl.arrivals = &r->arrivals;
    }
    int rc = LG_OK;
    uint64_t first = 0; /* the slice's local index of the worker's first VU */
    uint32_t step = lg_slice_whole(o->slice) ? 1 : o->slice.count;
    for (unsigned i = 0; i < r->n_workers && rc == LG_OK; i++) {
        uint32_t id = (uint32_t)lg_slice_global(o->slice, first) + 1;
        rc = lg_worker_init(&r->workers[i], i, &r->plan, &r->ctl, id, step, vus[i], o->seed);
        first += vus[i];
    }
    free(vus);
    return rc;
}

static int start_workers(struct runner *r)
{
    for (unsigned i = 0; i < r->n_workers; i++) {
        int rc = lg_worker_start(&r->workers[i], r->loop, &r->done);
        if (rc) {
            command_all(r, LG_CMD_STOP);
            return rc;
        }
    }
    return LG_OK;
}

int lg_run(const struct lg_run_opts *o, struct lg_run_report *out)
{
    /* before the workers start: each parses its responses into its own arena */
    lg_jarena_install();
    struct runner *r = lg_calloc(1, sizeof(*r));
    r->o = o;
    r->arrival_fd = -1;
    r->watch = lg_calloc(o->n_thresholds, sizeof(*r->watch));
    r->ctl.limit_iterations = o->iterations > 0 && !o->open;
    r->ctl.in_turn = o->scenarios_in_turn;
    atomic_store(&r->ctl.next_scenario, lg_slice_whole(o->slice) ? 0 : o->slice.index);
    r->ctl.turn_step = lg_slice_whole(o->slice) ? 1 : o->slice.count;
    atomic_store(&r->ctl.iterations_left, (int64_t)o->iterations);
    if (o->max_rate_per_s > 0) {
        lg_pacer_init(&r->pacer, o->max_rate_per_s);
        r->ctl.pacer = &r->pacer;
    }
    lg_plan_init(&r->plan, o);
    lg_metrics_init(&r->agg, o->suite);
    /* only a segment's result.json carries them (`loadgate merge`): a few MB an hour
     * that other runs need not hold */
    r->agg.keep_second_hists = o->slice.count > 0;
    int64_t duration_us = o->duration_us ? o->duration_us : LG_MAX_ITERATIONS_DURATION_US;
    if (o->open) {
        lg_schedule_init(&r->rate, o->rate_per_s, o->rate_stages, o->n_rate_stages, o->duration_us);
        duration_us = r->rate.duration_us;
        r->ctl.rate = &r->rate;
        out->peak_rate_per_s = r->rate.peak;
        lg_metrics_enable_open(&r->agg);
    } else if (o->n_vu_stages) {
        lg_schedule_init(&r->vus, o->vus_start, o->vu_stages, o->n_vu_stages, 0);
        duration_us = r->vus.duration_us;
        r->ctl.staged = true;
    }
    int rc = LG_EIO;
    r->loop = ev_loop_new(EVFLAG_AUTO);
    if (!r->loop)
        goto done;

    struct ev_loop *loop = r->loop;
    ev_timer_init(&r->tick, tick_cb, (double)LG_TICK_US / 1e6, (double)LG_TICK_US / 1e6);
    ev_timer_init(&r->end, end_cb, (double)duration_us / 1e6, 0.);
    ev_timer_init(&r->hard_stop, hard_stop_cb, (double)LG_GRACEFUL_STOP_US / 1e6, 0.);
    ev_signal_init(&r->sigint, signal_cb, SIGINT);
    ev_signal_init(&r->sigterm, signal_cb, SIGTERM);
    ev_signal_init(&r->sighup, signal_cb, SIGHUP);
    ev_async_init(&r->done, done_cb);
    ev_async_init(&r->budget_spent, budget_spent_cb);
    r->tick.data = r->end.data = r->hard_stop.data = r;
    r->sigint.data = r->sigterm.data = r->sighup.data = r->done.data = r->budget_spent.data = r;
    ev_signal_start(loop, &r->sigint);
    ev_signal_start(loop, &r->sigterm);
    ev_signal_start(loop, &r->sighup);
    /* One that came after the caller last looked (lg_signals_received), before the
     * watchers were installed, stops the run as soon as the loop runs. */
    if (lg_signals_received() > 0)
        ev_feed_signal_event(loop, SIGTERM);
    ev_async_start(loop, &r->done);
    if (r->ctl.rate) {
        r->arrival_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (r->arrival_fd < 0)
            goto done;
        ev_io_init(&r->arrival_io, arrival_cb, r->arrival_fd, EV_READ);
        r->arrival_io.data = r;
    }
    ev_async_start(loop, &r->budget_spent);
    r->ctl.coord_loop = loop;
    r->ctl.budget_spent = &r->budget_spent;

    r->next_arrival = o->slice.index; /* the slice's first arrival of the whole schedule */
    rc = init_workers(r);
    bool on_time = rc == LG_OK && wait_start(r);
    r->start_us = r->ctl.start_us = lg_now_us();
    out->started_wall_ms = on_time ? o->start_at_ms : lg_wall_ms();
    if (o->hlog_path && lg_hlog_open(o->hlog_path, o->suite, out->started_wall_ms, &r->hlog))
        hlog_failed(r, errno);
    if (r->aborted) /* a signal during the wait: nothing was sent */
        goto stopped;
    ev_now_update(loop);
    ev_timer_start(loop, &r->tick);
    ev_timer_start(loop, &r->end);
    if (r->ctl.staged) {
        set_targets(r, false);
        ev_timer_init(&r->ramp, ramp_cb, 0.1, 0.1); /* a smooth enough ramp */
        r->ramp.data = r;
        ev_timer_start(loop, &r->ramp);
    }
    if (rc == LG_OK)
        rc = start_workers(r);
    if (rc == LG_OK && r->ctl.rate) {
        ev_io_start(loop, &r->arrival_io);
        arm_arrival(r, r->start_us + 1); /* at once; then as due */
    }
    if (rc == LG_OK) {
        ev_run(loop, 0);      /* until every worker is done */
        hand_over_signals(r); /* before the workers are joined: that may take a while */
        /* What still waits for a VU never started. */
        if (r->ctl.rate)
            r->dropped += lg_arrivals_drop_queue(&r->arrivals);
        collect(r, true); /* the last, partial second */
    }
stopped:;
    int64_t end_us = lg_now_us();
    for (unsigned i = 0; i < r->n_workers; i++)
        lg_worker_free(&r->workers[i]); /* joins the thread */
    if (rc)
        goto done;

    struct lg_hlog *hlog = r->hlog;
    r->hlog = NULL;
    if (hlog && lg_hlog_close(hlog))
        hlog_failed(r, errno);
    out->hlog_errno = r->hlog_errno;
    progress(r, true);
    out->duration_s = (double)(end_us - r->start_us) / 1e6;
    out->aborted = r->aborted;
    snprintf(out->abort_reason, sizeof(out->abort_reason), "%s", r->abort_reason);
    out->metrics = r->agg; /* moved */
    memset(&r->agg, 0, sizeof(r->agg));
done:
    lg_hlog_close(r->hlog); /* an internal failure: what was measured stays */
    if (r->loop) {
        if (!r->signals_handed)
            hand_over_signals(r); /* a freed loop must not get them */
        ev_loop_destroy(r->loop);
    }
    if (r->arrival_fd >= 0)
        close(r->arrival_fd);
    lg_arrivals_free(&r->arrivals);
    free(r->workers);
    lg_metrics_free(&r->agg);
    lg_plan_free(&r->plan);
    lg_schedule_free(&r->rate);
    lg_schedule_free(&r->vus);
    free(r->watch);
    free(r);
    return rc;
}
