/* run: executes a load plan, in the closed model (virtual users looping the journey,
 * possibly in VU stages) or the open one (iterations due at a rate), and returns what
 * was measured. Signals and abort thresholds stop it early, marked aborted. */
#ifndef LG_RUN_H
#define LG_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "model.h"
#include "slice.h"

enum lg_progress { LG_PROGRESS_NONE = 0, LG_PROGRESS_TTY, LG_PROGRESS_PLAIN };

struct lg_run_opts {
    const struct lg_suite *suite;
    const struct lg_environment *env; /* may be NULL */
    const char *base_url;             /* may be NULL (absolute URLs only) */
    uint32_t vus;                     /* >= 1; the open model's max_vus */
    unsigned threads;                 /* worker threads; 0 = one per online CPU */
    int64_t duration_us;              /* 0 = until the iterations are done; the open
                                         model's duration when it has no stages */
    uint64_t iterations;              /* 0 = until the duration ends */
    const char *ca_file;              /* may be NULL */
    bool insecure;
    enum lg_http_version http; /* LG_HTTP_1_1 or LG_HTTP_2 (LG_HTTP_DEFAULT: 1.1) */
    bool multiplex;            /* HTTP/2 only: VUs share connections */
    uint64_t seed;
    bool scenarios_in_turn;    /* pick scenarios in file order, in turn, rather
                                  than at random by weight (smoke profile) */
    enum lg_progress progress; /* live progress on stderr */
    /* closed model with VU stages: the count moves from vus_start along the stages
     * (then `vus` is their peak and duration_us their total) */
    uint32_t vus_start;
    const struct lg_stage *vu_stages;
    size_t n_vu_stages;
    /* open model: iterations start at this rate (per second), or follow the stages
     * from it; served by at most `vus` virtual users */
    bool open;
    double rate_per_s;
    const struct lg_stage *rate_stages;
    size_t n_rate_stages;
    int64_t max_lateness_us;
    /* requests per second across the run, in every model (an environment's
     * limits.max_rate); 0 = no cap. A transfer is one request: redirects libcurl
     * follows, and its re-sends on a new connection, go out within it unpaced. */
    double max_rate_per_s;
    const struct lg_threshold *thresholds; /* every threshold; those with abort are
                                              watched each second */
    size_t n_thresholds;
    /* latency.hlog (hlog.h) written there as the run goes; NULL: none */
    const char *hlog_path;
    /* `--segment K/N` (slice.h; count 0: the whole run). The caller has already
     * sliced vus, iterations and max_rate_per_s; the run gives its VUs the global
     * ids of the slice (K, K + N, ...), applies the slice to the VU stages' target
     * at each moment, and makes due only the slice's arrivals of the whole
     * schedule (index K - 1, K - 1 + N, ...) at the whole schedule's instants. */
    struct lg_slice slice;
    /* `--start-at`: Unix milliseconds at which the run starts (t = 0, and
     * lg_run_report.started_wall_ms); 0, or an instant already past: at once. The
     * VUs are made before the wait; a signal during it ends the run with nothing
     * sent, aborted. */
    int64_t start_at_ms;
};

/* The open model's pool of virtual users when neither the profile nor the flags
 * size it. */
#define LG_DEFAULT_MAX_VUS 100

/* A run with only an iteration count stops after this long at most (as k6's
 * shared-iterations maxDuration). */
#define LG_MAX_ITERATIONS_DURATION_US (10LL * 60 * 1000000)
/* After the duration ends, requests in flight get this long to finish. */
#define LG_GRACEFUL_STOP_US (10LL * 1000000)

struct lg_run_report {
    struct lg_metrics metrics; /* merged over workers; lg_metrics_free when done */
    double peak_rate_per_s;    /* open model: the highest rate asked */
    double duration_s;
    int64_t started_wall_ms;
    bool aborted;
    char abort_reason[200];
    /* latency.hlog could not be written (errno; 0: written, or none asked for): the
     * run went on without it, after a warning on stderr */
    int hlog_errno;
};

/* Runs the plan. Returns 0 with *out filled (also when aborted), or a negative
 * error code for an internal failure (then *out holds nothing to free). */
int lg_run(const struct lg_run_opts *o, struct lg_run_report *out);

#endif
