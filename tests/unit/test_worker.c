/* Unit tests for worker: the sizing of each VU's receive buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "worker.h"

static void test_worker_recv_buffer_full_size_for_small_runs(void **state)
{
    assert_int_equal(lg_recv_buffer_size(0), 16384);
    assert_int_equal(lg_recv_buffer_size(1), 16384);
    assert_int_equal(lg_recv_buffer_size(50), 16384);
    assert_int_equal(lg_recv_buffer_size(512), 16384);
}

static void test_worker_recv_buffer_halves_as_vus_double(void **state)
{
    assert_int_equal(lg_recv_buffer_size(513), 8192);
    assert_int_equal(lg_recv_buffer_size(1000), 8192);
    assert_int_equal(lg_recv_buffer_size(1024), 8192);
    assert_int_equal(lg_recv_buffer_size(1025), 4096);
    assert_int_equal(lg_recv_buffer_size(4096), 2048);
}

static void test_worker_recv_buffer_never_below_libcurl_minimum(void **state)
{
    assert_int_equal(lg_recv_buffer_size(4097), 1024);
    assert_int_equal(lg_recv_buffer_size(10000), 1024);
    assert_int_equal(lg_recv_buffer_size(UINT32_MAX), 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_recv_buffer_full_size_for_small_runs),
        cmocka_unit_test(test_worker_recv_buffer_halves_as_vus_double),
        cmocka_unit_test(test_worker_recv_buffer_never_below_libcurl_minimum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
