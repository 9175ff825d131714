/* Unit tests for outcome: the verdict and the result built from hand-recorded
 * metrics over a hand-built suite: the rules beside the thresholds (the strict
 * default gate, the failures rule, the no-response rule, the smoke profile's rule),
 * each with the sentence it leaves in the result, and unsent requests and a spent
 * unique feed as the result reports them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feeder.h"
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
    struct lg_threshold th[4];
    size_t n_th;
    struct lg_run_report rep;
};

/* Replaces the fixture's thresholds with the given expressions (NULL-terminated);
 * a leading '!' makes one a warning. */
static void thresholds(struct fixture *f, ...)
{
    for (size_t i = 0; i < f->n_th; i++)
        lg_threshold_clear(&f->th[i]);
    f->n_th = 0;
    va_list ap;
    va_start(ap, f);
    for (const char *e; (e = va_arg(ap, const char *)) != NULL;) {
        bool warning = e[0] == '!';
        char err[128];
        int off;
        assert_true(f->n_th < sizeof(f->th) / sizeof(f->th[0]));
        if (lg_threshold_parse(e + warning, &f->th[f->n_th], err, sizeof(err), &off))
            fail_msg("%s: %s at %d", e, err, off);
        if (warning)
            f->th[f->n_th].severity = LG_SEV_WARNING;
        f->n_th++;
    }
    va_end(ap);
}

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
    thresholds(f, "p95(latency) < 1s", NULL);
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
    thresholds(f, NULL);
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

/* n requests that got no response, of class err (connect, reset, ...). */
static void no_response(struct fixture *f, enum lg_errclass err, int n)
{
    for (int i = 0; i < n; i++) {
        struct lg_sample s = {.status = 0, .err = err, .total_us = 40};
        lg_metrics_record(&f->rep.metrics, 0, &s);
    }
}

static struct lg_result *build(struct fixture *f, const char *profile, size_t n_th)
{
    struct lg_outcome_info info = {
        .file = "suite.yaml", .env = "local", .profile = profile, .vus = 1};
    return lg_outcome_build(&f->suite, f->th, n_th, &f->rep, &info);
}

/* The result's rule called name, or NULL. */
static const struct lg_result_rule *rule(const struct lg_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_rules; i++)
        if (!strcmp(r->rules[i].name, name))
            return &r->rules[i];
    return NULL;
}

static void assert_rule(const struct lg_result *r, const char *name, bool ok, const char *text)
{
    const struct lg_result_rule *u = rule(r, name);
    if (!u)
        fail_msg("no rule '%s'", name);
    assert_string_equal(u->text, text);
    assert_int_equal(u->ok, ok);
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

    /* The same run in another profile, with only a latency threshold: the failures
     * rule sees the failed check. */
    r = build(f, "load", 1);
    assert_false(r->smoke_rule);
    assert_null(rule(r, LG_RULE_SMOKE));
    assert_non_null(rule(r, LG_RULE_FAILURES));
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);
    /* With a threshold on checks, that threshold judges the failed check. */
    thresholds(f, "p95(latency) < 1s", "checks > 70%", NULL);
    r = build(f, NULL, 2);
    assert_false(r->smoke_rule);
    assert_true(r->thresholds[1].ok); /* 3 of 4 checks passed */
    assert_rule(r, LG_RULE_FAILURES, true,
                "no critical threshold on error_rate covers the whole run, so any failed request "
                "fails the gate "
                "(failed checks are left to the checks threshold): no request failed");
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
    assert_rule(r, LG_RULE_SMOKE, true, "every check and every request must pass: none failed");
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
    assert_rule(r, LG_RULE_SMOKE, false,
                "every check and every request must pass: 1 of 2 requests failed (timeout 1)");
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

/* ---- time metrics and the no-response rule ---- */

/* The dead service: every request refused, a latency-only threshold. The
 * threshold has no sample (refusals are not latencies), the failures rule and the
 * no-response rule fail, and each says why. */
static void test_outcome_dead_service_fails_latency_only_gate(void **state)
{
    struct fixture *f = *state;
    no_response(f, LG_ERRC_CONNECT, 1200);
    struct lg_result *r = build(f, NULL, 1);
    assert_int_equal(r->requests, 1200);
    assert_int_equal(r->errors, 1200);
    assert_true(r->thresholds[0].no_samples);
    assert_false(r->thresholds[0].ok);
    assert_int_equal(r->steps[0].histogram->total_count, 0);
    assert_true(r->steps[0].latency_ms.p95 == 0);
    assert_false(r->default_gate);
    assert_int_equal(r->n_rules, 2);
    assert_string_equal(r->rules[0].name, LG_RULE_FAILURES);
    assert_string_equal(r->rules[1].name, LG_RULE_NO_RESPONSE);
    assert_rule(r, LG_RULE_FAILURES, false,
                "no critical threshold on error_rate or checks covers the whole run, so any failed "
                "request fails "
                "the gate: 1,200 of 1,200 requests failed (connect 1,200)");
    assert_rule(r, LG_RULE_NO_RESPONSE, false,
                "no request got a response: 1,200 sent, none answered (connect 1,200)");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);
}

/* No response at all fails whatever the thresholds say, even thresholds that a
 * dead service meets (an error rate allowed up to 100%, a count). */
static void test_outcome_no_response_fails_whatever_the_thresholds(void **state)
{
    struct fixture *f = *state;
    no_response(f, LG_ERRC_RESET, 3);
    struct lg_sample slow = {.status = 0, .err = LG_ERRC_TIMEOUT, .total_us = 2000000};
    lg_metrics_record(&f->rep.metrics, 0, &slow);
    thresholds(f, "error_rate <= 100%", "count(latency) >= 0", NULL);
    struct lg_result *r = build(f, NULL, 2);
    assert_true(r->thresholds[0].ok);
    assert_true(r->thresholds[1].ok);
    assert_int_equal(r->thresholds[1].observed, 1); /* the timeout is the only sample */
    assert_rule(r, LG_RULE_FAILURES, true,
                "error_rate judges the failed requests; what it cannot count still fails the "
                "gate (unsent requests, dropped iterations, a spent feed): none");
    assert_int_equal(r->n_rules, 2);
    assert_rule(r, LG_RULE_NO_RESPONSE, false,
                "no request got a response: 4 sent, none answered (timeout 1, reset 3)");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);

    /* One response is enough for this rule (the error rate judges the rest). */
    request(f, LG_ERRC_NONE, true);
    r = build(f, NULL, 2);
    assert_rule(r, LG_RULE_NO_RESPONSE, true, "1 of 5 requests got a response");
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    lg_result_free(r);
}

/* A run that sent nothing fails the no-response rule, also in the default gate
 * (which no longer needs a condition of its own for it). */
static void test_outcome_nothing_sent_fails(void **state)
{
    struct fixture *f = *state;
    struct lg_result *r = build(f, NULL, 0);
    assert_true(r->default_gate);
    assert_rule(r, LG_RULE_DEFAULT, true,
                "no thresholds given, so any failure fails the gate: no request, check or "
                "iteration failed");
    assert_rule(r, LG_RULE_NO_RESPONSE, false, "no request got a response: none was sent");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);
}

/* ---- the completion rule ---- */

/* Every iteration was cut short by the end of the run (an until still polling):
 * no request failed, yet no journey was verified, so the run fails, whatever the
 * thresholds say; one finished iteration is enough. Without interrupted iterations
 * the rule does not apply at all. */
static void test_outcome_completion_rule_needs_a_finished_iteration(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    lg_metrics_interrupted(&f->rep.metrics, 0, 3000000, 3000000, false, false);
    lg_metrics_interrupted(&f->rep.metrics, 0, 3000000, 3000000, false, false);
    struct lg_result *r = build(f, NULL, 1);
    assert_true(r->thresholds[0].ok);
    assert_rule(r, LG_RULE_COMPLETION, false,
                "no iteration finished: 2 interrupted by the end of the run, so no journey "
                "was verified end to end");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);

    lg_metrics_iteration(&f->rep.metrics, 0, 40000, 40000, false);
    r = build(f, NULL, 1);
    assert_rule(r, LG_RULE_COMPLETION, true,
                "1 iteration finished (2 interrupted by the end of the run)");
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    lg_result_free(r);

    lg_metrics_clear(&f->rep.metrics);
    request(f, LG_ERRC_NONE, true);
    lg_metrics_iteration(&f->rep.metrics, 0, 40000, 40000, false);
    r = build(f, NULL, 1);
    assert_null(rule(r, LG_RULE_COMPLETION));
    lg_result_free(r);
}

/* ---- the failures rule ---- */

/* A 500 under a latency-only gate: the threshold holds (the 500 is a response, and
 * fast), the failures rule does not. */
static void test_outcome_failures_rule_sees_a_5xx(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    struct lg_sample boom = {.status = 500, .err = LG_ERRC_HTTP_5XX, .total_us = 1000};
    lg_metrics_record(&f->rep.metrics, 0, &boom);
    struct lg_result *r = build(f, NULL, 1);
    assert_true(r->thresholds[0].ok);
    assert_int_equal(r->steps[0].histogram->total_count, 2);
    assert_rule(r, LG_RULE_FAILURES, false,
                "no critical threshold on error_rate or checks covers the whole run, so any failed "
                "request fails "
                "the gate: 1 of 2 requests failed (http_5xx 1)");
    assert_rule(r, LG_RULE_NO_RESPONSE, true, "2 of 2 requests got a response");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);
}

/* Which thresholds take the failures over: a critical one on error_rate over the
 * whole run takes the failed requests and checks; one on checks only the failed
 * checks; one with a filter (it sees part of the run) or a warning (it never fails
 * the gate) nothing. The rule applies whenever there are thresholds. */
static void test_outcome_failures_rule_waived_only_by_whole_run_thresholds(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    request(f, LG_ERRC_CHECK, false);
    static const struct {
        const char *expr;
        bool fails;
    } cases[] = {
        {"error_rate < 60%", false}, {"error_rate{step=get} < 60%", true},
        {"checks > 50%", false},     {"checks{step=get} > 50%", true},
        {"!error_rate < 60%", true}, {"!checks > 50%", true},
        {"rps > 0", true},           {"dropped == 0", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        thresholds(f, "p95(latency) < 1s", cases[i].expr, NULL);
        struct lg_result *r = build(f, NULL, 2);
        const struct lg_result_rule *u = rule(r, LG_RULE_FAILURES);
        if (!u)
            fail_msg("%s: the failures rule should apply", cases[i].expr);
        if (u->ok == cases[i].fails || (r->verdict == LG_VERDICT_FAIL) != cases[i].fails)
            fail_msg("%s: the rule and the verdict should %s", cases[i].expr,
                     cases[i].fails ? "fail" : "pass");
        lg_result_free(r);
    }
}

/* A threshold on checks cannot see requests that never got a response (no check
 * runs on them): a service refusing most connections fails the failures rule even
 * though every check that ran passed. */
static void test_outcome_checks_threshold_leaves_failed_requests_to_the_rule(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    no_response(f, LG_ERRC_CONNECT, 9);
    struct lg_sample boom = {.status = 503, .err = LG_ERRC_HTTP_5XX, .total_us = 900};
    lg_metrics_record(&f->rep.metrics, 0, &boom);
    lg_metrics_check(&f->rep.metrics, 0, 0, false); /* its status check failed */
    thresholds(f, "p95(latency) < 1s", "checks > 60%", NULL);
    struct lg_result *r = build(f, NULL, 2);
    assert_true(r->thresholds[0].ok);
    assert_true(r->thresholds[1].ok); /* 2 of 3 */
    assert_rule(r, LG_RULE_FAILURES, false,
                "no critical threshold on error_rate covers the whole run, so any failed request "
                "fails the gate "
                "(failed checks are left to the checks threshold): 10 of 11 requests failed "
                "(connect 9, http_5xx 1)");
    assert_rule(r, LG_RULE_NO_RESPONSE, true, "2 of 11 requests got a response");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);
}

/* Every condition of the default gate fails the failures rule too, and is named:
 * failed checks, unsent requests, dropped iterations (unless a critical `dropped`
 * threshold judges them) and a spent feed. */
static void test_outcome_failures_rule_names_each_cause(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    request(f, LG_ERRC_NONE, false); /* a check failed, the request did not */
    lg_metrics_unsent(&f->rep.metrics, 0, LG_UNSENT_UNSET);
    f->rep.metrics.dropped = 4;
    f->rep.metrics.feed_exhausted = 1;
    struct lg_result *r = build(f, NULL, 1);
    assert_rule(r, LG_RULE_FAILURES, false,
                "no critical threshold on error_rate or checks covers the whole run, so any failed "
                "request fails "
                "the gate: 1 of 4 checks failed; 1 request could not be sent; 4 iterations "
                "dropped; a unique feed ran out (1 VU stopped early)");
    lg_result_free(r);

    thresholds(f, "p95(latency) < 1s", "dropped < 10", NULL);
    r = build(f, NULL, 2);
    assert_true(r->thresholds[1].ok);
    assert_rule(r, LG_RULE_FAILURES, false,
                "no critical threshold on error_rate or checks covers the whole run, so any failed "
                "request fails "
                "the gate: 1 of 4 checks failed; 1 request could not be sent; a unique feed ran "
                "out (1 VU stopped early)");
    lg_result_free(r);

    /* The default gate names the same causes, dropped iterations included. */
    r = build(f, NULL, 0);
    assert_true(r->default_gate);
    assert_null(rule(r, LG_RULE_FAILURES));
    assert_rule(r, LG_RULE_DEFAULT, false,
                "no thresholds given, so any failure fails the gate: 1 of 4 checks failed; 1 "
                "request could not be sent; 4 iterations dropped; a unique feed ran out (1 VU "
                "stopped early)");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);
}

/* A failed iteration with nothing else behind it is named as such. */
static void test_outcome_failed_iteration_alone_is_named(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    lg_metrics_iteration(&f->rep.metrics, 0, 1000, 1000, true);
    lg_metrics_iteration(&f->rep.metrics, 0, 1000, 1000, false);
    struct lg_result *r = build(f, NULL, 0);
    assert_rule(r, LG_RULE_DEFAULT, false,
                "no thresholds given, so any failure fails the gate: 1 of 2 iterations "
                "failed");
    lg_result_free(r);
}

/* ---- unsent requests ---- */

/* Requests that could not be sent are no requests: not in requests, errors, rps or
 * error_rate, nor in a step's status map; counted apart per step and in total. */
static void test_outcome_unsent_counted_apart(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    request(f, LG_ERRC_NONE, true);
    for (int i = 0; i < 6; i++)
        lg_metrics_unsent(&f->rep.metrics, 0, LG_UNSENT_UNSET);
    thresholds(f, "error_rate < 1%", "rps <= 1", NULL);
    struct lg_result *r = build(f, NULL, 2);
    assert_int_equal(r->requests, 2);
    assert_int_equal(r->errors, 0);
    assert_int_equal(r->unsent, 6);
    assert_true(r->rps == 1.0); /* 2 requests in 2s */
    assert_int_equal(r->steps[0].requests, 2);
    assert_int_equal(r->steps[0].unsent, 6);
    assert_int_equal(r->steps[0].n_status, 1);
    assert_string_equal(r->steps[0].status[0].name, "200");
    assert_int_equal(r->n_error_classes, 0);
    assert_true(r->thresholds[0].ok);
    assert_true(r->thresholds[0].observed == 0);
    assert_true(r->thresholds[1].ok);
    lg_result_free(r);
}

/* ---- a spent unique feed ---- */

static void test_outcome_spent_feed_is_named_and_fails_default_gate(void **state)
{
    struct fixture *f = *state;
    static const char csv[] = "email\na@x\nb@x\n";
    struct lg_feed *feed = NULL;
    struct lg_feed_err ferr;
    assert_int_equal(lg_feed_parse("users", csv, sizeof(csv) - 1, &feed, &ferr), 0);
    feed->mode = LG_FEED_UNIQUE;
    struct lg_feed *feeds[1] = {feed};
    f->suite.feeds = feeds;
    f->suite.n_feeds = 1;
    size_t row;
    struct lg_rng rng;
    lg_rng_seed(&rng, 1);
    request(f, LG_ERRC_NONE, true);
    request(f, LG_ERRC_NONE, true);

    /* Both rows used, none asked past the last: not spent. */
    assert_int_equal(lg_feed_take(feed, &rng, &row), 0);
    assert_int_equal(lg_feed_take(feed, &rng, &row), 0);
    struct lg_result *r = build(f, NULL, 0);
    assert_int_equal(r->feed_exhausted, 0);
    assert_null(r->feed_note);
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    lg_result_free(r);

    /* Two VUs asked for a third row. */
    assert_int_equal(lg_feed_take(feed, &rng, &row), LG_FEED_EXHAUSTED);
    assert_int_equal(lg_feed_take(feed, &rng, &row), LG_FEED_EXHAUSTED);
    f->rep.metrics.feed_exhausted = 2;
    r = build(f, NULL, 0);
    assert_int_equal(r->feed_exhausted, 2);
    assert_string_equal(r->feed_note,
                        "the unique feed 'users' (2 rows) ran out: 2 VUs could not start another "
                        "iteration and stopped before the end of the run; give it more rows, or "
                        "ask for at most that many iterations");
    assert_rule(r, LG_RULE_DEFAULT, false,
                "no thresholds given, so any failure fails the gate: a unique feed ran out "
                "(2 VUs stopped early)");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);

    /* A threshold on error_rate takes the failed requests over, but it cannot count a
     * spent feed: that still fails the gate. */
    thresholds(f, "error_rate < 1%", NULL);
    r = build(f, NULL, 1);
    assert_true(r->thresholds[0].ok);
    assert_non_null(r->feed_note);
    assert_rule(r, LG_RULE_FAILURES, false,
                "error_rate judges the failed requests; what it cannot count still fails the "
                "gate (unsent requests, dropped iterations, a spent feed): a unique feed ran out "
                "(2 VUs stopped early)");
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    lg_result_free(r);
    f->suite.feeds = NULL;
    f->suite.n_feeds = 0;
    lg_feed_free(feed);
}

/* ---- per-step phases ---- */

/* ttfb over the timed requests, dns/connect/tls over the connections opened, from
 * every status cell; a phase with no sample has count 0 and zero figures. */
static void test_outcome_step_phases_from_every_cell(void **state)
{
    struct fixture *f = *state;
    struct lg_sample s = {.status = 200,
                          .total_us = 20000,
                          .ttfb_us = 15000,
                          .new_conn = true,
                          .dns_us = 300,
                          .connect_us = 200,
                          .tls_us = 4000};
    lg_metrics_record(&f->rep.metrics, 0, &s);
    s = (struct lg_sample){.status = 200, .total_us = 10000, .ttfb_us = 9000}; /* reused */
    lg_metrics_record(&f->rep.metrics, 0, &s);
    s = (struct lg_sample){.status = 503,
                           .err = LG_ERRC_HTTP_5XX,
                           .total_us = 6000,
                           .ttfb_us = 5000,
                           .new_conn = true,
                           .dns_us = 100,
                           .connect_us = 400,
                           .tls_us = 2000};
    lg_metrics_record(&f->rep.metrics, 0, &s);
    no_response(f, LG_ERRC_CONNECT, 2); /* no connection, no time sample */
    struct lg_result *r = build(f, NULL, 0);
    const struct lg_result_step *st = &r->steps[0];
    assert_int_equal(st->ttfb_n, 3);
    assert_true(st->ttfb_ms.min == 5.0 && st->ttfb_ms.max == 15.007);
    assert_int_equal(st->dns_n, 2);
    assert_true(st->dns_ms.min == 0.1 && st->dns_ms.max == 0.3);
    assert_int_equal(st->connect_n, 2);
    assert_true(st->connect_ms.min == 0.2 && st->connect_ms.max == 0.4);
    assert_int_equal(st->tls_n, 2);
    /* 4000us is in a bucket 2us wide: HdrHistogram reports its highest value */
    assert_true(st->tls_ms.p50 == 2.0 && st->tls_ms.max == 4.001 && st->tls_ms.mean == 3.001);
    lg_result_free(r);
}

/* Plain HTTP over a reused connection: no handshake, no phase sample at all. */
static void test_outcome_step_phases_empty(void **state)
{
    struct fixture *f = *state;
    request(f, LG_ERRC_NONE, true);
    struct lg_result *r = build(f, NULL, 0);
    const struct lg_result_step *st = &r->steps[0];
    assert_int_equal(st->ttfb_n, 1);
    assert_true(st->ttfb_ms.p99 == 15.007);
    assert_int_equal(st->dns_n + st->connect_n + st->tls_n, 0);
    assert_true(st->tls_ms.max == 0 && st->connect_ms.mean == 0 && st->dns_ms.p50 == 0);
    lg_result_free(r);
}

/* A comparison by hand: the overall row and the step cmp/board, p95 judged `p95`,
 * error_rate judged `err` on both. */
static struct lg_comparison *comparison(enum lg_cmp_status p95, enum lg_cmp_status err)
{
    struct lg_comparison *c = lg_calloc(1, sizeof(*c));
    lg_compare_opts_init(&c->opts);
    c->opts.metrics = 1u << LG_CMP_P95 | 1u << LG_CMP_ERROR_RATE;
    c->n_rows = 1;
    c->rows = lg_calloc(1, sizeof(*c->rows));
    c->rows[0].scenario = lg_strdup("cmp");
    c->rows[0].step = lg_strdup("board");
    struct lg_cmp_row *rows[] = {&c->overall, &c->rows[0]};
    for (size_t i = 0; i < 2; i++) {
        struct lg_cmp_cell *cell = &rows[i]->cells[LG_CMP_P95];
        *cell = (struct lg_cmp_cell){.has_base = true,
                                     .has_new = true,
                                     .base = 100,
                                     .new = 130,
                                     .base_bounds = {true, true, 99, 101},
                                     .new_bounds = {true, false, 128, 0},
                                     .status = p95};
        rows[i]->cells[LG_CMP_ERROR_RATE] =
            (struct lg_cmp_cell){.has_base = true,
                                 .has_new = true,
                                 .base_bounds = {true, true, 0, 0.009},
                                 .status = err};
    }
    return c;
}

static struct lg_result *judged(enum lg_verdict v, enum lg_cmp_status p95, enum lg_cmp_status err,
                                bool critical)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r)), *base = lg_calloc(1, sizeof(*base));
    r->verdict = v;
    base->started_at = lg_strdup("2026-12-01T10:00:00Z");
    struct lg_comparison *c = comparison(p95, err);
    lg_outcome_apply_baseline(r, base, c, "accepted/result.json", critical);
    lg_comparison_free(c);
    lg_result_free(base);
    return r;
}

/* A regression fails the gate when critical and names each metric; every judged
 * metric of every row is recorded, overall first, with its figures and bounds. */
static void test_outcome_baseline_regression_fails_when_critical(void **state)
{
    (void)state;
    struct lg_result *r = judged(LG_VERDICT_PASS, LG_CMP_REGRESSION, LG_CMP_INCONCLUSIVE, true);
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    assert_int_equal(r->n_rules, 1);
    assert_string_equal(r->rules[0].name, LG_RULE_BASELINE);
    assert_false(r->rules[0].ok);
    assert_string_equal(r->rules[0].text,
                        "judged against accepted/result.json (2026-12-01T10:00:00Z), budget 10% "
                        "at 99% confidence: 2 regressions (overall p95, cmp/board p95); 2 "
                        "inconclusive, too few samples to tell (overall error_rate, cmp/board "
                        "error_rate), which never fails the gate");
    assert_true(r->baseline.has);
    assert_string_equal(r->baseline.file, "accepted/result.json");
    assert_string_equal(r->baseline.started_at, "2026-12-01T10:00:00Z");
    assert_string_equal(r->baseline.severity, "critical");
    assert_true(r->baseline.budget == 0.1 && r->baseline.confidence == 0.99);
    assert_int_equal(r->n_regressions, 4);
    const struct lg_result_regression *g = &r->regressions[0];
    assert_null(g->scenario);
    assert_null(g->step);
    assert_string_equal(g->metric, "p95");
    assert_string_equal(g->status, "regression");
    assert_true(g->has_base && g->has_new && g->base == 100 && g->new == 130);
    assert_true(g->has_base_lo && g->has_base_hi && g->base_lo == 99 && g->base_hi == 101);
    assert_true(g->has_new_lo && !g->has_new_hi && g->new_lo == 128 && g->new_hi == 0);
    assert_string_equal(r->regressions[1].metric, "error_rate");
    assert_string_equal(r->regressions[1].status, "inconclusive");
    assert_string_equal(r->regressions[2].scenario, "cmp");
    assert_string_equal(r->regressions[2].step, "board");
    assert_string_equal(r->regressions[3].metric, "error_rate");
    lg_result_free(r);
}

/* The baseline's histograms are kept for report.html's curves: every step of the
 * baseline merged, and each step of the comparison's rows (both runs have it) on its
 * own; a row the baseline lacks (a comparison made by hand) gets an empty one. */
static void test_outcome_baseline_keeps_histograms(void **state)
{
    (void)state;
    struct lg_result *r = lg_calloc(1, sizeof(*r)), *base = lg_calloc(1, sizeof(*base));
    base->n_steps = 3;
    base->steps = lg_calloc(3, sizeof(*base->steps));
    const char *names[][2] = {{"cmp", "health"}, {"cmp", "board"}, {"old", "gone"}};
    const int64_t lo[] = {1, 200, 5000}, hi[] = {100, 300, 5009};
    for (size_t i = 0; i < 3; i++) {
        base->steps[i].scenario = lg_strdup(names[i][0]);
        base->steps[i].name = lg_strdup(names[i][1]);
        base->steps[i].histogram = lg_hist_new();
        for (int64_t v = lo[i]; v <= hi[i]; v++)
            lg_hist_record(base->steps[i].histogram, v);
    }
    struct lg_comparison *c = comparison(LG_CMP_OK, LG_CMP_OK);
    lg_outcome_apply_baseline(r, base, c, "accepted/result.json", true);
    assert_non_null(r->baseline.histogram);
    assert_int_equal(r->baseline.histogram->total_count, 100 + 101 + 10);
    assert_int_equal(lg_hist_min(r->baseline.histogram), 1);
    assert_int_equal(lg_hist_max(r->baseline.histogram), 5011); /* 5,009 in a bucket of 4us */
    assert_int_equal(r->baseline.n_steps, 1);
    assert_string_equal(r->baseline.steps[0].scenario, "cmp");
    assert_string_equal(r->baseline.steps[0].step, "board");
    assert_int_equal(r->baseline.steps[0].histogram->total_count, 101);
    assert_int_equal(lg_hist_min(r->baseline.steps[0].histogram), 200);
    lg_result_free(r);

    free(base->steps[1].name);
    base->steps[1].name = lg_strdup("renamed");
    r = lg_calloc(1, sizeof(*r));
    lg_outcome_apply_baseline(r, base, c, "accepted/result.json", true);
    assert_int_equal(r->baseline.n_steps, 1);
    assert_int_equal(r->baseline.steps[0].histogram->total_count, 0);
    lg_result_free(r);
    lg_comparison_free(c);
    lg_result_free(base);

    /* a baseline without a step: an empty histogram, never NULL */
    base = lg_calloc(1, sizeof(*base));
    r = lg_calloc(1, sizeof(*r));
    c = comparison(LG_CMP_OK, LG_CMP_OK);
    lg_outcome_apply_baseline(r, base, c, "accepted/result.json", true);
    assert_non_null(r->baseline.histogram);
    assert_int_equal(r->baseline.histogram->total_count, 0);
    lg_result_free(r);
    lg_comparison_free(c);
    lg_result_free(base);
}

/* A warning reports the regression and passes; inconclusive alone never fails; an
 * aborted run stays aborted, and one that failed otherwise stays failed. */
static void test_outcome_baseline_warning_inconclusive_and_aborted(void **state)
{
    (void)state;
    struct lg_result *r = judged(LG_VERDICT_PASS, LG_CMP_REGRESSION, LG_CMP_OK, false);
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    assert_true(r->rules[0].ok);
    assert_string_equal(r->baseline.severity, "warning");
    assert_string_equal(r->rules[0].text,
                        "judged against accepted/result.json (2026-12-01T10:00:00Z), budget 10% "
                        "at 99% confidence: 2 regressions (overall p95, cmp/board p95), reported "
                        "only (severity warning)");
    lg_result_free(r);

    r = judged(LG_VERDICT_PASS, LG_CMP_INCONCLUSIVE, LG_CMP_INCONCLUSIVE, true);
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    assert_true(r->rules[0].ok);
    lg_result_free(r);

    r = judged(LG_VERDICT_PASS, LG_CMP_OK, LG_CMP_IMPROVED, true);
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    assert_string_equal(r->rules[0].text,
                        "judged against accepted/result.json (2026-12-01T10:00:00Z), budget 10% "
                        "at 99% confidence: no regression");
    lg_result_free(r);

    r = judged(LG_VERDICT_ABORTED, LG_CMP_REGRESSION, LG_CMP_OK, true);
    assert_int_equal(r->verdict, LG_VERDICT_ABORTED);
    assert_false(r->rules[0].ok);
    lg_result_free(r);

    r = judged(LG_VERDICT_FAIL, LG_CMP_OK, LG_CMP_OK, true);
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    assert_true(r->rules[0].ok);
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
        T(test_outcome_completion_rule_needs_a_finished_iteration),
        T(test_outcome_dead_service_fails_latency_only_gate),
        T(test_outcome_no_response_fails_whatever_the_thresholds),
        T(test_outcome_nothing_sent_fails),
        T(test_outcome_failures_rule_sees_a_5xx),
        T(test_outcome_failures_rule_waived_only_by_whole_run_thresholds),
        T(test_outcome_checks_threshold_leaves_failed_requests_to_the_rule),
        T(test_outcome_failures_rule_names_each_cause),
        T(test_outcome_failed_iteration_alone_is_named),
        T(test_outcome_unsent_counted_apart),
        T(test_outcome_spent_feed_is_named_and_fails_default_gate),
        T(test_outcome_step_phases_from_every_cell),
        T(test_outcome_step_phases_empty),
        T(test_outcome_baseline_regression_fails_when_critical),
        T(test_outcome_baseline_warning_inconclusive_and_aborted),
        T(test_outcome_baseline_keeps_histograms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
