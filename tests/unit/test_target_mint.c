/* Unit tests for loadgate-target's mint state machine (tools/target/mint.c): the
 * status as a function of elapsed time, the failure share, a stuck mint, and the
 * transaction hash pinned against python3 hashlib. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mint.h"

#define MS INT64_C(1000)

static void test_target_mint_moves_pending_submitted_confirmed(void **state)
{
    const int64_t delay = 2000 * MS;
    assert_int_equal(lg_mint_status_at(0, delay, 0, 0), LG_MINT_PENDING);
    assert_int_equal(lg_mint_status_at(999 * MS, delay, 0, 0), LG_MINT_PENDING);
    assert_int_equal(lg_mint_status_at(1000 * MS, delay, 0, 0), LG_MINT_SUBMITTED);
    assert_int_equal(lg_mint_status_at(1999 * MS, delay, 0, 0), LG_MINT_SUBMITTED);
    assert_int_equal(lg_mint_status_at(2000 * MS, delay, 0, 0), LG_MINT_CONFIRMED);
    assert_int_equal(lg_mint_status_at(3600000 * MS, delay, 0, 0), LG_MINT_CONFIRMED);
    assert_string_equal(lg_mint_status_name(LG_MINT_PENDING), "pending");
    assert_string_equal(lg_mint_status_name(LG_MINT_SUBMITTED), "submitted");
    assert_string_equal(lg_mint_status_name(LG_MINT_CONFIRMED), "confirmed");
    assert_string_equal(lg_mint_status_name(LG_MINT_FAILED), "failed");
}

static void test_target_mint_zero_delay_confirms_at_once(void **state)
{
    assert_int_equal(lg_mint_status_at(0, 0, 0, 0), LG_MINT_CONFIRMED);
}

static void test_target_mint_failed_by_share(void **state)
{
    /* A failing mint goes through the same pending and submitted phases. */
    assert_int_equal(lg_mint_status_at(500 * MS, 2000 * MS, 1, 0), LG_MINT_PENDING);
    assert_int_equal(lg_mint_status_at(1500 * MS, 2000 * MS, 1, 0), LG_MINT_SUBMITTED);
    assert_int_equal(lg_mint_status_at(2000 * MS, 2000 * MS, 1, 0), LG_MINT_FAILED);
    /* The share decides on a uniform draw: exactly the draws below it fail. */
    assert_false(lg_mint_decide_fail(0.0, 0.0));
    assert_false(lg_mint_decide_fail(0.999, 0.0));
    assert_true(lg_mint_decide_fail(0.0, 1.0));
    assert_true(lg_mint_decide_fail(0.999, 1.0));
    assert_true(lg_mint_decide_fail(0.24, 0.25));
    assert_false(lg_mint_decide_fail(0.25, 0.25));
    int fails = 0;
    for (int i = 0; i < 1000; i++)
        fails += lg_mint_decide_fail(i / 1000.0, 0.1);
    assert_int_equal(fails, 100);
}

static void test_target_mint_stuck_stays_pending(void **state)
{
    assert_int_equal(lg_mint_status_at(0, 2000 * MS, 0, 1), LG_MINT_PENDING);
    assert_int_equal(lg_mint_status_at(1500 * MS, 2000 * MS, 0, 1), LG_MINT_PENDING);
    assert_int_equal(lg_mint_status_at(3600000 * MS, 2000 * MS, 1, 1), LG_MINT_PENDING);
}

static void test_target_mint_tx_hash_pinned(void **state)
{
    char hash[65];
    /* python3 -c "import hashlib; print(hashlib.sha256(b'tx:m-0000000000000001').hexdigest())" */
    lg_mint_tx_hash("m-0000000000000001", hash);
    assert_string_equal(hash, "b674ba64d6888edbad23e2da23f619484cca5486ab7ed09e236ddd277571b840");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_mint_moves_pending_submitted_confirmed),
        cmocka_unit_test(test_target_mint_zero_delay_confirms_at_once),
        cmocka_unit_test(test_target_mint_failed_by_share),
        cmocka_unit_test(test_target_mint_stuck_stays_pending),
        cmocka_unit_test(test_target_mint_tx_hash_pinned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
