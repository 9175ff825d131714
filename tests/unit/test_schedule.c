/* Unit tests for schedule: arrival instants of constant and ramped rates, VU
 * targets of stages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "schedule.h"
#include "slice.h"

static void test_schedule_constant_rate_arrivals(void **state)
{
    struct lg_schedule s;
    lg_schedule_init(&s, 50, NULL, 0, 1000000); /* 50/s for 1 s */
    assert_int_equal(lg_schedule_arrivals(&s), 50);
    assert_int_equal(lg_schedule_arrival_us(&s, 0), 10000);
    assert_int_equal(lg_schedule_arrival_us(&s, 1), 30000);
    assert_int_equal(lg_schedule_arrival_us(&s, 49), 990000);
    assert_int_equal(lg_schedule_arrival_us(&s, 50), -1);
    assert_true(lg_schedule_value(&s, 500000) == 50);
    assert_true(lg_schedule_value(&s, 1000000) == 0);
    lg_schedule_free(&s);
}

static void test_schedule_ramp_from_zero(void **state)
{
    /* 0 -> 100/s over 2 s: A(t) = 25 t^2, 100 arrivals; arrival i at
     * sqrt((i + 0.5) / 25) s */
    struct lg_stage st[] = {{.duration_us = 2000000, .target = 100}};
    struct lg_schedule s;
    lg_schedule_init(&s, 0, st, 1, 0);
    assert_int_equal(s.duration_us, 2000000);
    assert_int_equal(lg_schedule_arrivals(&s), 100);
    assert_int_equal(lg_schedule_arrival_us(&s, 0), 141421);   /* sqrt(0.02) */
    assert_int_equal(lg_schedule_arrival_us(&s, 99), 1994994); /* sqrt(3.98) */
    assert_int_equal(lg_schedule_arrival_us(&s, 100), -1);
    assert_true(lg_schedule_value(&s, 1000000) == 50);
    lg_schedule_free(&s);
}

static void test_schedule_ramp_hold_ramp_down(void **state)
{
    /* 0 -> 10/s in 1 s (5 arrivals), hold 2 s (20), 10 -> 0/s in 1 s (5) */
    struct lg_stage st[] = {
        {.duration_us = 1000000, .target = 10},
        {.duration_us = 2000000, .hold = true},
        {.duration_us = 1000000, .target = 0},
    };
    struct lg_schedule s;
    lg_schedule_init(&s, 0, st, 3, 0);
    assert_int_equal(s.duration_us, 4000000);
    assert_true(s.peak == 10);
    assert_int_equal(lg_schedule_arrivals(&s), 30);
    /* arrival 5 is the first of the hold: integral 5.5 = 5 + 10 t -> t = 0.05 s */
    assert_int_equal(lg_schedule_arrival_us(&s, 5), 1050000);
    assert_int_equal(lg_schedule_arrival_us(&s, 24), 2950000);
    /* in the ramp down, 10 t - 5 t^2 = 0.5 -> t = 1 - sqrt(0.9) */
    assert_int_equal(lg_schedule_arrival_us(&s, 25), 3000000 + 51317);
    assert_int_equal(lg_schedule_arrival_us(&s, 30), -1);
    lg_schedule_free(&s);
}

static void test_schedule_arrivals_are_increasing(void **state)
{
    struct lg_stage st[] = {
        {.duration_us = 3000000, .target = 1000},
        {.duration_us = 1000000, .target = 10},
        {.duration_us = 500000, .hold = true},
    };
    struct lg_schedule s;
    lg_schedule_init(&s, 5, st, 3, 0);
    uint64_t n = lg_schedule_arrivals(&s);
    int64_t prev = -1;
    for (uint64_t i = 0; i < n; i++) {
        int64_t t = lg_schedule_arrival_us(&s, i);
        assert_true(t >= prev && t < s.duration_us);
        prev = t;
    }
    assert_int_equal(lg_schedule_arrival_us(&s, n), -1);
    lg_schedule_free(&s);
}

static void test_schedule_vu_stages(void **state)
{
    struct lg_stage st[] = {
        {.duration_us = 10000000, .target = 100},
        {.duration_us = 5000000, .hold = true},
        {.duration_us = 10000000, .target = 0},
    };
    struct lg_schedule s;
    lg_schedule_init(&s, 0, st, 3, 0);
    assert_true(lg_schedule_value(&s, 0) == 0);
    assert_true(lg_schedule_value(&s, 2500000) == 25);
    assert_true(lg_schedule_value(&s, 12000000) == 100);
    assert_true(lg_schedule_value(&s, 20000000) == 50);
    assert_true(lg_schedule_value(&s, 25000000) == 0);
    assert_true(s.peak == 100);
    lg_schedule_free(&s);
}

/* --segment: segment K makes due the arrivals K - 1, K - 1 + N, ... of the whole
 * schedule, at its instants (run.c strides the index so). Over a ramp with an
 * awkward total, the N segments' arrivals sum to the whole, each index once, and
 * no two segments share an instant where the whole schedule has none twice. */
static void test_schedule_striped_arrivals_are_the_whole(void **state)
{
    /* 0 -> 37/s in 1.3 s, hold 0.7 s, 37 -> 3/s in 0.9 s */
    struct lg_stage st[] = {
        {.duration_us = 1300000, .target = 37},
        {.duration_us = 700000, .hold = true},
        {.duration_us = 900000, .target = 3},
    };
    struct lg_schedule s;
    lg_schedule_init(&s, 0, st, 3, 0);
    uint64_t all = lg_schedule_arrivals(&s);
    assert_int_equal(all, 68); /* 24.05 + 25.9 + 18 = 67.95: i + 0.5 < 67.95 */
    int64_t *whole = calloc(all, sizeof(*whole));
    for (uint64_t i = 0; i < all; i++) {
        whole[i] = lg_schedule_arrival_us(&s, i);
        assert_true(whole[i] >= 0);
        assert_true(i == 0 || whole[i] > whole[i - 1]); /* distinct instants */
    }
    for (uint32_t n = 1; n <= 7; n++) {
        unsigned char *seen = calloc(all, 1);
        uint64_t sum = 0;
        for (uint32_t k = 0; k < n; k++) {
            struct lg_slice sl = {k, n};
            uint64_t count = 0;
            for (uint64_t i = sl.index;; i += n) { /* as run.c's dispatch_due */
                int64_t at = lg_schedule_arrival_us(&s, i);
                if (at < 0)
                    break;
                assert_true(i < all);
                assert_int_equal(at, whole[i]);
                assert_int_equal(seen[i], 0);
                seen[i] = 1;
                count++;
            }
            assert_int_equal(count, lg_slice_share(sl, all));
            sum += count;
        }
        assert_int_equal(sum, all);
        free(seen);
    }
    free(whole);
    lg_schedule_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_constant_rate_arrivals),
        cmocka_unit_test(test_schedule_ramp_from_zero),
        cmocka_unit_test(test_schedule_ramp_hold_ramp_down),
        cmocka_unit_test(test_schedule_arrivals_are_increasing),
        cmocka_unit_test(test_schedule_vu_stages),
        cmocka_unit_test(test_schedule_striped_arrivals_are_the_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
