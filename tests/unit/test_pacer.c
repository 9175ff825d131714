/* Unit tests for pacer: reservations spaced 1/rate apart, no credit after idling,
 * intervals rounded up, and distinct instants under contention. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pacer.h"

static void test_pacer_spaces_requests_evenly(void **state)
{
    struct lg_pacer p;
    lg_pacer_init(&p, 50); /* 20 ms apart */
    assert_int_equal(lg_pacer_reserve(&p, 1000), 1000);
    assert_int_equal(lg_pacer_reserve(&p, 1000), 21000);
    assert_int_equal(lg_pacer_reserve(&p, 5000), 41000);
    assert_int_equal(lg_pacer_reserve(&p, 61000), 61000);
}

static void test_pacer_gives_no_burst_after_idling(void **state)
{
    struct lg_pacer p;
    lg_pacer_init(&p, 50);
    assert_int_equal(lg_pacer_reserve(&p, 0), 0);
    /* a second of silence earns nothing: the next two are still 20 ms apart */
    assert_int_equal(lg_pacer_reserve(&p, 1000000), 1000000);
    assert_int_equal(lg_pacer_reserve(&p, 1000000), 1020000);
}

static void test_pacer_rounds_the_interval_up(void **state)
{
    struct lg_pacer p;
    lg_pacer_init(&p, 3); /* 333,333,333.3 ns -> 333,333,334 ns */
    assert_int_equal(p.interval_ns, 333333334);
    assert_int_equal(lg_pacer_reserve(&p, 0), 0);
    assert_int_equal(lg_pacer_reserve(&p, 0), 333334); /* 333,333.334 us, rounded up */
    assert_int_equal(lg_pacer_reserve(&p, 0), 666667);
    assert_int_equal(lg_pacer_reserve(&p, 0), 1000001);
    lg_pacer_init(&p, 10000000); /* the highest rate: 100 ns apart */
    assert_int_equal(p.interval_ns, 100);
}

/* A request sent without waiting takes a free turn, or is owed the next one: the
 * next request whose turn comes gives it up and reserves again. */
static void test_pacer_extra_takes_a_free_turn_or_the_next(void **state)
{
    struct lg_pacer p;
    lg_pacer_init(&p, 50);    /* 20 ms apart */
    lg_pacer_extra(&p, 1000); /* free: taken */
    assert_false(lg_pacer_settle(&p));
    assert_int_equal(lg_pacer_reserve(&p, 1000), 21000);
    lg_pacer_extra(&p, 2000); /* the next turn (21 ms) is taken: owed */
    lg_pacer_extra(&p, 2000);
    assert_int_equal(lg_pacer_reserve(&p, 2000), 41000);
    assert_true(lg_pacer_settle(&p)); /* at 41 ms: paid one */
    assert_int_equal(lg_pacer_reserve(&p, 41000), 61000);
    assert_true(lg_pacer_settle(&p)); /* at 61 ms: paid the other */
    assert_int_equal(lg_pacer_reserve(&p, 61000), 81000);
    assert_false(lg_pacer_settle(&p)); /* at 81 ms: its own turn */
}

#define THREADS 4
#define PER_THREAD 5000

struct race {
    struct lg_pacer *p;
    int64_t got[PER_THREAD];
};

static void *reserve_many(void *arg)
{
    struct race *r = arg;
    for (int i = 0; i < PER_THREAD; i++)
        r->got[i] = lg_pacer_reserve(r->p, 0);
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void test_pacer_threads_get_distinct_instants(void **state)
{
    struct lg_pacer p;
    lg_pacer_init(&p, 1000); /* 1 ms apart */
    struct race *r = calloc(THREADS, sizeof(*r));
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        r[i].p = &p;
        assert_int_equal(pthread_create(&t[i], NULL, reserve_many, &r[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    int64_t *all = calloc(THREADS * PER_THREAD, sizeof(*all));
    for (int i = 0; i < THREADS; i++)
        for (int k = 0; k < PER_THREAD; k++)
            all[i * PER_THREAD + k] = r[i].got[k];
    qsort(all, THREADS * PER_THREAD, sizeof(*all), cmp_i64);
    for (int i = 0; i < THREADS * PER_THREAD; i++)
        assert_int_equal(all[i], (int64_t)i * 1000);
    free(all);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pacer_spaces_requests_evenly),
        cmocka_unit_test(test_pacer_gives_no_burst_after_idling),
        cmocka_unit_test(test_pacer_rounds_the_interval_up),
        cmocka_unit_test(test_pacer_extra_takes_a_free_turn_or_the_next),
        cmocka_unit_test(test_pacer_threads_get_distinct_instants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
