/* host: what a virtual user sees of the worker thread that runs it: the loop,
 * the transport, the plan, the metrics it records, and the worker's answers to
 * "am I wanted", "may I start an iteration", "I am idle", "I am done". The
 * worker (worker.c) embeds one and fills it; vu.c needs nothing else of it. */
#ifndef LG_HOST_H
#define LG_HOST_H

#include <ev.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "util.h"

struct lg_pacer;
struct lg_plan;
struct lg_transport;
struct lg_vu;

/* One per worker thread; only that thread touches it, except the pointers to
 * what the run's workers share. */
struct lg_host {
    struct ev_loop *loop;
    struct lg_transport *transport;
    const struct lg_plan *plan;
    struct lg_metrics metrics;  /* recorded by this thread only; published each second */
    struct lg_buf tmpl_scratch; /* working memory of lg_tmpl_render (function calls) */
    bool stopping;              /* no new requests or iterations */

    /* Shared by every worker of the run (set before the workers start). */
    bool in_turn;                    /* scenarios in turn rather than by weight (the
                                        smoke profile: each once) */
    _Atomic uint64_t *next_scenario; /* in_turn: the turn counter */
    uint32_t turn_step;              /* in_turn: what a turn adds to it (N in a segment) */
    struct lg_pacer *pacer;          /* the environment's max_rate; NULL: no limit */

    /* The worker's answers, called from its thread. */
    /* A VU stops being active (the run is ending, or VU stages park it); the
     * worker stops its loop when none is left and nothing more can start. */
    void (*vu_done)(struct lg_host *h);
    /* Closed model: takes one iteration from the run's budget (always granted
     * when the run has none). Returns false when the budget is spent. */
    bool (*take_iteration)(struct lg_host *h);
    /* Open model: a VU finished its iteration; it starts the oldest arrival
     * waiting in the run's queue, or joins the worker's free VUs. */
    void (*vu_idle)(struct lg_host *h, struct lg_vu *vu);
    /* VU stages: whether the VU should start another iteration (false: it parks
     * until the target rises again). */
    bool (*vu_wanted)(const struct lg_host *h, const struct lg_vu *vu);
};

#endif
