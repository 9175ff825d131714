/* pacer: the run's cap on requests per second (an environment's limits.max_rate),
 * shared by every worker. Each request reserves the next free instant on one clock,
 * the instants spaced 1/rate apart, and goes out no earlier: evenly spaced, with
 * no burst (an idle pacer gives no credit), as GCRA with a zero tolerance. */
#ifndef LG_PACER_H
#define LG_PACER_H

#include <stdatomic.h>
#include <stdint.h>

struct lg_pacer {
    _Atomic int64_t next_ns; /* the earliest instant the next request may go out
                                (monotonic, lg_now_us's clock, in nanoseconds) */
    int64_t interval_ns;     /* 1/rate rounded up, so the cap is never exceeded */
};

/* Prepares a pacer for rate_per_s requests per second (> 0; at most
 * LG_MAX_RATE_PER_S). The first reservation is granted at once. Never fails. */
void lg_pacer_init(struct lg_pacer *p, double rate_per_s);

/* Reserves the instant at which a request ready at now_us may be sent: now_us when
 * the last reservation is at least one interval old, else one interval after it.
 * Returns that instant in microseconds (>= now_us, rounded up). Lock-free and
 * thread-safe: one compare-and-swap, retried under contention. A reservation is
 * spent whether or not the request is then sent. */
int64_t lg_pacer_reserve(struct lg_pacer *p, int64_t now_us);

#endif
