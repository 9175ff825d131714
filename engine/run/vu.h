/* vu: a virtual user, a small state machine over the compiled scenario: pick a
 * scenario, run its steps (requests, checks, captures, think, for_each, until),
 * count the iteration, repeat while the worker's schedule allows. */
#ifndef LG_VU_H
#define LG_VU_H

#include <curl/curl.h>
#include <ev.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "feeder.h"
#include "model.h"
#include "origin.h"
#include "request.h"
#include "util.h"
#include "wallet.h"

struct lg_host;

/* Times one request is sent again by loadgate after libcurl gave up re-sending it
 * (each such send lets libcurl re-send it up to 5 times more). */
#define LG_MAX_RESENDS 2

struct lg_vu {
    uint32_t id;            /* 1-based, unique in the run (across its segments: the global id) */
    uint32_t transfer_slot; /* its index in its worker: spreads transfers over the shards */
    struct lg_host *host;   /* the worker thread running it */
    CURL *easy;             /* reused for every request: keeps the VU's cookie jar */
    struct lg_rng rng;
    uint64_t run_seed;             /* the run's seed: wallet keys derive from it and id */
    struct lg_wallet *wallet;      /* created by the first wallet.* template; owned */
    struct lg_feed_rows feed_rows; /* the iteration's row of each CSV feed it reads */
    json_t **slots;                /* the current scenario's variables and captures */
    size_t n_slots;
    const struct lg_scenario *sc;
    size_t step;           /* index of the current step */
    size_t item;           /* for_each: index of the current item */
    uint64_t iteration;    /* iterations started by this VU, 0-based */
    int64_t iter_start_us; /* when the current iteration started */
    int64_t sched_us;      /* open model: when it was due (0 in the closed model) */
    int64_t req_start_us;  /* when the request in flight was started */
    bool first_pending;    /* the iteration's first request has not completed */
    bool iter_sent;        /* the iteration has started a request */
    bool busy;             /* counted in the worker's active VUs */
    bool parked;           /* VU stages: idle until the target includes it again */
    bool idle_pending;     /* open model: hand back to the pool on the next loop pass */
    int64_t poll_start_us; /* until: when polling of the current item started */
    bool iter_failed;
    bool in_iteration; /* an iteration has started and not ended: the end of the run
                          cuts it short (counted as interrupted) */
    bool in_flight;
    bool done;                     /* this VU will start nothing more */
    int64_t pace_at_us;            /* the request waits for this instant, reserved on
                                      the run's pacer (0: not waiting) */
    int64_t first_paced_us;        /* the iteration's first request waited this long
                                      for the pacer (not counted against the service) */
    ev_timer wait;                 /* think time, poll interval, rate cap */
    struct lg_buf url, body, resp; /* resp: the body, when a check or capture reads it */
    size_t body_bytes;             /* response body bytes, kept or not */
    /* The request in flight, as prereq_cb sees it go out (once per attempt). */
    uint32_t attempts;     /* times it went out on a connection, redirects included */
    uint32_t replays;      /* of those, libcurl's own re-sends after a reused
                              connection closed unanswered */
    uint32_t sends;        /* attempts over the request's whole life, loadgate's
                              own resends included: each beyond the first takes
                              a turn of the rate cap (prereq_cb) */
    bool replay_refused;   /* a re-send was refused (the method is not idempotent) */
    bool on_wire;          /* a connection was begun for it, or it was sent */
    bool idempotent;       /* the step's method may be re-sent */
    bool tls_wanted;       /* the step checks TLS: prereq_cb reads the session */
    bool tls_known;        /* the last response came over TLS: */
    int tls_version;       /* SSL_version(), e.g. 0x0303 for TLS 1.2 */
    int64_t tls_not_after; /* the peer certificate's notAfter, Unix seconds */
    bool keep_body;
    uint64_t max_body;          /* the current step's body limit (struct lg_plan) */
    bool body_too_large;        /* write_cb stopped the transfer at max_body */
    struct lg_header_list hdrs; /* per-request headers when not constant */
    /* The request in flight's first URL and header list, for the redirect's hops:
     * req_cu is the plan's parsed URL, or NULL when url holds it rendered;
     * req_hdrs is the plan's list or hdrs. */
    CURLU *req_cu;
    struct lg_header_list *req_hdrs;
    struct lg_origin_guard origin; /* the cookie jar; what follows a redirect */
    char errbuf[CURL_ERROR_SIZE];  /* CURLOPT_ERRORBUFFER */
    struct lg_buf resend_url;      /* where a resend goes when redirects led elsewhere */
    uint32_t resends;              /* times loadgate sent the request again (vu.c resend) */
    int64_t resent_us;             /* time the transfers before those resends took */
    /* What the easy handle was last given for a request, so that the next sets only
     * the options that differ (send_request). Whatever else sets one of them on the
     * handle (a redirect's hop, a resend) clears opts_known. */
    bool opts_known;
    const CURLU *set_cu;                 /* NULL: the URL was given as text */
    const struct curl_slist *set_hdrs;   /* CURLOPT_HTTPHEADER */
    const struct lg_request *set_method; /* a body-less request's method options */
    long set_follow, set_timeout_ms;
};

/* Prepares a VU (its easy handle and buffers); its PRNG is seeded with
 * run_seed + id and its wallet key derives from run_seed and id. Never fails except
 * on libcurl refusing to create a handle (LG_ECURL). */
int lg_vu_init(struct lg_vu *vu, struct lg_host *host, uint32_t id, uint64_t run_seed);
/* Closed model: starts the VU, which then loops iterations while the run allows. */
void lg_vu_start(struct lg_vu *vu);
/* Open model: runs one iteration that was due at sched_us (monotonic); when it
 * ends the VU hands itself back through its host (vu_idle). */
void lg_vu_begin(struct lg_vu *vu, int64_t sched_us);
/* The run ends for the VU now: cancels its timer and any request in flight. A
 * request that reached the wire (a connection was begun for it, or it was sent) is
 * recorded as failed, class LG_ERRC_UNFINISHED, with its elapsed time; one that had
 * not is not counted. An iteration in progress is counted as interrupted (and
 * failed when a request of it failed or was unfinished). Call it before the
 * worker's last publish. */
void lg_vu_stop(struct lg_vu *vu);
/* Frees the VU; a request still in flight is cancelled without being counted (by
 * then the worker has published for the last time: lg_vu_stop counts). */
void lg_vu_free(struct lg_vu *vu);

/* The transport's completion callback for VU transfers (lg_transfer_done_fn). */
void lg_vu_transfer_done(void *priv, CURL *easy, CURLcode rc, void *ud);

#endif
