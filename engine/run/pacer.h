/* pacer: the run's cap on requests per second (an environment's limits.max_rate),
 * shared by every worker. Each request reserves the next free instant on one clock,
 * the instants spaced 1/rate apart, and goes out no earlier: evenly spaced, with
 * no burst (an idle pacer gives no credit), as GCRA with a zero tolerance. */
#ifndef LG_PACER_H
#define LG_PACER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct lg_pacer {
    _Atomic int64_t next_ns; /* the earliest instant the next request may go out
                                (monotonic, lg_now_us's clock, in nanoseconds) */
    int64_t interval_ns;     /* 1/rate rounded up, so the cap is never exceeded */
    _Atomic int64_t owed;    /* requests that went out without a turn (lg_pacer_extra)
                                and that the next turns pay for (lg_pacer_settle) */
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

/* Accounts for a request that went out at now_us without waiting for a turn (a
 * redirect's hop, a re-send: libcurl sends them as soon as it decides to). When
 * a turn is free at now_us it takes it; otherwise the request is owed, and the
 * next turn that comes is given to it (lg_pacer_settle) rather than pushed to the
 * back of the queue, so the server sees the burst of at most the hops in flight,
 * never a queue's worth. Lock-free and thread-safe. */
void lg_pacer_extra(struct lg_pacer *p, int64_t now_us);

/* Called by a request whose reserved turn has come, before it is sent: returns
 * true when the turn pays for an owed request instead (one owed request fewer),
 * and the caller must reserve again; false when the turn is its own. */
bool lg_pacer_settle(struct lg_pacer *p);

#endif
