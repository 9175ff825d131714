/* Unit tests for arrivals: the open model's dispatch of due iterations to free
 * VUs in any worker, the run's one queue (first due, first served), its expiry at
 * max_lateness, and results that do not depend on how the VUs are split over
 * workers. Times are plain numbers: no clock, thread or socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arrivals.h"

#define MS 1000 /* microseconds */

/* Takes worker k's next inbox entry, failing the test when there is none. */
static int64_t take(struct lg_arrivals *a, unsigned k)
{
    int64_t due = -1;
    assert_true(lg_arrivals_take(a, k, &due));
    return due;
}

static void test_arrivals_go_to_free_vus_in_any_worker(void **state)
{
    struct lg_arrivals a;
    uint64_t dropped = 0;
    lg_arrivals_init(&a, 3, (uint32_t[]){2, 1, 0}, 500 * MS);
    /* the worker with the most free VUs, the lowest index on a tie */
    assert_int_equal(lg_arrivals_due(&a, 10 * MS, 10 * MS, &dropped), 0);
    assert_int_equal(lg_arrivals_due(&a, 30 * MS, 30 * MS, &dropped), 0);
    assert_int_equal(lg_arrivals_due(&a, 50 * MS, 50 * MS, &dropped), 1);
    assert_int_equal(lg_arrivals_idle(&a, 0), 0);
    assert_int_equal(lg_arrivals_idle(&a, 1), 0);
    assert_int_equal(lg_arrivals_idle(&a, 2), 0);
    /* no free VU anywhere: it waits */
    assert_int_equal(lg_arrivals_due(&a, 70 * MS, 70 * MS, &dropped), -1);
    assert_int_equal(lg_arrivals_waiting(&a), 1);
    assert_int_equal(dropped, 0);
    /* each inbox holds its arrivals, oldest first */
    assert_int_equal(take(&a, 0), 10 * MS);
    assert_int_equal(take(&a, 0), 30 * MS);
    assert_int_equal(take(&a, 1), 50 * MS);
    int64_t due;
    assert_false(lg_arrivals_take(&a, 0, &due));
    assert_false(lg_arrivals_take(&a, 1, &due));
    assert_false(lg_arrivals_take(&a, 2, &due));
    lg_arrivals_free(&a);
}

static void test_arrivals_balance_workers_by_free_vus(void **state)
{
    struct lg_arrivals a;
    uint64_t dropped = 0;
    lg_arrivals_init(&a, 3, (uint32_t[]){2, 2, 1}, 500 * MS);
    int expect[] = {0, 1, 0, 1, 2, -1};
    for (int i = 0; i < 6; i++)
        assert_int_equal(lg_arrivals_due(&a, i * MS, i * MS, &dropped), expect[i]);
    lg_arrivals_free(&a);
}

static void test_arrivals_queue_first_due_first_served(void **state)
{
    struct lg_arrivals a;
    uint64_t dropped = 0;
    int64_t due = 0;
    lg_arrivals_init(&a, 2, (uint32_t[]){1, 1}, 500 * MS);
    assert_int_equal(lg_arrivals_due(&a, 0, 0, &dropped), 0);
    assert_int_equal(lg_arrivals_due(&a, 10 * MS, 10 * MS, &dropped), 1);
    for (int i = 2; i < 5; i++)
        assert_int_equal(lg_arrivals_due(&a, i * 10 * MS, i * 10 * MS, &dropped), -1);
    assert_int_equal(lg_arrivals_waiting(&a), 3);
    /* a VU of worker 1 ends first: it takes the oldest */
    assert_true(lg_arrivals_vu_idle(&a, 1, 60 * MS, &due, &dropped));
    assert_int_equal(due, 20 * MS);
    /* while the queue holds arrivals no VU is free: a new one waits behind them */
    assert_int_equal(lg_arrivals_due(&a, 70 * MS, 70 * MS, &dropped), -1);
    assert_true(lg_arrivals_vu_idle(&a, 0, 70 * MS, &due, &dropped));
    assert_int_equal(due, 30 * MS);
    assert_true(lg_arrivals_vu_idle(&a, 0, 80 * MS, &due, &dropped));
    assert_int_equal(due, 40 * MS);
    assert_true(lg_arrivals_vu_idle(&a, 1, 90 * MS, &due, &dropped));
    assert_int_equal(due, 70 * MS);
    /* empty queue: the VU is free, and the next arrival goes to it */
    assert_false(lg_arrivals_vu_idle(&a, 1, 100 * MS, &due, &dropped));
    assert_int_equal(lg_arrivals_idle(&a, 0), 0);
    assert_int_equal(lg_arrivals_idle(&a, 1), 1);
    assert_int_equal(lg_arrivals_due(&a, 110 * MS, 110 * MS, &dropped), 1);
    assert_int_equal(dropped, 0);
    lg_arrivals_free(&a);
}

static void test_arrivals_vu_freed_on_worker_2_takes_oldest(void **state)
{
    struct lg_arrivals a;
    uint64_t dropped = 0;
    int64_t due = 0;
    lg_arrivals_init(&a, 3, (uint32_t[]){2, 1, 1}, 500 * MS);
    for (int i = 0; i < 4; i++)
        assert_true(lg_arrivals_due(&a, i * MS, i * MS, &dropped) >= 0);
    assert_int_equal(lg_arrivals_due(&a, 100 * MS, 100 * MS, &dropped), -1);
    assert_int_equal(lg_arrivals_due(&a, 200 * MS, 200 * MS, &dropped), -1);
    assert_true(lg_arrivals_vu_idle(&a, 2, 250 * MS, &due, &dropped));
    assert_int_equal(due, 100 * MS);
    assert_int_equal(lg_arrivals_waiting(&a), 1);
    assert_int_equal(lg_arrivals_idle(&a, 2), 0);
    lg_arrivals_free(&a);
}

static void test_arrivals_expire_past_max_lateness(void **state)
{
    struct lg_arrivals a;
    uint64_t dropped = 0;
    int64_t due = 0;
    lg_arrivals_init(&a, 1, (uint32_t[]){1}, 200 * MS);
    assert_int_equal(lg_arrivals_due(&a, 0, 0, &dropped), 0);
    assert_int_equal(lg_arrivals_due(&a, 100 * MS, 100 * MS, &dropped), -1);
    assert_int_equal(lg_arrivals_due(&a, 150 * MS, 150 * MS, &dropped), -1);
    assert_int_equal(lg_arrivals_due(&a, 300 * MS, 300 * MS, &dropped), -1);
    /* exactly max_lateness late still starts */
    assert_true(lg_arrivals_vu_idle(&a, 0, 300 * MS, &due, &dropped));
    assert_int_equal(due, 100 * MS);
    assert_int_equal(dropped, 0);
    /* one microsecond more is dropped, when the next arrival is made due ... */
    assert_int_equal(lg_arrivals_due(&a, 350 * MS + 1, 350 * MS + 1, &dropped), -1);
    assert_int_equal(dropped, 1);
    assert_int_equal(lg_arrivals_waiting(&a), 2);
    /* ... or when a VU ends: the expired go, the oldest of the rest starts */
    assert_true(lg_arrivals_vu_idle(&a, 0, 500 * MS + 1, &due, &dropped));
    assert_int_equal(due, 350 * MS + 1);
    assert_int_equal(dropped, 2);
    /* all expired: the VU is free */
    assert_int_equal(lg_arrivals_due(&a, 600 * MS, 600 * MS, &dropped), -1);
    assert_false(lg_arrivals_vu_idle(&a, 0, 900 * MS, &due, &dropped));
    assert_int_equal(dropped, 3);
    assert_int_equal(lg_arrivals_idle(&a, 0), 1);
    lg_arrivals_free(&a);
}

static void test_arrivals_drop_queue_counts_what_waits(void **state)
{
    struct lg_arrivals a;
    uint64_t dropped = 0;
    lg_arrivals_init(&a, 2, (uint32_t[]){1, 0}, 10000 * MS);
    for (int i = 0; i < 200; i++) /* past the queue's first capacity */
        lg_arrivals_due(&a, i * MS, i * MS, &dropped);
    assert_int_equal(lg_arrivals_waiting(&a), 199);
    assert_int_equal(lg_arrivals_drop_queue(&a), 199);
    assert_int_equal(lg_arrivals_waiting(&a), 0);
    assert_int_equal(lg_arrivals_drop_queue(&a), 0);
    assert_int_equal(dropped, 0);
    lg_arrivals_free(&a);
}

static void test_arrivals_queue_keeps_order_as_it_grows(void **state)
{
    struct lg_arrivals a;
    uint64_t dropped = 0;
    int64_t due = 0;
    lg_arrivals_init(&a, 1, (uint32_t[]){1}, 1000000 * MS);
    assert_int_equal(lg_arrivals_due(&a, 0, 0, &dropped), 0);
    /* interleave takes and pushes so the ring wraps before it grows */
    int64_t next_due = 1, next_taken = 1;
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 5; i++, next_due++)
            assert_int_equal(lg_arrivals_due(&a, next_due, next_due, &dropped), -1);
        for (int i = 0; i < 2; i++, next_taken++) {
            assert_true(lg_arrivals_vu_idle(&a, 0, next_due, &due, &dropped));
            assert_int_equal(due, next_taken);
        }
    }
    while (lg_arrivals_vu_idle(&a, 0, next_due, &due, &dropped))
        assert_int_equal(due, next_taken++);
    assert_int_equal(next_taken, next_due);
    assert_int_equal(dropped, 0);
    lg_arrivals_free(&a);
}

static void test_arrivals_inbox_wraps_in_order(void **state)
{
    struct lg_arrivals a;
    uint64_t dropped = 0;
    int64_t due = 0;
    lg_arrivals_init(&a, 1, (uint32_t[]){3}, 1000 * MS);
    for (int64_t i = 0; i < 100; i += 3) {
        for (int64_t j = i; j < i + 3; j++)
            assert_int_equal(lg_arrivals_due(&a, j, j, &dropped), 0);
        for (int64_t j = i; j < i + 3; j++) {
            assert_int_equal(take(&a, 0), j);
            assert_false(lg_arrivals_vu_idle(&a, 0, j, &due, &dropped));
        }
    }
    assert_false(lg_arrivals_take(&a, 0, &due));
    lg_arrivals_free(&a);
}

/* A run of the dispatch against a simulated pool: arrival i is due at i * gap and
 * its iteration lasts service[i % n_service]; the hand-over to a worker takes no
 * time. Records how long each arrival waited for a VU (-1: dropped). */
struct sim_vu {
    unsigned worker;
    int64_t busy_until; /* 0: free */
};

static void simulate(unsigned n_workers, const uint32_t *vus, int n_arrivals, int64_t gap,
                     const int64_t *service, int n_service, int64_t lateness, int64_t *wait,
                     uint64_t *dropped)
{
    struct lg_arrivals a;
    struct sim_vu pool[16];
    int n_pool = 0;
    for (unsigned k = 0; k < n_workers; k++)
        for (uint32_t i = 0; i < vus[k]; i++)
            pool[n_pool++] = (struct sim_vu){k, 0};
    lg_arrivals_init(&a, n_workers, vus, lateness);
    *dropped = 0;
    for (int i = 0; i < n_arrivals; i++)
        wait[i] = -1;
    int next = 0;
    for (;;) {
        /* the next event: a VU ending (first), or the next arrival */
        int end = -1;
        for (int v = 0; v < n_pool; v++)
            if (pool[v].busy_until && (end < 0 || pool[v].busy_until < pool[end].busy_until))
                end = v;
        int64_t t_arrival = next < n_arrivals ? next * gap : INT64_MAX;
        if (end < 0 && next >= n_arrivals)
            break;
        if (end >= 0 && pool[end].busy_until <= t_arrival) {
            int64_t now = pool[end].busy_until, due;
            pool[end].busy_until = 0;
            if (lg_arrivals_vu_idle(&a, pool[end].worker, now, &due, dropped)) {
                int idx = (int)(due / gap);
                wait[idx] = now - due;
                pool[end].busy_until = now + service[idx % n_service];
            }
            continue;
        }
        int k = lg_arrivals_due(&a, t_arrival, t_arrival, dropped);
        if (k >= 0) {
            int64_t due;
            assert_true(lg_arrivals_take(&a, (unsigned)k, &due));
            assert_int_equal(due, t_arrival);
            int v = 0;
            while (pool[v].worker != (unsigned)k || pool[v].busy_until)
                v++; /* a free VU of worker k: the dispatch set one aside */
            wait[next] = 0;
            pool[v].busy_until = t_arrival + service[next % n_service];
        }
        next++;
    }
    *dropped += lg_arrivals_drop_queue(&a);
    lg_arrivals_free(&a);
}

static void test_arrivals_results_do_not_depend_on_the_split(void **state)
{
    /* 5 VUs, an arrival every 27 ms, iterations of 40 to 400 ms: 141 ms on
     * average, so the pool serves one per 28.2 ms, a little less than asked.
     * Most arrivals wait, and some past the 100 ms max lateness. */
    const int64_t service[] = {100 * MS, 40 * MS, 400 * MS, 60 * MS, 100 * MS, 250 * MS, 40 * MS};
    enum { N = 120 };
    int64_t wait1[N], wait[N];
    uint64_t dropped1, dropped;
    simulate(1, (uint32_t[]){5}, N, 27 * MS, service, 7, 100 * MS, wait1, &dropped1);
    uint64_t waited1 = 0, lost1 = 0;
    for (int i = 0; i < N; i++) {
        waited1 += wait1[i] > 0;
        lost1 += wait1[i] < 0;
    }
    assert_int_equal(waited1, 102); /* the case is not trivial */
    assert_int_equal(dropped1, 6);
    assert_int_equal(lost1, dropped1);
    const uint32_t splits[][3] = {{3, 2, 0}, {2, 2, 1}, {4, 1, 0}, {1, 1, 3}};
    const unsigned n_workers[] = {2, 3, 2, 3};
    for (size_t s = 0; s < 4; s++) {
        simulate(n_workers[s], splits[s], N, 27 * MS, service, 7, 100 * MS, wait, &dropped);
        assert_int_equal(dropped, dropped1);
        assert_memory_equal(wait, wait1, sizeof(wait));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arrivals_go_to_free_vus_in_any_worker),
        cmocka_unit_test(test_arrivals_balance_workers_by_free_vus),
        cmocka_unit_test(test_arrivals_queue_first_due_first_served),
        cmocka_unit_test(test_arrivals_vu_freed_on_worker_2_takes_oldest),
        cmocka_unit_test(test_arrivals_expire_past_max_lateness),
        cmocka_unit_test(test_arrivals_drop_queue_counts_what_waits),
        cmocka_unit_test(test_arrivals_queue_keeps_order_as_it_grows),
        cmocka_unit_test(test_arrivals_inbox_wraps_in_order),
        cmocka_unit_test(test_arrivals_results_do_not_depend_on_the_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
