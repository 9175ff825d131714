/* arrivals: the open model's dispatch of due iterations to free virtual users in
 * any worker; one with no free VU waits in the run's one queue, first due first
 * served, and is dropped past max_lateness, so what waits and what is dropped does
 * not depend on how the VUs are split over threads. No clock, thread or socket
 * here: callers pass the time and wake the worker whose inbox got an arrival. */
#ifndef LG_ARRIVALS_H
#define LG_ARRIVALS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Arrivals handed to one worker, each with one of its free VUs set aside for it.
 * One consumer (the worker, lock-free); pushes are serialised by the lock. */
struct lg_inbox {
    int64_t *due_us; /* ring of cap entries (a power of two) */
    size_t cap;
    _Atomic size_t head; /* entries popped so far */
    _Atomic size_t tail; /* entries pushed so far */
};

struct lg_arrivals {
    /* Guards everything below but the inboxes' pop side. Taken once per arrival
     * (by the clock) and once per iteration end (by the worker whose VU ended),
     * never per request, and held for a scan of the workers at most. */
    pthread_mutex_t lock;
    unsigned n_workers;
    uint32_t *idle;         /* per worker: free VUs not yet set aside for an arrival */
    struct lg_inbox *inbox; /* per worker */
    int64_t max_lateness_us;
    int64_t *queue; /* ring of due instants waiting for a free VU, oldest first */
    size_t q_head, q_len, q_cap;
};

/* Prepares the dispatch for n_workers workers (>= 1) holding vus[k] VUs each, all
 * of them free. Arrivals that wait longer than max_lateness_us are dropped. Never
 * fails (allocation aborts). Free with lg_arrivals_free. */
void lg_arrivals_init(struct lg_arrivals *a, unsigned n_workers, const uint32_t *vus,
                      int64_t max_lateness_us);
/* Frees what lg_arrivals_init allocated; accepts a zeroed struct. */
void lg_arrivals_free(struct lg_arrivals *a);

/* Arrival due at due_us, dispatched at now_us (the clock calls this in due order).
 * First drops queued arrivals that waited past max_lateness (adding how many to
 * *dropped). Then, if some worker has a free VU (the one with the most; the lowest
 * index on a tie), sets that VU aside, puts the arrival in the worker's inbox and
 * returns the worker's index: the caller wakes it. Otherwise the arrival joins the
 * queue and -1 is returned. Thread-safe. */
int lg_arrivals_due(struct lg_arrivals *a, int64_t due_us, int64_t now_us, uint64_t *dropped);

/* Worker k takes the next arrival of its inbox (oldest first): true with *due_us,
 * false when the inbox is empty. The worker then starts it on one of its free VUs.
 * Lock-free; only worker k's thread may call it. */
bool lg_arrivals_take(struct lg_arrivals *a, unsigned k, int64_t *due_us);

/* A VU of worker k finished its iteration at now_us. Drops queued arrivals that
 * waited past max_lateness (adding how many to *dropped); then returns true with
 * the oldest queued arrival in *due_us for the VU to start, or false when none
 * waits: the VU then counts as free in worker k. Thread-safe. */
bool lg_arrivals_vu_idle(struct lg_arrivals *a, unsigned k, int64_t now_us, int64_t *due_us,
                         uint64_t *dropped);

/* The run is over: empties the queue and returns how many arrivals it held (they
 * never started: dropped). Thread-safe. */
uint64_t lg_arrivals_drop_queue(struct lg_arrivals *a);

/* How many arrivals wait in the queue, and how many free VUs worker k has that no
 * arrival has been handed yet. Thread-safe. */
size_t lg_arrivals_waiting(struct lg_arrivals *a);
uint32_t lg_arrivals_idle(struct lg_arrivals *a, unsigned k);

#endif
