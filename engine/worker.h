/* worker: what one worker thread owns (its libev loop, transport, virtual users and
 * metrics) and the read-only run settings its virtual users consult. Shared by
 * vu.c and run.c only. */
#ifndef LG_WORKER_H
#define LG_WORKER_H

#include <curl/curl.h>
#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "model.h"
#include "transport.h"
#include "vu.h"

/* Read-only for the whole run, shared by every worker. */
struct lg_plan {
    const struct lg_suite *suite;
    const struct lg_environment *env; /* may be NULL */
    const char *base_url;             /* without trailing '/'; may be NULL */
    const char *ca_file;              /* may be NULL */
    bool insecure;
    double *scenario_cdf;              /* cumulative weights, n_scenarios entries, last = 1 */
    size_t max_slots;                  /* largest scenario scope */
    struct curl_slist **const_headers; /* by step id: prebuilt when every header is
                                          constant, else NULL */
    CURLU **const_url;                 /* by step id: pre-parsed when the whole URL
                                          (base, path, query) is constant, else NULL */
    bool proxy_from_env;               /* a *_proxy variable is set: let libcurl
                                          read the environment per request */
};

struct lg_worker {
    struct ev_loop *loop;
    struct lg_transport *transport;
    const struct lg_plan *plan;
    struct lg_metrics metrics;
    struct lg_vu *vus;
    uint32_t n_vus;
    uint32_t active_vus;   /* VUs not yet done */
    int64_t start_us;      /* monotonic start of the run */
    bool stopping;         /* no new requests or iterations */
    bool limit_iterations; /* iterations_left applies */
    uint64_t iterations_left;
    struct lg_buf scratch;      /* rendering target for URLs and header lines */
    struct lg_buf tmpl_scratch; /* working memory of lg_tmpl_render (function calls) */
};

/* Called by a VU when it becomes done; the worker stops its loop when none is left. */
void lg_worker_vu_done(struct lg_worker *w);

#endif
