/* Unit tests for gate: the threshold grammar (every form, every error with its exact
 * message and offset), name resolution against a suite, and evaluation over
 * hand-recorded metrics with exact observed values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gate.h"
#include "util.h"

/* ---- helpers ---- */

static struct lg_threshold parse_ok(const char *expr)
{
    struct lg_threshold t;
    char err[256] = "";
    int off = -1;
    int rc = lg_threshold_parse(expr, &t, err, sizeof(err), &off);
    if (rc != 0)
        fail_msg("parse of '%s' failed at %d: %s", expr, off, err);
    return t;
}

/* Parses expr, which must fail with exactly this message at this offset. */
static void parse_err(const char *expr, const char *msg, int offset)
{
    struct lg_threshold t;
    memset(&t, 0x5a, sizeof(t));
    char err[256] = "";
    int off = -1;
    int rc = lg_threshold_parse(expr, &t, err, sizeof(err), &off);
    if (rc != LG_ESYNTAX)
        fail_msg("parse of '%s' returned %d, expected a syntax error", expr, rc);
    if (strcmp(err, msg) != 0 || off != offset)
        fail_msg("parse of '%s':\n  got      %d: %s\n  expected %d: %s", expr, off, err, offset,
                 msg);
    /* on error *out holds nothing to free */
    assert_null(t.expr);
    assert_null(t.filters);
    assert_int_equal(t.n_filters, 0);
}

/* ---- parse: every form ---- */

static void test_gate_parse_percentile_latency(void **state)
{
    struct lg_threshold t = parse_ok("p95(latency) < 500ms");
    assert_string_equal(t.expr, "p95(latency) < 500ms");
    assert_int_equal(t.agg, LG_AGG_PCT);
    assert_true(t.pct == 95.0);
    assert_int_equal(t.metric, LG_M_LATENCY);
    assert_int_equal(t.n_filters, 0);
    assert_null(t.filters);
    assert_int_equal(t.cmp, LG_CMP_LT);
    assert_true(t.value == 500000.0);
    assert_int_equal(t.severity, LG_SEV_CRITICAL);
    assert_false(t.abort);
    assert_int_equal(t.abort_after_us, 0);
    assert_int_equal(t.loc.line, 0);
    assert_null(t.loc.file);
    lg_threshold_clear(&t);
}

static void test_gate_parse_percentile_any_n(void **state)
{
    static const struct {
        const char *expr;
        double pct;
    } cases[] = {
        {"p50(latency) < 1s", 50.0}, {"p99.9(latency) < 1s", 99.9}, {"p100(latency) < 1s", 100.0},
        {"p0(latency) < 1s", 0.0},   {"p99.99(ttfb) < 1s", 99.99},  {"p100.0(latency) < 1s", 100.0},
        {"p07(latency) < 1s", 7.0},  {"p12.5(connect) < 1s", 12.5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lg_threshold t = parse_ok(cases[i].expr);
        assert_int_equal(t.agg, LG_AGG_PCT);
        assert_true(t.pct == cases[i].pct);
        lg_threshold_clear(&t);
    }
}

static void test_gate_parse_aggregates(void **state)
{
    static const struct {
        const char *expr;
        enum lg_agg agg;
        enum lg_metric metric;
        double value;
    } cases[] = {
        {"avg(latency) < 200ms", LG_AGG_AVG, LG_M_LATENCY, 200000},
        {"min(ttfb) > 1ms", LG_AGG_MIN, LG_M_TTFB, 1000},
        {"max(connect) <= 50ms", LG_AGG_MAX, LG_M_CONNECT, 50000},
        {"avg(tls) < 30ms", LG_AGG_AVG, LG_M_TLS, 30000},
        {"p99(dns) < 20ms", LG_AGG_PCT, LG_M_DNS, 20000},
        {"p90(iteration) < 2m", LG_AGG_PCT, LG_M_ITERATION, 120000000},
        {"count(latency) >= 100", LG_AGG_COUNT, LG_M_LATENCY, 100},
        {"count(iteration) > 2.5", LG_AGG_COUNT, LG_M_ITERATION, 2.5},
        {"rate(latency) > 50/s", LG_AGG_RATE, LG_M_LATENCY, 50},
        {"rate(iteration) >= 12.5", LG_AGG_RATE, LG_M_ITERATION, 12.5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lg_threshold t = parse_ok(cases[i].expr);
        assert_int_equal(t.agg, cases[i].agg);
        assert_int_equal(t.metric, cases[i].metric);
        if (t.value != cases[i].value)
            fail_msg("'%s': value %g, expected %g", cases[i].expr, t.value, cases[i].value);
        lg_threshold_clear(&t);
    }
}

static void test_gate_parse_duration_units_to_us(void **state)
{
    static const struct {
        const char *expr;
        double us;
    } cases[] = {
        {"p95(latency) < 850us", 850},       {"p95(latency) < 500ms", 500000},
        {"p95(latency) < 1.5s", 1500000},    {"p95(latency) < 2m", 120000000},
        {"p95(latency) < 0.25ms", 250},      {"p95(latency) < 0ms", 0},
        {"p95(latency) < 1h", 3600000000.0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lg_threshold t = parse_ok(cases[i].expr);
        if (t.value != cases[i].us)
            fail_msg("'%s': value %g, expected %g", cases[i].expr, t.value, cases[i].us);
        lg_threshold_clear(&t);
    }
}

/* k6 convention: a bare number on a time metric is milliseconds. */
static void test_gate_parse_bare_number_is_milliseconds(void **state)
{
    struct lg_threshold t = parse_ok("p95(latency) < 500");
    assert_true(t.value == 500000.0);
    lg_threshold_clear(&t);
    t = parse_ok("avg(iteration) < 1.5");
    assert_true(t.value == 1500.0);
    lg_threshold_clear(&t);
}

static void test_gate_parse_ratio_forms(void **state)
{
    static const struct {
        const char *expr;
        enum lg_metric metric;
        double ratio;
    } cases[] = {
        {"error_rate < 1%", LG_M_ERROR_RATE, 0.01},
        {"error_rate < 0.01", LG_M_ERROR_RATE, 0.01},
        {"error_rate < 0.3%", LG_M_ERROR_RATE, 0.003},
        {"error_rate == 0", LG_M_ERROR_RATE, 0},
        {"error_rate <= 100%", LG_M_ERROR_RATE, 1},
        {"checks >= 99.9%", LG_M_CHECKS, 0.999},
        {"checks == 100%", LG_M_CHECKS, 1},
        {"error_rate < 100%", LG_M_ERROR_RATE, 1},
        {"error_rate < 0.999", LG_M_ERROR_RATE, 0.999},
        {"checks > 0.95", LG_M_CHECKS, 0.95},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lg_threshold t = parse_ok(cases[i].expr);
        assert_int_equal(t.agg, LG_AGG_NONE);
        assert_int_equal(t.metric, cases[i].metric);
        /* a percentage is the same double as the ratio written out */
        if (t.value != cases[i].ratio)
            fail_msg("'%s': value %.17g, expected %.17g", cases[i].expr, t.value, cases[i].ratio);
        lg_threshold_clear(&t);
    }
}

static void test_gate_parse_rps_and_dropped(void **state)
{
    struct lg_threshold t = parse_ok("rps > 100/s");
    assert_int_equal(t.agg, LG_AGG_NONE);
    assert_int_equal(t.metric, LG_M_RPS);
    assert_int_equal(t.cmp, LG_CMP_GT);
    assert_true(t.value == 100.0);
    lg_threshold_clear(&t);

    t = parse_ok("rps >= 12.5");
    assert_true(t.value == 12.5);
    lg_threshold_clear(&t);

    t = parse_ok("dropped == 0");
    assert_int_equal(t.agg, LG_AGG_NONE);
    assert_int_equal(t.metric, LG_M_DROPPED);
    assert_int_equal(t.cmp, LG_CMP_EQ);
    assert_true(t.value == 0.0);
    lg_threshold_clear(&t);
}

static void test_gate_parse_every_comparison(void **state)
{
    static const struct {
        const char *expr;
        enum lg_cmp cmp;
    } cases[] = {
        {"dropped < 1", LG_CMP_LT},   {"dropped <= 1", LG_CMP_LTE}, {"dropped > 1", LG_CMP_GT},
        {"dropped >= 1", LG_CMP_GTE}, {"dropped == 1", LG_CMP_EQ},  {"dropped != 1", LG_CMP_NE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lg_threshold t = parse_ok(cases[i].expr);
        assert_int_equal(t.cmp, cases[i].cmp);
        assert_true(t.value == 1.0);
        lg_threshold_clear(&t);
    }
}

static void test_gate_parse_filters(void **state)
{
    struct lg_threshold t =
        parse_ok("p95(latency{scenario=guest, step=start, status=201, tag.kind=write}) <= 300ms");
    assert_int_equal(t.agg, LG_AGG_PCT);
    assert_int_equal(t.metric, LG_M_LATENCY);
    assert_int_equal(t.cmp, LG_CMP_LTE);
    assert_true(t.value == 300000.0);
    assert_int_equal(t.n_filters, 4);
    assert_int_equal(t.filters[0].kind, LG_F_SCENARIO);
    assert_string_equal(t.filters[0].value, "guest");
    assert_null(t.filters[0].tag);
    assert_int_equal(t.filters[1].kind, LG_F_STEP);
    assert_string_equal(t.filters[1].value, "start");
    assert_int_equal(t.filters[2].kind, LG_F_STATUS);
    assert_string_equal(t.filters[2].value, "201");
    assert_int_equal(t.filters[2].status, 201);
    assert_int_equal(t.filters[3].kind, LG_F_TAG);
    assert_string_equal(t.filters[3].tag, "kind");
    assert_string_equal(t.filters[3].value, "write");
    lg_threshold_clear(&t);
}

static void test_gate_parse_filter_values_bare_and_quoted(void **state)
{
    struct lg_threshold t = parse_ok("p99(ttfb{step=get-board_v2.1, tag.api.group=\"a b\"}) < 1s");
    assert_int_equal(t.n_filters, 2);
    assert_string_equal(t.filters[0].value, "get-board_v2.1");
    assert_string_equal(t.filters[1].tag, "api.group");
    assert_string_equal(t.filters[1].value, "a b");
    lg_threshold_clear(&t);

    t = parse_ok("p99(latency{step=\"say \\\"hi\\\" \\\\ bye\"}) < 1s");
    assert_string_equal(t.filters[0].value, "say \"hi\" \\ bye");
    lg_threshold_clear(&t);

    t = parse_ok("count(latency{status=0}) == 0");
    assert_int_equal(t.filters[0].status, 0);
    lg_threshold_clear(&t);
}

static void test_gate_parse_bare_metric_with_filters(void **state)
{
    struct lg_threshold t = parse_ok("error_rate{status=500} < 5%");
    assert_int_equal(t.agg, LG_AGG_NONE);
    assert_int_equal(t.metric, LG_M_ERROR_RATE);
    assert_int_equal(t.n_filters, 1);
    assert_int_equal(t.filters[0].kind, LG_F_STATUS);
    assert_int_equal(t.filters[0].status, 500);
    assert_true(t.value == 0.05);
    lg_threshold_clear(&t);

    t = parse_ok("checks{scenario=guest, tag.kind=write} >= 99%");
    assert_int_equal(t.metric, LG_M_CHECKS);
    assert_int_equal(t.n_filters, 2);
    lg_threshold_clear(&t);

    t = parse_ok("rps{step=start} > 10/s");
    assert_int_equal(t.metric, LG_M_RPS);
    assert_int_equal(t.n_filters, 1);
    lg_threshold_clear(&t);

    t = parse_ok("p95(iteration{scenario=guest}) < 30s");
    assert_int_equal(t.metric, LG_M_ITERATION);
    assert_int_equal(t.filters[0].kind, LG_F_SCENARIO);
    assert_true(t.value == 30e6);
    lg_threshold_clear(&t);
}

static void test_gate_parse_tolerates_whitespace(void **state)
{
    struct lg_threshold t =
        parse_ok(" \tp95 ( latency { step = start ,tag.kind= write } ) <=300ms  ");
    assert_int_equal(t.agg, LG_AGG_PCT);
    assert_int_equal(t.metric, LG_M_LATENCY);
    assert_int_equal(t.n_filters, 2);
    assert_string_equal(t.filters[0].value, "start");
    assert_string_equal(t.filters[1].value, "write");
    assert_int_equal(t.cmp, LG_CMP_LTE);
    assert_true(t.value == 300000.0);
    lg_threshold_clear(&t);

    t = parse_ok("p95(latency)<1s");
    assert_true(t.value == 1e6);
    lg_threshold_clear(&t);

    t = parse_ok("error_rate {status=500}<5%");
    assert_int_equal(t.n_filters, 1);
    lg_threshold_clear(&t);
}

/* ---- parse: errors ---- */

static void test_gate_parse_error_names(void **state)
{
    parse_err("", "empty threshold", 0);
    parse_err("   ", "empty threshold", 3);
    parse_err("p95(latncy) < 5ms", "unknown metric 'latncy'", 4);
    parse_err("latncy < 5ms", "unknown metric 'latncy'", 0);
    parse_err("median(latency) < 1s",
              "unknown aggregate 'median' (use pN, avg, min, max, count or rate)", 0);
    parse_err("p(latency) < 1s", "unknown aggregate 'p' (use pN, avg, min, max, count or rate)", 0);
    parse_err("p101(latency) < 1s", "percentile 101 is out of range (0..100)", 0);
    parse_err("p100.5(latency) < 1s", "percentile 100.5 is out of range (0..100)", 0);
    parse_err("p95 < 1s", "expected '(' after p95", 4);
    parse_err("p95() < 1s",
              "expected a metric name (latency, ttfb, connect, tls, dns, iteration, "
              "error_rate, checks, rps or dropped)",
              4);
    parse_err("< 1s", "expected a metric or an aggregate such as p95(latency), found '<'", 0);
}

static void test_gate_parse_error_aggregate_rules(void **state)
{
    parse_err("latency < 500ms", "latency needs an aggregate, e.g. p95(latency)", 0);
    parse_err("iteration{scenario=guest} < 1s", "iteration needs an aggregate, e.g. p95(iteration)",
              0);
    parse_err("count(dropped) > 0", "dropped takes no aggregate", 0);
    parse_err("avg(error_rate) < 1%", "error_rate takes no aggregate", 0);
    parse_err("rate(checks) > 1", "checks takes no aggregate", 0);
    parse_err("  p95(rps) > 1", "rps takes no aggregate", 2);
}

static void test_gate_parse_error_filter_rules(void **state)
{
    parse_err("checks{status=200} > 99%",
              "status= does not apply to checks (only to latency, ttfb, connect, tls, dns and "
              "error_rate)",
              7);
    parse_err("rps{status=200} > 1",
              "status= does not apply to rps (only to latency, ttfb, connect, tls, dns and "
              "error_rate)",
              4);
    parse_err("dns < 5ms", "dns needs an aggregate, e.g. p95(dns)", 0);
    parse_err("p95(iteration{step=start}) < 2s",
              "iteration takes only a scenario= filter (iteration durations are per scenario)", 14);
    parse_err("dropped{scenario=guest} > 0", "dropped takes no filters (it counts the whole run)",
              8);
    parse_err("p95(latency{stp=start}) < 1s",
              "unknown filter 'stp' (use scenario=, step=, status= or tag.NAME=)", 12);
    parse_err("p95(latency{step=a, step=b}) < 1s", "duplicate filter 'step'", 20);
    parse_err("p95(latency{tag.k=a, tag.k=b}) < 1s", "duplicate filter 'tag.k'", 21);
    parse_err("p95(latency{status=abc}) < 1s",
              "status must be 0 (no response) or 100..599, not 'abc'", 19);
    parse_err("p95(latency{status=700}) < 1s",
              "status must be 0 (no response) or 100..599, not '700'", 19);
    parse_err("p95(latency{step=\"start) < 1s", "unterminated quoted value", 17);
    parse_err("p95(latency{step=\"\"}) < 1s", "empty value for 'step'", 17);
    parse_err("p95(latency{}) < 1s", "empty filter list", 12);
    parse_err("p95(latency{step=start) < 1s", "expected ',' or '}' in the filters", 22);
    parse_err("p95(latency{tag.=x}) < 1s", "expected a tag name after 'tag.'", 12);
    parse_err("p95(latency{step}) < 1s", "expected '=' after 'step'", 16);
    parse_err("p95(latency{step=}) < 1s", "expected a value after 'step='", 17);
    parse_err("p95(latency{,}) < 1s", "expected a filter (scenario=, step=, status= or tag.NAME=)",
              12);
    parse_err("p95(latency < 1s", "expected ')' after latency", 12);
    parse_err("p95(latency){step=start} < 1s",
              "filters go inside the parentheses, e.g. p95(latency{step=start})", 12);
}

static void test_gate_parse_error_operator_and_value(void **state)
{
    parse_err("p95(latency) 1s", "expected a comparison (<, <=, >, >=, ==, !=)", 13);
    parse_err("error_rate", "expected a comparison (<, <=, >, >=, ==, !=)", 10);
    parse_err("p95(latency) = 1s", "'=' is not a comparison; use == (or <, <=, >, >=, !=)", 13);
    parse_err("p95(latency) <", "expected a value after '<'", 14);
    parse_err("p95(latency) >=  ", "expected a value after '>='", 17);
    parse_err("p95(latency) < -5ms", "'-5ms' is negative", 15);
    parse_err("p95(latency) < fast", "expected a number, found 'fast'", 15);
    parse_err("p95(latency) < 1.2.3ms", "expected a number, found '1.2.3ms'", 15);
    parse_err("p95(latency) < .5s", "expected a number, found '.5s'", 15);
    parse_err("p95(latency) < 5%", "'5%' is not a duration", 15);
    parse_err("p95(latency) < 5/s", "'5/s' is not a duration", 15);
    parse_err("p95(latency) < 1d", "'1d' is not a duration", 15);
    parse_err("p95(latency) < 500 ms", "unexpected 'ms' after the value", 19);
    parse_err("p95(latency) < 500ms extra", "unexpected 'extra' after the value", 21);
    parse_err("error_rate < 150%", "'150%' is more than 100%", 13);
    parse_err("error_rate < 2",
              "'2' is ambiguous: error_rate is a ratio below 1 or a percentage; write 2% (or "
              "100% for all)",
              13);
    /* a bare 1 is one percent to some, all to others: the percent sign decides */
    parse_err("error_rate < 1",
              "'1' is ambiguous: error_rate is a ratio below 1 or a percentage; write 1% (or "
              "100% for all)",
              13);
    parse_err("checks >= 1.0",
              "'1.0' is ambiguous: checks is a ratio below 1 or a percentage; write 1.0% (or "
              "100% for all)",
              10);
    parse_err("error_rate < 5ms", "'5ms' is not a ratio or a percentage", 13);
    parse_err("rps > 5ms", "'5ms' is not a rate (e.g. 100/s)", 6);
    parse_err("rate(latency) > 5%", "'5%' is not a rate (e.g. 100/s)", 16);
    parse_err("dropped > 5/s", "'5/s' is not a count", 10);
    parse_err("count(latency) > 5ms", "'5ms' is not a count", 17);
}

/* ---- the suite and metrics the remaining tests use ---- */

/*   guest: start  {kind=write}              2 checks
 *          answer {kind=write, phase=play}  1 check
 *          finish                           no checks, never ran
 *   board: start  {kind=read}
 *          list   {kind=read}                                    */
struct fixture {
    struct lg_suite suite;
    struct lg_scenario scen[2];
    struct lg_step steps[5];
    struct lg_step *flat[5];
    struct lg_tag tags[4];
    struct lg_metrics m;
};

static void add_step(struct fixture *f, uint32_t id, uint32_t scen, const char *name,
                     size_t n_checks, struct lg_tag *tags, size_t n_tags)
{
    struct lg_step *st = &f->steps[id];
    st->name = (char *)name;
    st->id = id;
    st->scenario = scen;
    st->n_checks = n_checks;
    st->tags = tags;
    st->n_tags = n_tags;
    f->flat[id] = st;
}

static void record(struct lg_metrics *m, uint32_t step, int status, enum lg_errclass err,
                   int64_t total_us, int64_t ttfb_us, int64_t connect_us)
{
    struct lg_sample s = {
        .status = status,
        .err = err,
        .total_us = total_us,
        .ttfb_us = ttfb_us,
        .new_conn = connect_us > 0,
        .dns_us = connect_us / 4,
        .connect_us = connect_us,
    };
    lg_metrics_record(m, step, &s);
}

static int setup(void **state)
{
    struct fixture *f = lg_calloc(1, sizeof(*f));
    f->tags[0] = (struct lg_tag){(char *)"kind", (char *)"write"};
    f->tags[1] = (struct lg_tag){(char *)"kind", (char *)"write"};
    f->tags[2] = (struct lg_tag){(char *)"phase", (char *)"play"};
    f->tags[3] = (struct lg_tag){(char *)"kind", (char *)"read"};

    f->scen[0] = (struct lg_scenario){
        .name = (char *)"guest", .index = 0, .steps = &f->steps[0], .n_steps = 3};
    f->scen[1] = (struct lg_scenario){
        .name = (char *)"board", .index = 1, .steps = &f->steps[3], .n_steps = 2};
    add_step(f, 0, 0, "start", 2, &f->tags[0], 1);
    add_step(f, 1, 0, "answer", 1, &f->tags[1], 2);
    add_step(f, 2, 0, "finish", 0, NULL, 0);
    add_step(f, 3, 1, "start", 0, &f->tags[3], 1);
    add_step(f, 4, 1, "list", 0, &f->tags[3], 1);
    f->suite.name = (char *)"trivia";
    f->suite.scenarios = f->scen;
    f->suite.n_scenarios = 2;
    f->suite.steps = f->flat;
    f->suite.n_steps = 5;

    struct lg_metrics *m = &f->m;
    lg_metrics_init(m, &f->suite);
    /* guest.start: 100 x 201, latency 10..1000us (step 10), ttfb half of it; the
     * first 10 opened a connection (DNS 25us, connect 100us); checks: 100/0 and 98/2 */
    for (int i = 1; i <= 100; i++)
        record(m, 0, 201, LG_ERRC_NONE, 10 * i, 5 * i, i <= 10 ? 100 : 0);
    for (int i = 0; i < 100; i++) {
        lg_metrics_check(m, 0, 0, true);
        lg_metrics_check(m, 0, 1, i >= 2);
    }
    /* guest.answer: 40 x 200 at 1000us, 10 x 500 (errors) at 2000us; check 40/10 */
    for (int i = 0; i < 40; i++) {
        record(m, 1, 200, LG_ERRC_NONE, 1000, 900, 0);
        lg_metrics_check(m, 1, 0, true);
    }
    for (int i = 0; i < 10; i++) {
        record(m, 1, 500, LG_ERRC_HTTP_5XX, 2000, 1900, 0);
        lg_metrics_check(m, 1, 0, false);
    }
    /* board.start: 20 x 200 at 300us, 5 timeouts (no response) at 1500us */
    for (int i = 0; i < 20; i++)
        record(m, 3, 200, LG_ERRC_NONE, 300, 200, 0);
    for (int i = 0; i < 5; i++)
        record(m, 3, 0, LG_ERRC_TIMEOUT, 1500, 0, 0);
    /* board.list: 10 x 200 at 700us */
    for (int i = 0; i < 10; i++)
        record(m, 4, 200, LG_ERRC_NONE, 700, 600, 0);
    /* guest iterations: 100..1000us; board: none */
    for (int k = 1; k <= 10; k++)
        lg_metrics_iteration(m, 0, 100 * k, 100 * k, k == 10);
    m->dropped = 3;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    lg_metrics_free(&f->m);
    free(f);
    return 0;
}

/* Evaluates expr over the fixture's metrics in a 10-second run. */
static struct lg_gate_outcome eval_d(struct fixture *f, const char *expr, double duration_s)
{
    struct lg_threshold t = parse_ok(expr);
    char err[256] = "";
    if (lg_threshold_resolve(&t, &f->suite, err, sizeof(err)) != 0)
        fail_msg("resolve of '%s' failed: %s", expr, err);
    struct lg_gate_outcome o;
    memset(&o, 0x5a, sizeof(o));
    lg_gate_eval(&t, &f->suite, &f->m, duration_s, &o);
    lg_threshold_clear(&t);
    return o;
}

static struct lg_gate_outcome eval(struct fixture *f, const char *expr)
{
    return eval_d(f, expr, 10.0);
}

#define assert_observed(o, value, text)                                                            \
    do {                                                                                           \
        assert_false((o).no_samples);                                                              \
        if ((o).observed != (value))                                                               \
            fail_msg("observed %.17g, expected %.17g", (o).observed, (double)(value));             \
        assert_string_equal((o).observed_text, (text));                                            \
    } while (0)

#define assert_no_samples(o)                                                                       \
    do {                                                                                           \
        assert_false((o).ok);                                                                      \
        assert_true((o).no_samples);                                                               \
        assert_string_equal((o).observed_text, "no samples");                                      \
    } while (0)

/* ---- resolve ---- */

static void resolve_err(struct fixture *f, const char *expr, const char *msg)
{
    struct lg_threshold t = parse_ok(expr);
    char err[256] = "";
    int rc = lg_threshold_resolve(&t, &f->suite, err, sizeof(err));
    lg_threshold_clear(&t);
    if (rc != LG_EINVAL)
        fail_msg("resolve of '%s' returned %d, expected LG_EINVAL", expr, rc);
    if (strcmp(err, msg) != 0)
        fail_msg("resolve of '%s':\n  got      %s\n  expected %s", expr, err, msg);
}

static void resolve_ok(struct fixture *f, const char *expr)
{
    struct lg_threshold t = parse_ok(expr);
    char err[256] = "";
    int rc = lg_threshold_resolve(&t, &f->suite, err, sizeof(err));
    lg_threshold_clear(&t);
    if (rc != 0)
        fail_msg("resolve of '%s' failed: %s", expr, err);
}

static void test_gate_resolve_accepts_known_names(void **state)
{
    struct fixture *f = *state;
    resolve_ok(f, "p95(latency) < 1s");
    resolve_ok(f, "p95(latency{step=answer}) < 1s");
    resolve_ok(f, "p95(latency{step=start}) < 1s");
    resolve_ok(f, "p95(latency{step=board.start}) < 1s");
    resolve_ok(f, "p95(latency{scenario=board, step=start}) < 1s");
    resolve_ok(f, "p95(latency{scenario=guest, step=guest.answer}) < 1s");
    resolve_ok(f, "error_rate{tag.phase=play} < 1%");
    resolve_ok(f, "checks{tag.kind=read} > 99%");
    resolve_ok(f, "p95(iteration{scenario=board}) < 1s");
    resolve_ok(f, "count(latency{status=404}) == 0");
    resolve_ok(f, "dropped == 0");
}

static void test_gate_resolve_errors(void **state)
{
    struct fixture *f = *state;
    resolve_err(f, "p95(latency{step=strat}) < 1s",
                "no step named 'strat' (steps: start, answer, finish, list)");
    resolve_err(f, "p95(latency{step=guest.list}) < 1s",
                "no step named 'guest.list' (steps: start, answer, finish, list)");
    resolve_err(f, "p95(latency{scenario=board, step=answer}) < 1s",
                "no step named 'answer' in scenario 'board' (steps: start, list)");
    resolve_err(f, "p95(latency{scenario=gest}) < 1s",
                "no scenario named 'gest' (scenarios: guest, board)");
    resolve_err(f, "p95(iteration{scenario=gest}) < 1s",
                "no scenario named 'gest' (scenarios: guest, board)");
    resolve_err(f, "p95(latency{tag.knd=write}) < 1s",
                "no step has a tag 'knd' (tags: kind, phase)");
    resolve_err(f, "p95(latency{tag.kind=delete}) < 1s",
                "no step has tag kind=delete (values: write, read)");
    resolve_err(f, "checks{scenario=board, tag.phase=play} > 1%",
                "no step in scenario 'board' has a tag 'phase' (tags: kind)");
    resolve_err(f, "p95(latency{step=finish, tag.kind=write}) < 1s",
                "no step matches all of {step=finish, tag.kind=write}");
}

/* ---- eval ---- */

static void test_gate_eval_p95_over_known_set(void **state)
{
    struct fixture *f = *state;
    /* 10, 20, ..., 1000us: the 95th of 100 values is 950us */
    struct lg_gate_outcome o = eval(f, "p95(latency{step=guest.start}) < 1ms");
    assert_observed(o, 950, "950us");
    assert_true(o.ok);
    o = eval(f, "p95(latency{step=guest.start}) < 950us");
    assert_observed(o, 950, "950us");
    assert_false(o.ok);
    o = eval(f, "p95(latency{step=guest.start}) <= 950us");
    assert_true(o.ok);
    o = eval(f, "p50(latency{step=guest.start}) == 500us");
    assert_observed(o, 500, "500us");
    assert_true(o.ok);
    o = eval(f, "p100(latency{step=guest.start}) != 1ms");
    assert_observed(o, 1000, "1ms");
    assert_false(o.ok);
    o = eval(f, "p95(ttfb{step=guest.start}) > 400us");
    assert_observed(o, 475, "475us");
    assert_true(o.ok);
}

static void test_gate_eval_aggregates(void **state)
{
    struct fixture *f = *state;
    struct lg_gate_outcome o = eval(f, "avg(latency{step=guest.start}) < 1s");
    assert_observed(o, 505, "505us");
    o = eval(f, "min(latency) >= 10us");
    assert_observed(o, 10, "10us");
    assert_true(o.ok);
    o = eval(f, "max(latency) < 2ms");
    assert_observed(o, 2000, "2ms");
    assert_false(o.ok);
    o = eval(f, "max(latency{status=0}) < 2ms");
    assert_observed(o, 1500, "1.5ms");
    assert_true(o.ok);
    o = eval(f, "avg(connect{step=guest.start}) < 1ms");
    assert_observed(o, 100, "100us");
    o = eval(f, "p95(dns{step=guest.start}) < 1ms");
    assert_observed(o, 25, "25us");
    assert_true(o.ok);
    o = eval(f, "max(dns{step=guest.answer}) < 1ms"); /* reused connections only */
    assert_true(o.no_samples);
    assert_false(o.ok);
}

static void test_gate_eval_count_and_rate(void **state)
{
    struct fixture *f = *state;
    struct lg_gate_outcome o = eval(f, "count(latency{step=guest.start}) >= 100");
    assert_observed(o, 100, "100");
    assert_true(o.ok);
    o = eval(f, "count(latency) > 185");
    assert_observed(o, 185, "185");
    assert_false(o.ok);
    o = eval(f, "count(connect{step=guest.start}) == 10");
    assert_observed(o, 10, "10");
    assert_true(o.ok);
    o = eval(f, "count(dns{step=guest.start}) == 10");
    assert_observed(o, 10, "10");
    assert_true(o.ok);
    o = eval(f, "rate(latency{step=guest.start}) >= 10/s");
    assert_observed(o, 10, "10.0/s");
    assert_true(o.ok);
    o = eval(f, "count(iteration{scenario=guest}) == 10");
    assert_observed(o, 10, "10");
    assert_true(o.ok);
}

/* A status filter narrows a count that can really be zero: the steps ran. */
static void test_gate_eval_count_zero_with_status_filter_is_observed(void **state)
{
    struct fixture *f = *state;
    struct lg_gate_outcome o = eval(f, "count(latency{status=404}) == 0");
    assert_observed(o, 0, "0");
    assert_true(o.ok);
    /* plain HTTP: no TLS handshake ever, yet requests were made */
    o = eval(f, "count(tls{step=guest.start}) == 0");
    assert_observed(o, 0, "0");
    assert_true(o.ok);
}

static void test_gate_eval_error_rate_with_status_filter(void **state)
{
    struct fixture *f = *state;
    /* 15 errors (10 x 500, 5 timeouts) in 185 requests */
    struct lg_gate_outcome o = eval(f, "error_rate < 5%");
    assert_observed(o, 15.0 / 185.0, "8.11%");
    assert_false(o.ok);
    o = eval(f, "error_rate{status=500} < 5%");
    assert_observed(o, 1.0, "100.00%");
    assert_false(o.ok);
    o = eval(f, "error_rate{status=200} == 0");
    assert_observed(o, 0.0, "0.00%");
    assert_true(o.ok);
    o = eval(f, "error_rate{scenario=guest} < 10%");
    assert_observed(o, 10.0 / 150.0, "6.67%");
    assert_true(o.ok);
    o = eval(f, "error_rate{scenario=board, status=0} <= 100%");
    assert_observed(o, 1.0, "100.00%");
    assert_true(o.ok);
}

static void test_gate_eval_checks_ratio(void **state)
{
    struct fixture *f = *state;
    /* 100 + 98 + 40 passed, 2 + 10 failed */
    struct lg_gate_outcome o = eval(f, "checks > 95%");
    assert_observed(o, 238.0 / 250.0, "95.20%");
    assert_true(o.ok);
    o = eval(f, "checks{step=answer} >= 0.9");
    assert_observed(o, 0.8, "80.00%");
    assert_false(o.ok);
    o = eval(f, "checks{step=guest.start} == 99%");
    assert_observed(o, 198.0 / 200.0, "99.00%");
    assert_true(o.ok);
}

static void test_gate_eval_tag_filter(void **state)
{
    struct fixture *f = *state;
    /* kind=read: board.start (20 x 300us, 5 x 1500us) and board.list (10 x 700us) */
    struct lg_gate_outcome o = eval(f, "count(latency{tag.kind=read}) == 35");
    assert_observed(o, 35, "35");
    assert_true(o.ok);
    o = eval(f, "p50(latency{tag.kind=read}) < 1ms");
    assert_observed(o, 300, "300us");
    assert_true(o.ok);
    o = eval(f, "p95(latency{tag.kind=read}) < 1ms");
    assert_observed(o, 1500, "1.5ms");
    assert_false(o.ok);
    /* kind=write: guest.start and guest.answer */
    o = eval(f, "max(latency{tag.kind=write}) <= 2ms");
    assert_observed(o, 2000, "2ms");
    assert_true(o.ok);
    o = eval(f, "error_rate{tag.phase=play} < 25%");
    assert_observed(o, 0.2, "20.00%");
    assert_true(o.ok);
    o = eval(f, "rps{tag.kind=read} > 3/s");
    assert_observed(o, 3.5, "3.5/s");
    assert_true(o.ok);
}

static void test_gate_eval_iteration_per_scenario(void **state)
{
    struct fixture *f = *state;
    struct lg_gate_outcome o = eval(f, "p50(iteration{scenario=guest}) < 1ms");
    assert_observed(o, 500, "500us");
    assert_true(o.ok);
    o = eval(f, "avg(iteration) < 1ms");
    assert_observed(o, 550, "550us");
    o = eval(f, "max(iteration) < 1ms");
    assert_observed(o, 1000, "1ms");
    assert_false(o.ok);
}

/* An iteration cut short by a request that never answered is an iteration sample at
 * its elapsed time; one cut short while thinking is not a sample, but the scenario
 * ran, so its count is a real 0 rather than "no samples". */
static void test_gate_eval_iteration_counts_interrupted(void **state)
{
    struct fixture *f = *state;
    lg_metrics_interrupted(&f->m, 1, 13000000, 13000000, false, false);
    struct lg_gate_outcome o = eval(f, "count(iteration{scenario=board}) == 0");
    assert_observed(o, 0, "0");
    assert_true(o.ok);
    lg_metrics_interrupted(&f->m, 1, 13000000, 13000000, true, true);
    o = eval(f, "count(iteration{scenario=board}) == 1");
    assert_observed(o, 1, "1");
    assert_true(o.ok);
    o = eval(f, "p95(iteration{scenario=board}) < 1s");
    assert_false(o.ok);
    assert_true(o.observed >= 13000000);
}

static void test_gate_eval_rps_and_dropped(void **state)
{
    struct fixture *f = *state;
    struct lg_gate_outcome o = eval(f, "rps > 10/s");
    assert_observed(o, 18.5, "18.5/s");
    assert_true(o.ok);
    /* a step that never ran in a run that lasted: a real 0/s */
    o = eval(f, "rps{step=finish} < 1/s");
    assert_observed(o, 0, "0.0/s");
    assert_true(o.ok);
    o = eval(f, "dropped == 0");
    assert_observed(o, 3, "3");
    assert_false(o.ok);
    o = eval(f, "dropped <= 3");
    assert_true(o.ok);
    /* a counter of the run: zero dropped is an observation, not "no samples" */
    f->m.dropped = 0;
    o = eval(f, "dropped == 0");
    assert_observed(o, 0, "0");
    assert_true(o.ok);
}

/* A gate never passes silently. */
static void test_gate_eval_no_samples_fails(void **state)
{
    struct fixture *f = *state;
    static const char *const exprs[] = {
        "p95(latency{step=finish}) < 1h",
        "avg(ttfb{scenario=guest, step=finish}) >= 0ms",
        "count(latency{step=finish}) == 0",
        "rate(latency{step=finish}) >= 0/s",
        "p95(tls) < 1h",
        "p95(iteration{scenario=board}) < 1h",
        "count(iteration{scenario=board}) == 0",
        "error_rate{step=finish} < 100%",
        "error_rate{status=404} <= 100%",
        "checks{step=finish} >= 0%",
        "checks{scenario=board} >= 0%",
    };
    for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        struct lg_gate_outcome o = eval(f, exprs[i]);
        if (!o.no_samples || o.ok || strcmp(o.observed_text, "no samples"))
            fail_msg("'%s': ok=%d no_samples=%d observed '%s'", exprs[i], o.ok, o.no_samples,
                     o.observed_text);
        assert_true(o.observed == 0);
    }
}

/* rps and rate need a run that lasted. */
static void test_gate_eval_zero_duration_has_no_rate(void **state)
{
    struct fixture *f = *state;
    struct lg_gate_outcome o = eval_d(f, "rps >= 0/s", 0);
    assert_no_samples(o);
    o = eval_d(f, "rate(latency) >= 0/s", 0);
    assert_no_samples(o);
    o = eval_d(f, "count(latency) == 185", 0);
    assert_observed(o, 185, "185");
    assert_true(o.ok);
}

static void test_gate_eval_empty_metrics_fail(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics empty;
    lg_metrics_init(&empty, &f->suite);
    static const char *const exprs[] = {"p95(latency) < 1s", "error_rate < 1%", "checks > 0%",
                                        "count(latency) >= 0", "avg(iteration) < 1h"};
    for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        struct lg_threshold t = parse_ok(exprs[i]);
        struct lg_gate_outcome o;
        lg_gate_eval(&t, &f->suite, &empty, 10.0, &o);
        lg_threshold_clear(&t);
        if (!o.no_samples || o.ok)
            fail_msg("'%s' passed over an empty run", exprs[i]);
    }
    lg_metrics_free(&empty);
}

/* ---- abort thresholds ---- */

/* lg_gate_certain over a hand-made broken outcome of expr: observed, samples. */
static bool certain(const char *expr, double observed, uint64_t samples)
{
    struct lg_threshold t = parse_ok(expr);
    struct lg_gate_outcome o = {.ok = false, .observed = observed, .samples = samples};
    bool c = lg_gate_certain(&t, &o);
    lg_threshold_clear(&t);
    return c;
}

#define assert_certain_from(expr, observed, n)                                                     \
    do {                                                                                           \
        if (certain((expr), (observed), (n)-1))                                                    \
            fail_msg("'%s' certain with %llu samples", (expr), (unsigned long long)(n)-1);         \
        if (!certain((expr), (observed), (n)))                                                     \
            fail_msg("'%s' not certain with %llu samples", (expr), (unsigned long long)(n));       \
    } while (0)

static void test_gate_abort_certain_needs_samples_in_the_tail(void **state)
{
    /* pN: n * min(N, 100 - N) / 100 >= 10, and at least 100 */
    assert_certain_from("p95(latency) < 50ms", 600000, 200);
    assert_certain_from("p99(latency) < 50ms", 600000, 1000);
    assert_certain_from("p99.9(latency) < 50ms", 600000, 10000);
    assert_certain_from("p99.99(ttfb) < 50ms", 600000, 100000);
    assert_certain_from("p90(latency) < 50ms", 600000, 100);
    assert_certain_from("p50(latency) < 50ms", 600000, 100);
    assert_certain_from("p5(latency) > 1ms", 500, 200);
    assert_certain_from("p95(iteration) < 1s", 2e6, 200);
    /* ratios: n * min(X, 1 - X) >= 10, and at least 100 */
    assert_certain_from("error_rate < 5%", 1, 200);
    assert_certain_from("error_rate < 1%", 0.5, 1000);
    assert_certain_from("error_rate < 0.1%", 0.5, 10000);
    assert_certain_from("error_rate <= 50%", 0.6, 100);
    assert_certain_from("checks > 99%", 0.9, 1000);
    assert_certain_from("checks >= 0.95", 0.9, 200);
    /* at 100% or 0%, where one more sample could make it hold: 100 */
    assert_certain_from("error_rate < 100%", 1, 100);
    assert_certain_from("checks > 0%", 0, 100);
    /* avg, rps, rate: 100 */
    assert_certain_from("avg(latency) < 50ms", 600000, 100);
    assert_certain_from("rps > 100/s", 12, 100);
    assert_certain_from("rate(latency{status=500}) < 1/s", 3, 100);
}

static void test_gate_abort_certain_when_it_can_only_get_worse(void **state)
{
    /* count, max, p100, dropped never fall; min and p0 never rise */
    assert_true(certain("max(latency) < 1s", 1.5e6, 1));
    assert_true(certain("max(latency) <= 1s", 1.5e6, 1));
    assert_true(certain("p100(latency) < 1s", 1.5e6, 1));
    assert_true(certain("count(latency{status=500}) == 0", 1, 1));
    assert_true(certain("count(latency{status=500}) < 3", 3, 5));
    assert_true(certain("count(latency) == 5", 6, 6));
    assert_true(certain("dropped < 3", 3, 40));
    assert_true(certain("dropped == 0", 1, 40));
    assert_true(certain("min(latency) > 1ms", 500, 1));
    assert_true(certain("min(connect) >= 1ms", 500, 1));
    assert_true(certain("p0(latency) > 1ms", 500, 1));
    assert_true(certain("min(latency) == 1ms", 500, 1));
    /* broken the other way they may still hold: never by samples */
    assert_false(certain("count(latency) > 1000", 10, 1000000));
    assert_false(certain("count(latency) == 5", 4, 1000000));
    assert_false(certain("count(latency) != 5", 5, 1000000));
    assert_false(certain("max(latency) > 1s", 500, 1000000));
    assert_false(certain("dropped > 0", 0, 1000000));
    assert_false(certain("min(latency) < 1ms", 5000, 1000000));
    assert_false(certain("min(latency) == 1ms", 5000, 1000000));
    /* a ratio at 0% or 100% that one sample broke for good */
    assert_true(certain("error_rate == 0", 0.001, 1));
    assert_true(certain("error_rate <= 0%", 0.001, 1));
    assert_true(certain("checks == 100%", 0.99, 1));
    assert_false(certain("error_rate < 100%", 1, 99));
}

static void test_gate_abort_certain_never_when_holding_or_empty(void **state)
{
    struct lg_threshold t = parse_ok("max(latency) < 1s");
    struct lg_gate_outcome o = {.ok = true, .observed = 5, .samples = 1000};
    assert_false(lg_gate_certain(&t, &o));
    o = (struct lg_gate_outcome){.ok = false, .no_samples = true};
    assert_false(lg_gate_certain(&t, &o));
    lg_threshold_clear(&t);
}

/* lg_gate_abort_due for expr (abort: true, abort_after) over the fixture's
 * metrics collected over covered_us. */
static enum lg_abort_cause due(struct fixture *f, const char *expr, int64_t abort_after_us,
                               int64_t covered_us, struct lg_abort_watch *w,
                               struct lg_gate_outcome *o)
{
    struct lg_threshold t = parse_ok(expr);
    t.abort = true;
    t.abort_after_us = abort_after_us;
    char err[256] = "";
    if (lg_threshold_resolve(&t, &f->suite, err, sizeof(err)) != 0)
        fail_msg("resolve of '%s' failed: %s", expr, err);
    enum lg_abort_cause c = lg_gate_abort_due(&t, &f->suite, &f->m, covered_us, w, o);
    lg_threshold_clear(&t);
    return c;
}

static void test_gate_abort_due_rates_over_the_span_collected(void **state)
{
    struct fixture *f = *state;
    struct lg_abort_watch w = {0};
    struct lg_gate_outcome o;
    /* 185 requests in an aggregate that covers the run's first 2 s: 92.5/s, however
     * late the clock is when it is evaluated */
    assert_int_equal(due(f, "rps > 100/s", 0, 2000000, &w, &o), LG_ABORT_CERTAIN);
    assert_observed(o, 92.5, "92.5/s");
    assert_int_equal(o.samples, 185);
    assert_string_equal(o.samples_of, "requests");
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "rps > 90/s", 0, 2000000, &w, &o), LG_ABORT_NONE);
    assert_true(o.ok);
    /* board: 35 requests over 2.5 s, 14/s; broken, but on 35 requests */
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "rate(latency{scenario=board}) > 20/s", 0, 2500000, &w, &o),
                     LG_ABORT_NONE);
    assert_observed(o, 14, "14.0/s");
    assert_false(o.ok);
    assert_int_equal(o.samples, 35);
    /* nothing collected yet: no rate, nothing to abort on */
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "rps > 100/s", 0, 0, &w, &o), LG_ABORT_NONE);
    assert_no_samples(o);
}

static void test_gate_abort_due_by_samples(void **state)
{
    struct fixture *f = *state;
    struct lg_abort_watch w = {0};
    struct lg_gate_outcome o;
    /* 15 errors in 185 requests (8.11%): under 5% needs 200 requests, under 6% 167 */
    assert_int_equal(due(f, "error_rate < 5%", 0, 1000000, &w, &o), LG_ABORT_NONE);
    assert_false(o.ok);
    assert_int_equal(o.samples, 185);
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "error_rate < 6%", 0, 1000000, &w, &o), LG_ABORT_CERTAIN);
    /* p95 of the start steps (125 samples) is broken, but p95 needs 200; p50 of
     * every request (185) needs 100 */
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "p95(latency{step=start}) < 100us", 0, 1000000, &w, &o), LG_ABORT_NONE);
    assert_false(o.ok);
    assert_int_equal(o.samples, 125);
    assert_string_equal(o.samples_of, "samples");
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "p50(latency) < 100us", 0, 1000000, &w, &o), LG_ABORT_CERTAIN);
    /* checks 238/250: above 99% needs 1,000; exactly 100% is broken for good */
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "checks > 99%", 0, 1000000, &w, &o), LG_ABORT_NONE);
    assert_int_equal(o.samples, 250);
    assert_string_equal(o.samples_of, "checks");
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "checks == 100%", 0, 1000000, &w, &o), LG_ABORT_CERTAIN);
    /* only worse from here */
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "max(latency) < 1ms", 0, 1000000, &w, &o), LG_ABORT_CERTAIN);
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "count(latency{status=500}) == 0", 0, 1000000, &w, &o),
                     LG_ABORT_CERTAIN);
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "dropped < 3", 0, 1000000, &w, &o), LG_ABORT_CERTAIN);
    assert_string_equal(o.samples_of, "scheduled iterations");
    /* 10 guest iterations: avg is broken but on 10 */
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "avg(iteration{scenario=guest}) < 100us", 0, 1000000, &w, &o),
                     LG_ABORT_NONE);
    assert_false(o.ok);
    assert_int_equal(o.samples, 10);
    assert_string_equal(o.samples_of, "iterations");
}

static void test_gate_abort_due_after_broken_for_abort_after(void **state)
{
    struct fixture *f = *state;
    struct lg_abort_watch w = {0};
    struct lg_gate_outcome o;
    /* p95 of the start steps: broken at each evaluation, never certain (125 samples) */
    const char *p95 = "p95(latency{step=start}) < 100us";
    assert_int_equal(due(f, p95, 2000000, 1000000, &w, &o), LG_ABORT_NONE);
    assert_int_equal(due(f, p95, 2000000, 2000000, &w, &o), LG_ABORT_NONE);
    assert_int_equal(due(f, p95, 2000000, 3000000, &w, &o), LG_ABORT_PERSISTED);
    assert_true(w.broken);
    assert_int_equal(w.broken_since_us, 1000000);
    /* an evaluation where it holds starts the count again */
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, p95, 2000000, 1000000, &w, &o), LG_ABORT_NONE);
    assert_int_equal(due(f, "p95(latency{step=start}) < 1s", 2000000, 2000000, &w, &o),
                     LG_ABORT_NONE);
    assert_false(w.broken);
    assert_int_equal(due(f, p95, 2000000, 3000000, &w, &o), LG_ABORT_NONE);
    assert_int_equal(due(f, p95, 2000000, 4000000, &w, &o), LG_ABORT_NONE);
    assert_int_equal(due(f, p95, 2000000, 5000000, &w, &o), LG_ABORT_PERSISTED);
    /* without abort_after, only certainty stops the run */
    w = (struct lg_abort_watch){0};
    for (int64_t s = 1; s <= 100; s++)
        assert_int_equal(due(f, p95, 0, s * 1000000, &w, &o), LG_ABORT_NONE);
    /* with abort_after, certainty still stops it at once */
    w = (struct lg_abort_watch){0};
    assert_int_equal(due(f, "max(latency) < 1ms", 10000000, 1000000, &w, &o), LG_ABORT_CERTAIN);
}

static void test_gate_abort_due_never_on_a_warning(void **state)
{
    struct fixture *f = *state;
    struct lg_threshold t = parse_ok("max(latency) < 1ms");
    t.abort = true;
    t.severity = LG_SEV_WARNING;
    struct lg_abort_watch w = {0};
    struct lg_gate_outcome o;
    assert_int_equal(lg_gate_abort_due(&t, &f->suite, &f->m, 1000000, &w, &o), LG_ABORT_NONE);
    assert_false(o.ok);
    /* nor without abort: true */
    t.severity = LG_SEV_CRITICAL;
    t.abort = false;
    assert_int_equal(lg_gate_abort_due(&t, &f->suite, &f->m, 1000000, &w, &o), LG_ABORT_NONE);
    lg_threshold_clear(&t);
}

/* One slow first request among fast ones: broken over the first few samples,
 * never certain, and holding once the run has more. */
static void test_gate_abort_due_one_slow_first_sample(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    struct lg_threshold t = parse_ok("p95(latency) < 50ms");
    t.abort = true;
    struct lg_abort_watch w = {0};
    struct lg_gate_outcome o;
    record(&m, 0, 200, LG_ERRC_NONE, 600000, 590000, 100);
    for (int i = 0; i < 9; i++)
        record(&m, 0, 200, LG_ERRC_NONE, 2000, 1000, 0);
    assert_int_equal(lg_gate_abort_due(&t, &f->suite, &m, 1000000, &w, &o), LG_ABORT_NONE);
    assert_false(o.ok);
    assert_int_equal(o.samples, 10);
    for (int i = 0; i < 190; i++)
        record(&m, 0, 200, LG_ERRC_NONE, 2000, 1000, 0);
    assert_int_equal(lg_gate_abort_due(&t, &f->suite, &m, 2000000, &w, &o), LG_ABORT_NONE);
    assert_true(o.ok);
    /* slow for real: 11 of 200 over 50ms is certain */
    for (int i = 0; i < 10; i++)
        record(&m, 0, 200, LG_ERRC_NONE, 600000, 590000, 0);
    assert_int_equal(lg_gate_abort_due(&t, &f->suite, &m, 3000000, &w, &o), LG_ABORT_CERTAIN);
    assert_int_equal(o.samples, 210);
    lg_threshold_clear(&t);
    lg_metrics_free(&m);
}

/* ---- format and units ---- */

static void fmt_is(const char *expr, double value, const char *want)
{
    struct lg_threshold t = parse_ok(expr);
    char buf[48];
    lg_gate_format(&t, value, buf, sizeof(buf));
    lg_threshold_clear(&t);
    if (strcmp(buf, want))
        fail_msg("format of %g for '%s': got '%s', expected '%s'", value, expr, buf, want);
}

static void test_gate_format_by_metric(void **state)
{
    fmt_is("p95(latency) < 1s", 412000, "412ms");
    fmt_is("p95(latency) < 1s", 1250000, "1.25s");
    fmt_is("p95(latency) < 1s", 850, "850us");
    fmt_is("avg(ttfb) < 1s", 849.6, "850us");
    fmt_is("p99(iteration) < 1s", 150000000, "2m30s");
    fmt_is("error_rate < 1%", 0.0052, "0.52%");
    fmt_is("checks > 99%", 1, "100.00%");
    fmt_is("rps > 1", 123.4, "123.4/s");
    fmt_is("rate(latency) > 1", 7, "7.0/s");
    fmt_is("count(latency) > 1", 42, "42");
    fmt_is("count(latency) > 1", 2.5, "2.50");
    fmt_is("dropped == 0", 0, "0");
}

static void test_gate_unit_names(void **state)
{
    static const struct {
        const char *expr, *unit;
    } cases[] = {
        {"p95(latency) < 1s", "ms"},
        {"avg(iteration) < 1s", "ms"},
        {"error_rate < 1%", "ratio"},
        {"checks > 99%", "ratio"},
        {"rps > 1", "per_s"},
        {"rate(latency) > 1", "per_s"},
        {"count(latency) > 1", "count"},
        {"dropped == 0", "count"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lg_threshold t = parse_ok(cases[i].expr);
        assert_string_equal(lg_threshold_unit(&t), cases[i].unit);
        lg_threshold_clear(&t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gate_parse_percentile_latency),
        cmocka_unit_test(test_gate_parse_percentile_any_n),
        cmocka_unit_test(test_gate_parse_aggregates),
        cmocka_unit_test(test_gate_parse_duration_units_to_us),
        cmocka_unit_test(test_gate_parse_bare_number_is_milliseconds),
        cmocka_unit_test(test_gate_parse_ratio_forms),
        cmocka_unit_test(test_gate_parse_rps_and_dropped),
        cmocka_unit_test(test_gate_parse_every_comparison),
        cmocka_unit_test(test_gate_parse_filters),
        cmocka_unit_test(test_gate_parse_filter_values_bare_and_quoted),
        cmocka_unit_test(test_gate_parse_bare_metric_with_filters),
        cmocka_unit_test(test_gate_parse_tolerates_whitespace),
        cmocka_unit_test(test_gate_parse_error_names),
        cmocka_unit_test(test_gate_parse_error_aggregate_rules),
        cmocka_unit_test(test_gate_parse_error_filter_rules),
        cmocka_unit_test(test_gate_parse_error_operator_and_value),
        cmocka_unit_test_setup_teardown(test_gate_resolve_accepts_known_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_resolve_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_p95_over_known_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_aggregates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_count_and_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_count_zero_with_status_filter_is_observed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_error_rate_with_status_filter, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_checks_ratio, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_tag_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_iteration_per_scenario, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_iteration_counts_interrupted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_rps_and_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_no_samples_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_zero_duration_has_no_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_eval_empty_metrics_fail, setup, teardown),
        cmocka_unit_test(test_gate_abort_certain_needs_samples_in_the_tail),
        cmocka_unit_test(test_gate_abort_certain_when_it_can_only_get_worse),
        cmocka_unit_test(test_gate_abort_certain_never_when_holding_or_empty),
        cmocka_unit_test_setup_teardown(test_gate_abort_due_rates_over_the_span_collected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gate_abort_due_by_samples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_abort_due_after_broken_for_abort_after, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gate_abort_due_never_on_a_warning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gate_abort_due_one_slow_first_sample, setup, teardown),
        cmocka_unit_test(test_gate_format_by_metric),
        cmocka_unit_test(test_gate_unit_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
