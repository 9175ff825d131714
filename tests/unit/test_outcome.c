/* Unit tests for outcome: the verdict and the result built from hand-recorded
 * metrics over a hand-built suite, above all the smoke profile's rule (every failed
 * check or request fails the gate even when every threshold holds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gate.h"
#include "outcome.h"
#include "util.h"

/* ---- a one-step suite ---- */

/*   health: get  2 checks ("status in 200", "tls >= 1.2") */
struct fixture {
    struct lg_suite suite;
    struct lg_scenario scen;
    struct lg_step step;
    struct lg_step *flat[1];
    struct lg_check checks[2];
    struct lg_threshold th[1];
    struct lg_run_report rep;
};

static int setup(void **state)
{
    struct fixture *f = lg_calloc(1, sizeof(*f));
    f->checks[0] = (struct lg_check){.kind = LG_CHECK_STATUS, .label = (char *)"status in 200"};
    f->checks[1] = (struct lg_check){.kind = LG_CHECK_TLS,
                                     .op = LG_OP_GTE,
                                     .label = (char *)"tls >= 1.2",
                                     .tls_min_version = 0x0303};
    f->step = (struct lg_step){.name = (char *)"get", .checks = f->checks, .n_checks = 2};
    f->flat[0] = &f->step;
    f->scen = (struct lg_scenario){.name = (char *)"health", .steps = &f->step, .n_steps = 1};
    f->suite = (struct lg_suite){.name = (char *)"trivia",
                                 .scenarios = &f->scen,
                                 .n_scenarios = 1,
                                 .steps = f->flat,
                                 .n_steps = 1};
    char err[128];
    int off;
    if (lg_threshold_parse("p95(latency) < 1s", &f->th[0], err, sizeof(err), &off))
        fail_msg("%s at %d", err, off);
    lg_metrics_init(&f->rep.metrics, &f->suite);
    f->rep.duration_s = 2;
    f->rep.started_wall_ms = 1700000000000LL;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    lg_metrics_free(&f->rep.metrics);
    lg_threshold_clear(&f->th[0]);
    free(f);
    return 0;
}

/* One request of 20ms; both checks evaluated, the second one as given. */
static void request(struct fixture *f, enum lg_errclass err, bool tls_ok)
{
    struct lg_sample s = {.status = err == LG_ERRC_TIMEOUT ? 0 : 200,
                          .err = err,
                          .total_us = 20000,
                          .ttfb_us = 15000};
    lg_metrics_record(&f->rep.metrics, 0, &s);
    if (err == LG_ERRC_TIMEOUT)
        return;
    lg_metrics_check(&f->rep.metrics, 0, 0, true);
    lg_metrics_check(&f->rep.metrics, 0, 1, tls_ok);
}

static struct lg_result *build(struct fixture *f, const char *profile, size_t n_th)
{
    struct lg_outcome_info info = {
        .file = "suite.yaml", .env = "local", .profile = profile, .vus = 1};
    return lg_outcome_build(&f->suite, f->th, n_th, &f->rep, &info);
}

/* ---- the smoke rule ---- */

static void test_outcome_smoke_failed_check_fails_despite_thresholds(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    request(f, LG_ERRC_CHECK, false); /* "tls >= 1.2" failed once */
    struct lg_result *r = build(f, "smoke", 1);
    assert_int_equal(r->n_thresholds, 1);
    assert_true(r->thresholds[0].ok); /* p95 20ms < 1s */
    assert_false(r->default_gate);
    assert_true(r->smoke_rule);
    assert_int_equal(r->checks_failed, 1);
    assert_int_equal(r->steps[0].checks[1].failed, 1);
    assert_string_equal(r->steps[0].checks[1].label, "tls >= 1.2");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    assert_int_equal(lg_outcome_exit_code(r->verdict), 1);
    lg_result_free(r);

    /* The same run in another profile: the thresholds decide. */
    r = build(f, "load", 1);
    assert_false(r->smoke_rule);
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    lg_result_free(r);
    r = build(f, NULL, 1);
    assert_false(r->smoke_rule);
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    lg_result_free(r);
}

static void test_outcome_smoke_all_checks_pass(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    request(f, LG_ERRC_NONE, true);
    struct lg_result *r = build(f, "smoke", 1);
    assert_true(r->smoke_rule);
    assert_int_equal(r->checks_failed, 0);
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    lg_result_free(r);
}

static void test_outcome_smoke_failed_request_without_check(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    request(f, LG_ERRC_TIMEOUT, true); /* no response: no check evaluated */
    struct lg_result *r = build(f, "smoke", 1);
    assert_true(r->thresholds[0].ok);
    assert_int_equal(r->checks_failed, 0);
    assert_int_equal(r->errors, 1);
    assert_true(r->smoke_rule);
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);
}

static void test_outcome_smoke_with_default_gate(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    struct lg_result *r = build(f, "smoke", 0);
    assert_true(r->default_gate);
    assert_true(r->smoke_rule);
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    lg_result_free(r);
}

static void test_outcome_aborted_stays_aborted_in_smoke(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_CHECK, false);
    f->rep.aborted = true;
    snprintf(f->rep.abort_reason, sizeof(f->rep.abort_reason), "interrupted by SIGINT");
    struct lg_result *r = build(f, "smoke", 1);
    assert_true(r->smoke_rule);
    assert_int_equal(r->verdict, LG_VERDICT_ABORTED);
    assert_string_equal(r->abort_reason, "interrupted by SIGINT");
    lg_result_free(r);
}

/* Each check's reasons reach the result, most frequent first then by text, whatever
 * order the metrics hold them in; a check that never failed has none. */
static void test_outcome_check_reasons_reach_the_result(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics *m = &f->rep.metrics;
    const char *seen[] = {"TLS 1.0 is below 1.2", "not HTTPS", "TLS 1.1 is below 1.2",
                          "TLS 1.1 is below 1.2", "not HTTPS"};
    for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
        struct lg_sample s = {.status = 200, .err = LG_ERRC_CHECK, .total_us = 1000};
        lg_metrics_record(m, 0, &s);
        lg_metrics_check(m, 0, 0, true);
        lg_metrics_check_failed(m, 0, 1, seen[i]);
    }
    struct lg_result *r = build(f, NULL, 0);
    const struct lg_result_check *c = &r->steps[0].checks[1];
    assert_int_equal(c->failed, 5);
    assert_int_equal(c->n_reasons, 3);
    assert_string_equal(c->reasons[0].name, "TLS 1.1 is below 1.2");
    assert_int_equal(c->reasons[0].count, 2);
    assert_string_equal(c->reasons[1].name, "not HTTPS");
    assert_int_equal(c->reasons[1].count, 2);
    assert_string_equal(c->reasons[2].name, "TLS 1.0 is below 1.2");
    assert_int_equal(c->reasons[2].count, 1);
    assert_int_equal(r->steps[0].checks[0].n_reasons, 0);
    assert_null(r->steps[0].checks[0].reasons);
    lg_result_free(r);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_outcome_smoke_failed_check_fails_despite_thresholds),
        T(test_outcome_smoke_all_checks_pass),
        T(test_outcome_smoke_failed_request_without_check),
        T(test_outcome_smoke_with_default_gate),
        T(test_outcome_aborted_stays_aborted_in_smoke),
        T(test_outcome_check_reasons_reach_the_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
