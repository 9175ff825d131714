/* worker: what one worker thread owns (its libev loop, transport, virtual users and
 * metrics) and what the run's workers share, for run.c; its VUs see only its
 * host (host.h). Nothing here is touched by two threads except where a field
 * says so. */
#ifndef LG_WORKER_H
#define LG_WORKER_H

#include <curl/curl.h>
#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "arrivals.h"
#include "host.h"
#include "metrics.h"
#include "pacer.h"
#include "plan.h"
#include "schedule.h"

struct lg_vu;

/* Shared by every worker; set before they start, then read-only except the
 * atomic budget, which is touched once per iteration at most, never per request. */
struct lg_control {
    bool limit_iterations;
    _Atomic int64_t iterations_left; /* budget of iterations still to start */
    /* The coordinator's watcher told once the budget is spent (the last iteration
     * of it started), so that it can end every worker, idle ones included. */
    struct ev_loop *coord_loop;
    ev_async *budget_spent;
    int64_t start_us; /* monotonic start of the run */
    /* open model: the coordinator makes arrivals due on the schedule's clock; any
     * worker's free VU takes them (arrivals.h) */
    const struct lg_schedule *rate; /* NULL in the closed model */
    struct lg_arrivals *arrivals;   /* NULL in the closed model */
    /* closed model with VU stages: each worker's target moves with the stages */
    bool staged;
    /* scenarios in turn rather than by weight (the smoke profile: each once) */
    bool in_turn;
    _Atomic uint64_t next_scenario;
    /* the environment's max_rate: every request of every model reserves its send
     * instant here (one atomic per request); NULL without a limit, which costs the
     * request path one test */
    struct lg_pacer *pacer;
};

/* What the coordinator asks a worker through its ev_async (bits: several may be
 * pending at once). */
enum lg_command {
    LG_CMD_PUBLISH = 1,  /* hand the metrics measured since the last publish over */
    LG_CMD_END = 2,      /* the duration is over: finish what is in flight, start nothing */
    LG_CMD_STOP = 4,     /* stop at once, abandoning what is in flight */
    LG_CMD_TARGET = 8,   /* VU stages: target_vus changed */
    LG_CMD_ARRIVAL = 16, /* open model: the worker's inbox got an arrival */
    LG_CMD_SPENT = 32,   /* the iteration budget is spent: end once no VU is active */
};

struct lg_worker {
    unsigned index;      /* in the run's workers */
    struct lg_host host; /* what its VUs see: loop, transport, plan, metrics */
    struct lg_control *ctl;
    struct lg_vu *vus;
    uint32_t n_vus;
    uint32_t active_vus;            /* VUs not yet done */
    uint64_t connections_published; /* the transport's connections already published */

    /* open model: arrivals come through ctl->arrivals (this worker's inbox, or the
     * run's queue when one of its VUs becomes free) */
    bool arrivals_over; /* the duration is over: nothing more is due */
    uint32_t *free_vus; /* stack of idle VU indexes, as many as arrivals.h counts
                           idle for this worker plus those its inbox holds */
    uint32_t n_free;

    /* Between this worker and the coordinator. */
    pthread_t thread;
    ev_async wake;            /* the coordinator's commands arrive here */
    _Atomic int command;      /* enum lg_command */
    pthread_mutex_t pub_lock; /* guards pub: taken once a second, never per request */
    struct lg_metrics pub;    /* everything measured, up to the last publish */
    _Atomic uint32_t pub_active_vus;
    _Atomic uint32_t target_vus; /* VU stages: how many of this worker's VUs should run */
    _Atomic bool finished;       /* the thread is done and has published for the last time */
    struct ev_loop *coord_loop;  /* to wake the coordinator when finished */
    ev_async *coord_done;
};

/* Prepares worker `index` with n_vus virtual users whose ids are first_vu_id,
 * first_vu_id + vu_id_step, ... (1 apart in a whole run, N apart in a segment of
 * N: the run's global ids); the VU with id i is seeded with seed + i. Returns 0, or
 * LG_EIO / LG_ECURL; lg_worker_free cleans up either way. */
int lg_worker_init(struct lg_worker *w, unsigned index, const struct lg_plan *plan,
                   struct lg_control *ctl, uint32_t first_vu_id, uint32_t vu_id_step,
                   uint32_t n_vus, uint64_t seed);
/* Starts the worker's thread and its virtual users. When the thread is done it
 * sends coord_done on coord_loop. Returns 0 or LG_EIO. */
int lg_worker_start(struct lg_worker *w, struct ev_loop *coord_loop, ev_async *coord_done);
/* Sends the worker (from another thread) a command. */
void lg_worker_command(struct lg_worker *w, enum lg_command c);
/* Adds what the worker has published into agg and moves the second it published
 * last into agg's current second (coordinator thread, once a second). */
void lg_worker_collect(struct lg_worker *w, struct lg_metrics *agg);
/* Waits for the thread (if started) and frees everything the worker owns. */
void lg_worker_free(struct lg_worker *w);

#endif
