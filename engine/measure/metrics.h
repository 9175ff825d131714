/* metrics: what a run measured. Each worker owns one struct lg_metrics and records
 * into it without locks; the coordinator merges them. Requests are kept per
 * (step, status) cell so that any threshold filter (scenario, step, tag, status)
 * selects cells and merges them losslessly. */
#ifndef LG_METRICS_H
#define LG_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "model.h"

/* Why a request failed (DESIGN.md section 3). */
enum lg_errclass {
    LG_ERRC_NONE = 0,
    LG_ERRC_TIMEOUT,
    LG_ERRC_UNFINISHED,     /* still in flight when the run ended (hard stop, signal, abort) */
    LG_ERRC_CONNECT,        /* DNS failure, connection refused or unreachable */
    LG_ERRC_TLS,            /* handshake or certificate failure */
    LG_ERRC_RESET,          /* connection reset, closed or empty reply */
    LG_ERRC_HTTP_4XX,       /* status 400..499 that the step did not expect */
    LG_ERRC_HTTP_5XX,       /* status >= 500 that the step did not expect */
    LG_ERRC_CHECK,          /* an expectation failed */
    LG_ERRC_CAPTURE,        /* a capture found nothing (an unset value read later is
                               unsent, not an error) */
    LG_ERRC_REDIRECT,       /* more than 10 redirects (a loop) */
    LG_ERRC_BODY_TOO_LARGE, /* the response body passed max_body: the transfer was
                               stopped there */
    LG_ERRC_OTHER,          /* any other transfer failure */
    LG_ERRC__COUNT,
};

/* "timeout", "connect", ... as in result.json; "" for LG_ERRC_NONE. */
const char *lg_errclass_name(enum lg_errclass c);

/* The HTTP version a response came in (CURLINFO_HTTP_VERSION). */
enum lg_proto {
    LG_PROTO_NONE = 0, /* no response */
    LG_PROTO_HTTP_1_0,
    LG_PROTO_HTTP_1_1,
    LG_PROTO_HTTP_2,
    LG_PROTO_HTTP_3,
    LG_PROTO__COUNT,
};

/* "HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3" as in result.json; "" for none. */
const char *lg_proto_name(enum lg_proto p);
/* The protocol named by lg_proto_name, or LG_PROTO_NONE. */
enum lg_proto lg_proto_from_name(const char *name);

/* One finished request. */
struct lg_sample {
    int status;             /* 0 when there was no response */
    enum lg_errclass err;   /* LG_ERRC_NONE when it succeeded */
    int64_t total_us;       /* latency; in the open model, the first request of an
                               iteration counts from the iteration's scheduled instant */
    int64_t uncorrected_us; /* latency as libcurl measured it (0: same as total_us) */
    bool new_conn;          /* the request opened a new connection (libcurl's
                               NUM_CONNECTS > 0): dns_us, connect_us and tls_us are
                               that connection's; on a reused one they are 0 and no
                               sample */
    int64_t dns_us;         /* name lookup of the new connection: libcurl's DNS
                               cache (60 s) or an IP literal make it near 0 */
    int64_t connect_us;     /* TCP connect; 0 on a reused connection */
    int64_t tls_us;         /* TLS handshake; 0 on plain HTTP or a reused connection */
    int64_t ttfb_us;        /* from the start to the first response byte */
    uint64_t bytes_in;      /* response body bytes */
    uint32_t retries;       /* times libcurl sent it again on a new connection after a
                               reused one closed unanswered (idempotent methods) */
    bool retry_refused;     /* such a replay was refused (other methods): the request
                               failed instead of being sent twice */
    enum lg_proto proto;    /* the response's HTTP version; LG_PROTO_NONE without one */
};

/* Whether a request's elapsed time is a time sample (latency, ttfb and the
 * per-second percentiles; DESIGN.md section 3). Time metrics describe responses:
 * a request that got a complete response is timed, and so is one that timed out or
 * was still in flight when the run ended, at its elapsed time, so that a slow server
 * cannot look fast by timing out or hanging. A request
 * refused, reset, failed in TLS, cut short or lost in a redirect loop got no response
 * and is not. Requests never sent are not samples at all (lg_metrics_unsent). */
bool lg_sample_timed(const struct lg_sample *s);

/* Requests of one step that ended with one status (0 = no response). */
struct lg_cell {
    int status;
    uint64_t requests;
    uint64_t errors; /* sum of errors_by_class */
    uint64_t errors_by_class[LG_ERRC__COUNT];
    uint64_t bytes_in;
    int64_t dns_us_sum;
    /* latency, latency_uncorrected and ttfb hold the timed requests only
     * (lg_sample_timed); dns, connect and tls every connection that was
     * established (new_conn), whatever became of the request it carried. */
    struct lg_hist *latency;
    struct lg_hist *latency_uncorrected; /* open model only, else NULL */
    struct lg_hist *ttfb;
    struct lg_hist *dns;     /* new connections only; NULL until the first */
    struct lg_hist *connect; /* new connections only; NULL until the first */
    struct lg_hist *tls;     /* new TLS connections only; NULL until the first */
};

/* Why checks failed: per check, at most LG_REASONS_PER_CHECK distinct reasons of at
 * most LG_REASON_MAX bytes each, with how many failures gave each. Failures with a
 * reason that found no free place are counted in check_fail only. */
#define LG_REASONS_PER_CHECK 3
#define LG_REASON_MAX 160

struct lg_reason {
    uint64_t count;
    char text[LG_REASON_MAX + 1];
};

struct lg_reasons {
    size_t n;
    struct lg_reason v[LG_REASONS_PER_CHECK];
};

/* Why a request could not be sent (reports name them with lg_unsent_name). */
enum lg_unsent_why {
    LG_UNSENT_UNSET = 0,     /* a template read a value never captured */
    LG_UNSENT_NO_LIST,       /* for_each found no list to walk */
    LG_UNSENT_UNSAFE_URL,    /* the rendered URL: another scheme, a control character */
    LG_UNSENT_UNSAFE_HEADER, /* a rendered header value held CR, LF or NUL */
    LG_UNSENT_BAD_VALUE,     /* a template function could not use its arguments */
    LG_UNSENT_REFUSED,       /* the transport refused the transfer */
    LG_UNSENT__COUNT
};
/* "unset_value", "no_list", "unsafe_url", "unsafe_header", "bad_value", "refused". */
const char *lg_unsent_name(enum lg_unsent_why w);

struct lg_step_metrics {
    struct lg_cell *cells;
    size_t n_cells, cap_cells;
    uint64_t unsent;                      /* requests that could not be sent: not in any cell */
    uint64_t unsent_by[LG_UNSENT__COUNT]; /* the same, by why */
    uint64_t retries;                     /* sum of the samples' retries */
    uint64_t retries_refused;             /* samples whose replay was refused */
    uint64_t protocols[LG_PROTO__COUNT];  /* requests by the HTTP version of their response
                                             ([LG_PROTO_NONE]: no response) */
    uint64_t *check_pass;                 /* per check of the step (model order) */
    uint64_t *check_fail;
    struct lg_reasons **reasons; /* per check; NULL until it first fails with a reason */
    size_t n_checks;
};

struct lg_scenario_metrics {
    uint64_t iterations;                  /* finished, passed or failed */
    uint64_t iterations_failed;           /* failed, finished or interrupted */
    uint64_t iterations_interrupted;      /* cut short by the end of the run */
    struct lg_hist *duration;             /* from the scheduled instant (open model) */
    struct lg_hist *duration_uncorrected; /* open model only: from the actual start */
};

/* One second of the run (all steps together). */
struct lg_series_point {
    int64_t t_s; /* seconds since the run started */
    uint64_t requests, errors;
    uint32_t vus; /* active virtual users */
    int64_t p50_us, p95_us, p99_us;
    char *hist; /* the second's histogram V2-encoded when keep_second_hists (owned),
                   else NULL */
};

struct lg_metrics {
    struct lg_step_metrics *steps; /* by step id */
    size_t n_steps;
    struct lg_scenario_metrics *scenarios;
    size_t n_scenarios;
    /* VUs that could not start an iteration because a unique CSV feed had no row
     * left (a VU that stops for the iteration budget first never reads the feed) */
    uint64_t feed_exhausted;
    /* requests that waited for the environment's rate cap (limits.max_rate) */
    uint64_t paced;
    /* connections opened (TCP sockets, whether they connected or not): set by the
     * worker from its transport when it publishes */
    uint64_t connections;
    /* open model (NULL / 0 otherwise) */
    bool open;
    uint64_t scheduled;   /* iterations due */
    uint64_t dropped;     /* iterations that could not start within max_lateness */
    uint64_t waited;      /* iterations that started late for want of a free VU */
    struct lg_hist *lag;  /* how late a due iteration with a free VU started: the
                             schedule clock's wake-up and the hand-over to a worker */
    struct lg_hist *wait; /* how long iterations waited for a free VU */
    /* the current second, closed by lg_metrics_tick */
    struct lg_hist *second;
    /* the current second per step (by id), the same time samples as `second`, for
     * latency.hlog: each made on the step's first sample (NULL before), so only steps
     * that ran cost a histogram; reset with `second` */
    struct lg_hist **step_second;
    uint64_t second_requests, second_errors;
    struct lg_series_point *series;
    size_t n_series, cap_series;
    /* lg_metrics_tick keeps each second's histogram, encoded (a few hundred bytes
     * a second), in its series point: what a segment's result.json needs for
     * `loadgate merge` to compute exact per-second percentiles */
    bool keep_second_hists;
};

/* Sizes the tables for the suite's steps, checks and scenarios. */
void lg_metrics_init(struct lg_metrics *m, const struct lg_suite *s);
void lg_metrics_free(struct lg_metrics *m); /* the members; accepts NULL */

/* Switches to the open model: keeps uncorrected latencies and iteration durations
 * beside the corrected ones, and the scheduling lag and wait. */
void lg_metrics_enable_open(struct lg_metrics *m);

/* Whether a sample is a time sample (latency, ttfb, the per-second series). A
 * request still in flight at the end (LG_ERRC_UNFINISHED) and one that timed out
 * are, at their elapsed time: a server must not look fast by not answering. */
bool lg_sample_timed(const struct lg_sample *s);

/* Records one request of step `step_id`. Allocation happens only for a status
 * the step has not seen yet. */
void lg_metrics_record(struct lg_metrics *m, uint32_t step_id, const struct lg_sample *s);
/* Counts one request of step `step_id` that could not be sent, and why: it failed
 * the step, but it is no request, no error of a request and no time sample. */
void lg_metrics_unsent(struct lg_metrics *m, uint32_t step_id, enum lg_unsent_why why);
/* Counts one evaluation of check `check` of the step. */
void lg_metrics_check(struct lg_metrics *m, uint32_t step_id, size_t check, bool pass);
/* Counts one failure of check `check` of the step and keeps its reason `why` (cut to
 * LG_REASON_MAX bytes with "..."): counted with an equal reason already kept, else
 * kept while the check holds fewer than LG_REASONS_PER_CHECK, else dropped. Only the
 * first failure of a check allocates; why NULL or "" counts the failure alone. */
void lg_metrics_check_failed(struct lg_metrics *m, uint32_t step_id, size_t check, const char *why);
/* Counts one finished iteration of a scenario; uncorrected_us is its duration from
 * its actual start (kept in the open model only). */
void lg_metrics_iteration(struct lg_metrics *m, uint32_t scenario, int64_t duration_us,
                          int64_t uncorrected_us, bool failed);
/* Counts one iteration cut short by the end of the run (a request in flight,
 * thinking, polling): not a finished one. `timed`: it ended in a request still in
 * flight, and its elapsed time (duration_us, uncorrected_us as above) is a
 * duration sample, as the request's is a latency sample; an iteration cut short
 * otherwise is not one (its duration would read short). */
void lg_metrics_interrupted(struct lg_metrics *m, uint32_t scenario, int64_t duration_us,
                            int64_t uncorrected_us, bool failed, bool timed);
/* Closes the current second: appends a series point for second t_s with the given
 * number of active VUs (and the second's encoded histogram with keep_second_hists),
 * and starts a new second (`second` and `step_second` reset). */
void lg_metrics_tick(struct lg_metrics *m, int64_t t_s, uint32_t vus);
/* Adds src into dst (same suite): counts add up, histograms merge losslessly. The
 * run's series is not made here: workers never tick, and the coordinator closes each
 * second over the workers' merged second histograms (lg_metrics_take_second). Series
 * points src does carry are appended, or summed with dst's point of equal t_s, whose
 * percentiles then become the larger of the two (a point keeps no histogram). A
 * check's reasons are united, equal ones counted together; dst then keeps the
 * LG_REASONS_PER_CHECK most frequent, ties in byte order of their text, in that
 * order, so the result depends only on what the two held. */
void lg_metrics_merge(struct lg_metrics *dst, const struct lg_metrics *src);

/* Zeroes every count and histogram, and forgets every reason, but keeps the cells
 * and the reasons' memory (so recording allocates nothing afterwards) and the
 * series. */
void lg_metrics_clear(struct lg_metrics *m);

/* Moves src's current second (histograms, overall and per step, and counters) into
 * dst's and resets src's: how the coordinator collects each worker's last second.
 * Makes dst's histogram of a step when src has samples for it and dst has none yet. */
void lg_metrics_take_second(struct lg_metrics *dst, struct lg_metrics *src);

/* Totals over every cell. */
struct lg_totals {
    uint64_t requests, errors, iterations, iterations_failed, iterations_interrupted, dropped;
    uint64_t responses; /* requests that got a response (a status > 0) */
    uint64_t unsent;    /* requests that could not be sent (not in requests) */
    uint64_t unsent_by[LG_UNSENT__COUNT];
    uint64_t feed_exhausted;
    uint64_t retries, retries_refused;
    uint64_t checks_passed, checks_failed;
    uint64_t errors_by_class[LG_ERRC__COUNT];
    uint64_t connections;
};
void lg_metrics_totals(const struct lg_metrics *m, struct lg_totals *out);

#endif
