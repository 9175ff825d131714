/* pacer: one "next allowed send time" for the whole run, advanced by a
 * compare-and-swap per request. A lock would serialise the workers on every
 * request; the CAS only retries when two requests reserve at the same moment. */
#include "pacer.h"

#include <math.h>

void lg_pacer_init(struct lg_pacer *p, double rate_per_s)
{
    double ns = ceil(1e9 / rate_per_s);
    p->interval_ns = ns < 1 ? 1 : (int64_t)ns;
    atomic_init(&p->next_ns, INT64_MIN);
    atomic_init(&p->owed, 0);
}

int64_t lg_pacer_reserve(struct lg_pacer *p, int64_t now_us)
{
    int64_t now_ns = now_us * 1000;
    int64_t next = atomic_load_explicit(&p->next_ns, memory_order_relaxed), at;
    do {
        at = next > now_ns ? next : now_ns;
    } while (!atomic_compare_exchange_weak_explicit(&p->next_ns, &next, at + p->interval_ns,
                                                    memory_order_relaxed, memory_order_relaxed));
    return (at + 999) / 1000;
}

void lg_pacer_extra(struct lg_pacer *p, int64_t now_us)
{
    int64_t now_ns = now_us * 1000;
    int64_t next = atomic_load_explicit(&p->next_ns, memory_order_relaxed);
    while (next <= now_ns)
        if (atomic_compare_exchange_weak_explicit(&p->next_ns, &next, now_ns + p->interval_ns,
                                                  memory_order_relaxed, memory_order_relaxed))
            return;
    atomic_fetch_add_explicit(&p->owed, 1, memory_order_relaxed);
}

bool lg_pacer_settle(struct lg_pacer *p)
{
    int64_t owed = atomic_load_explicit(&p->owed, memory_order_relaxed);
    while (owed > 0)
        if (atomic_compare_exchange_weak_explicit(&p->owed, &owed, owed - 1, memory_order_relaxed,
                                                  memory_order_relaxed))
            return true;
    return false;
}
