/* arrivals: free-VU accounting per worker, the run's one queue of arrivals waiting
 * for a VU, its expiry, and the workers' inboxes. A mutex rather than lock-free
 * structures: the state is touched once per iteration start or end, the critical
 * sections are a few loads and stores, and the decision (which worker, or the
 * queue) must be one atomic step over every worker's count. */
#include "arrivals.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t pow2_at_least(size_t n)
{
    size_t c = 1;
    while (c < n)
        c *= 2;
    return c;
}

void lg_arrivals_init(struct lg_arrivals *a, unsigned n_workers, const uint32_t *vus,
                      int64_t max_lateness_us)
{
    memset(a, 0, sizeof(*a));
    pthread_mutex_init(&a->lock, NULL);
    a->n_workers = n_workers;
    a->max_lateness_us = max_lateness_us;
    a->idle = lg_calloc(n_workers, sizeof(*a->idle));
    a->inbox = lg_calloc(n_workers, sizeof(*a->inbox));
    for (unsigned k = 0; k < n_workers; k++) {
        a->idle[k] = vus[k];
        /* An entry holds one of the worker's VUs set aside: never more than it has. */
        a->inbox[k].cap = pow2_at_least(vus[k]);
        a->inbox[k].due_us = lg_calloc(a->inbox[k].cap, sizeof(int64_t));
    }
}

void lg_arrivals_free(struct lg_arrivals *a)
{
    if (!a->idle)
        return; /* never initialised */
    for (unsigned k = 0; k < a->n_workers; k++)
        free(a->inbox[k].due_us);
    free(a->inbox);
    free(a->idle);
    free(a->queue);
    pthread_mutex_destroy(&a->lock);
    memset(a, 0, sizeof(*a));
}

/* Drops the queue's head while it is older than max_lateness (the queue is in due
 * order, so the rest is younger). Lock held. */
static uint64_t expire(struct lg_arrivals *a, int64_t now_us)
{
    uint64_t n = 0;
    while (a->q_len > 0 && now_us - a->queue[a->q_head] > a->max_lateness_us) {
        a->q_head = (a->q_head + 1) % a->q_cap;
        a->q_len--;
        n++;
    }
    return n;
}

static void queue_push(struct lg_arrivals *a, int64_t due_us)
{
    if (a->q_len == a->q_cap) { /* grow the ring, unrolling it */
        size_t cap = a->q_cap ? a->q_cap * 2 : 64;
        int64_t *q = lg_malloc(cap * sizeof(*q));
        for (size_t i = 0; i < a->q_len; i++)
            q[i] = a->queue[(a->q_head + i) % a->q_cap];
        free(a->queue);
        a->queue = q;
        a->q_cap = cap;
        a->q_head = 0;
    }
    a->queue[(a->q_head + a->q_len) % a->q_cap] = due_us;
    a->q_len++;
}

static int64_t queue_pop(struct lg_arrivals *a)
{
    int64_t due = a->queue[a->q_head];
    a->q_head = (a->q_head + 1) % a->q_cap;
    a->q_len--;
    return due;
}

/* Lock held: pushes never race each other, only the worker's pops. */
static void inbox_push(struct lg_inbox *b, int64_t due_us)
{
    size_t tail = atomic_load_explicit(&b->tail, memory_order_relaxed);
    b->due_us[tail & (b->cap - 1)] = due_us;
    atomic_store_explicit(&b->tail, tail + 1, memory_order_release);
}

int lg_arrivals_due(struct lg_arrivals *a, int64_t due_us, int64_t now_us, uint64_t *dropped)
{
    pthread_mutex_lock(&a->lock);
    *dropped += expire(a, now_us);
    /* The worker with the most free VUs: keeps the threads evenly loaded. While
     * the queue holds anything no VU is free, so a new arrival cannot jump it. */
    int best = -1;
    for (unsigned k = 0; k < a->n_workers; k++)
        if (a->idle[k] > 0 && (best < 0 || a->idle[k] > a->idle[best]))
            best = (int)k;
    if (best >= 0) {
        a->idle[best]--;
        inbox_push(&a->inbox[best], due_us);
    } else {
        queue_push(a, due_us);
    }
    pthread_mutex_unlock(&a->lock);
    return best;
}

bool lg_arrivals_take(struct lg_arrivals *a, unsigned k, int64_t *due_us)
{
    struct lg_inbox *b = &a->inbox[k];
    size_t head = atomic_load_explicit(&b->head, memory_order_relaxed);
    if (head == atomic_load_explicit(&b->tail, memory_order_acquire))
        return false;
    *due_us = b->due_us[head & (b->cap - 1)];
    atomic_store_explicit(&b->head, head + 1, memory_order_release);
    return true;
}

bool lg_arrivals_vu_idle(struct lg_arrivals *a, unsigned k, int64_t now_us, int64_t *due_us,
                         uint64_t *dropped)
{
    pthread_mutex_lock(&a->lock);
    *dropped += expire(a, now_us);
    bool take = a->q_len > 0;
    if (take)
        *due_us = queue_pop(a);
    else
        a->idle[k]++;
    pthread_mutex_unlock(&a->lock);
    return take;
}

uint64_t lg_arrivals_drop_queue(struct lg_arrivals *a)
{
    pthread_mutex_lock(&a->lock);
    uint64_t n = a->q_len;
    a->q_len = 0;
    pthread_mutex_unlock(&a->lock);
    return n;
}

size_t lg_arrivals_waiting(struct lg_arrivals *a)
{
    pthread_mutex_lock(&a->lock);
    size_t n = a->q_len;
    pthread_mutex_unlock(&a->lock);
    return n;
}

uint32_t lg_arrivals_idle(struct lg_arrivals *a, unsigned k)
{
    pthread_mutex_lock(&a->lock);
    uint32_t n = a->idle[k];
    pthread_mutex_unlock(&a->lock);
    return n;
}
