/* Unit tests for loadgate-target's fault rules (tools/target/faults.c): parsing,
 * longest-prefix matching with "*" as the fallback, and the delay draws. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "faults.h"

static void test_target_faults_parse(void **state)
{
    struct lg_fault_route r;
    assert_int_equal(lg_fault_parse_route("/v1/leaderboard=50ms", 1, &r), 0);
    assert_string_equal(r.prefix, "/v1/leaderboard");
    assert_int_equal(r.lo_us, 50000);
    assert_int_equal(r.hi_us, 50000);
    assert_int_equal(lg_fault_parse_route("*=20ms..80ms", 1, &r), 0);
    assert_string_equal(r.prefix, "*");
    assert_int_equal(r.lo_us, 20000);
    assert_int_equal(r.hi_us, 80000);
    const char *bad[] = {"/x",       "=5ms",   "/x=", "/x=5", "x=5ms", "/x=80ms..20ms",
                         "/x=5ms..", "**=5ms", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(lg_fault_parse_route(bad[i], 1, &r), LG_ESYNTAX);
    assert_int_equal(lg_fault_parse_route("/x=1ms..2ms", 0, &r), LG_ESYNTAX); /* a stall */
}

static void test_target_faults_longest_prefix(void **state)
{
    struct lg_fault_route rules[3];
    assert_int_equal(lg_fault_parse_route("*=1ms", 1, &rules[0]), 0);
    assert_int_equal(lg_fault_parse_route("/v1/leaderboard/me=3ms", 1, &rules[1]), 0);
    assert_int_equal(lg_fault_parse_route("/v1/leaderboard=2ms", 1, &rules[2]), 0);
    assert_ptr_equal(lg_fault_match(rules, 3, "/v1/leaderboard/me"), &rules[1]);
    assert_ptr_equal(lg_fault_match(rules, 3, "/v1/leaderboard"), &rules[2]);
    assert_ptr_equal(lg_fault_match(rules, 3, "/health"), &rules[0]);
    assert_null(lg_fault_match(rules + 1, 2, "/health"));
}

static void test_target_faults_delay_sums_latency_and_stall(void **state)
{
    struct lg_faults f = {0};
    struct lg_rng rng;
    lg_rng_seed(&rng, 1);
    assert_int_equal(lg_fault_parse_route("/v1=10ms..20ms", 1, &f.latency[f.n_latency++]), 0);
    assert_int_equal(lg_fault_parse_route("/v1/mint=1s", 0, &f.stall[f.n_stall++]), 0);
    assert_int_equal(lg_fault_delay_us(&f, "/health", &rng), 0);
    for (int i = 0; i < 1000; i++) {
        int64_t d = lg_fault_delay_us(&f, "/v1/sessions", &rng);
        assert_true(d >= 10000 && d <= 20000);
        d = lg_fault_delay_us(&f, "/v1/mint/m-1", &rng);
        assert_true(d >= 1010000 && d <= 1020000);
    }
}

static void test_target_faults_missing_header(void **state)
{
    struct lg_faults f = {.missing_headers = {"x-frame-options"}, .n_missing_headers = 1};
    assert_true(lg_fault_header_missing(&f, "X-Frame-Options"));
    assert_false(lg_fault_header_missing(&f, "X-Content-Type-Options"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_faults_parse),
        cmocka_unit_test(test_target_faults_longest_prefix),
        cmocka_unit_test(test_target_faults_delay_sums_latency_and_stall),
        cmocka_unit_test(test_target_faults_missing_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
