/* Unit tests for metrics: (step, status) cells, checks, iterations, the per-second
 * series, totals, and the merge that combines workers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

/* A suite of one scenario with two steps (2 checks and 0 checks). */
struct fixture {
    struct lg_suite suite;
    struct lg_scenario sc;
    struct lg_step steps[2];
    struct lg_step *table[2];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->steps[0] = (struct lg_step){.name = "a", .id = 0, .n_checks = 2};
    f->steps[1] = (struct lg_step){.name = "b", .id = 1, .n_checks = 0};
    f->table[0] = &f->steps[0];
    f->table[1] = &f->steps[1];
    f->sc = (struct lg_scenario){.name = "s", .steps = f->steps, .n_steps = 2};
    f->suite =
        (struct lg_suite){.scenarios = &f->sc, .n_scenarios = 1, .steps = f->table, .n_steps = 2};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static struct lg_sample ok(int status, int64_t us)
{
    return (struct lg_sample){.status = status, .total_us = us, .ttfb_us = us / 2};
}

static void test_metrics_cells_by_status(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    for (int i = 1; i <= 10; i++)
        lg_metrics_record(&m, 0, &(struct lg_sample){.status = 200, .total_us = i * 1000});
    struct lg_sample e = {.status = 503, .err = LG_ERRC_HTTP_5XX, .total_us = 5000};
    lg_metrics_record(&m, 0, &e);
    struct lg_sample refused = {.status = 0, .err = LG_ERRC_CONNECT, .total_us = 100};
    lg_metrics_record(&m, 1, &refused);

    assert_int_equal(m.steps[0].n_cells, 2);
    assert_int_equal(m.steps[0].cells[0].status, 200);
    assert_int_equal(m.steps[0].cells[0].requests, 10);
    assert_int_equal(m.steps[0].cells[0].errors, 0);
    assert_int_equal(m.steps[0].cells[0].latency->total_count, 10);
    /* HdrHistogram reports the highest value equivalent to 10000 at 3 digits */
    assert_int_equal(lg_hist_max(m.steps[0].cells[0].latency), 10007);
    assert_int_equal(m.steps[0].cells[1].status, 503);
    assert_int_equal(m.steps[0].cells[1].errors_by_class[LG_ERRC_HTTP_5XX], 1);
    assert_int_equal(m.steps[1].cells[0].status, 0);
    assert_int_equal(m.steps[1].cells[0].ttfb->total_count, 0); /* no response */

    struct lg_totals t;
    lg_metrics_totals(&m, &t);
    assert_int_equal(t.requests, 12);
    assert_int_equal(t.errors, 2);
    assert_int_equal(t.errors_by_class[LG_ERRC_CONNECT], 1);
    lg_metrics_free(&m);
}

static void test_metrics_connect_and_tls_only_for_new_connections(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    struct lg_sample s = ok(200, 900);
    lg_metrics_record(&m, 0, &s);
    assert_null(m.steps[0].cells[0].connect);
    assert_null(m.steps[0].cells[0].tls);
    assert_null(m.steps[0].cells[0].dns);
    s.new_conn = true;
    s.dns_us = 0; /* an IP literal: no lookup, still the connection's sample */
    s.connect_us = 120;
    s.tls_us = 800;
    lg_metrics_record(&m, 0, &s);
    assert_int_equal(m.steps[0].cells[0].dns->total_count, 1);
    assert_int_equal(lg_hist_max(m.steps[0].cells[0].dns), 1); /* the lowest value, 1us */
    assert_int_equal(m.steps[0].cells[0].connect->total_count, 1);
    assert_int_equal(m.steps[0].cells[0].tls->total_count, 1);
    /* plain HTTP: dns and connect, no handshake */
    s.tls_us = 0;
    s.dns_us = 35;
    lg_metrics_record(&m, 0, &s);
    assert_int_equal(m.steps[0].cells[0].dns->total_count, 2);
    assert_int_equal(lg_hist_max(m.steps[0].cells[0].dns), 35);
    assert_int_equal(m.steps[0].cells[0].connect->total_count, 2);
    assert_int_equal(m.steps[0].cells[0].tls->total_count, 1);
    /* a reused connection: figures left over count for nothing */
    s.new_conn = false;
    s.connect_us = 99;
    lg_metrics_record(&m, 0, &s);
    assert_int_equal(m.steps[0].cells[0].dns->total_count, 2);
    assert_int_equal(m.steps[0].cells[0].connect->total_count, 2);

    struct lg_metrics sum;
    lg_metrics_init(&sum, &f->suite);
    lg_metrics_merge(&sum, &m);
    assert_int_equal(sum.steps[0].cells[0].dns->total_count, 2);
    lg_metrics_clear(&sum);
    assert_int_equal(sum.steps[0].cells[0].dns->total_count, 0);
    lg_metrics_free(&sum);
    lg_metrics_free(&m);
}

/* The one predicate: a response (status > 0, libcurl's result OK, whatever the
 * checks said) or a timeout is timed; a transfer libcurl failed is not. */
static void test_metrics_sample_timed_for_responses_and_timeouts(void **state)
{
    (void)state;
    static const struct {
        int status;
        enum lg_errclass err;
        bool timed;
    } cases[] = {
        {200, LG_ERRC_NONE, true},    {404, LG_ERRC_HTTP_4XX, true},  {503, LG_ERRC_HTTP_5XX, true},
        {200, LG_ERRC_CHECK, true},   {200, LG_ERRC_CAPTURE, true},   {0, LG_ERRC_TIMEOUT, true},
        {0, LG_ERRC_CONNECT, false},  {0, LG_ERRC_TLS, false},        {0, LG_ERRC_RESET, false},
        {0, LG_ERRC_REDIRECT, false}, {0, LG_ERRC_OTHER, false},      {0, LG_ERRC_CAPTURE, false},
        {0, LG_ERRC_NONE, false},     {302, LG_ERRC_REDIRECT, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lg_sample s = {.status = cases[i].status, .err = cases[i].err, .total_us = 500};
        if (lg_sample_timed(&s) != cases[i].timed)
            fail_msg("status %d class '%s': timed should be %d", cases[i].status,
                     lg_errclass_name(cases[i].err), cases[i].timed);
    }
}

/* A dead service gives requests and errors but no latency, ttfb or per-second
 * percentile: 1,000 refusals at 40us must not read as a fast service. */
static void test_metrics_no_time_sample_without_a_response(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    for (int i = 0; i < 1000; i++) {
        struct lg_sample s = {.status = 0, .err = LG_ERRC_CONNECT, .total_us = 40};
        lg_metrics_record(&m, 0, &s);
    }
    struct lg_sample reset = {
        .status = 0, .err = LG_ERRC_RESET, .total_us = 300, .new_conn = true, .connect_us = 50};
    lg_metrics_record(&m, 0, &reset);
    struct lg_sample loop = {.status = 0, .err = LG_ERRC_REDIRECT, .total_us = 900, .ttfb_us = 80};
    lg_metrics_record(&m, 0, &loop);
    const struct lg_cell *c = &m.steps[0].cells[0];
    assert_int_equal(m.steps[0].n_cells, 1);
    assert_int_equal(c->requests, 1002);
    assert_int_equal(c->errors, 1002);
    assert_int_equal(c->latency->total_count, 0);
    assert_int_equal(c->ttfb->total_count, 0);
    /* the reset's connection was established: a connect sample all the same */
    assert_int_equal(c->connect->total_count, 1);
    assert_int_equal(m.second->total_count, 0);
    assert_int_equal(m.second_requests, 1002);
    assert_int_equal(m.second_errors, 1002);
    lg_metrics_tick(&m, 0, 5);
    assert_int_equal(m.series[0].requests, 1002);
    assert_int_equal(m.series[0].p50_us, 0);
    assert_int_equal(m.series[0].p99_us, 0);
    struct lg_totals t;
    lg_metrics_totals(&m, &t);
    assert_int_equal(t.requests, 1002);
    assert_int_equal(t.responses, 0);
    lg_metrics_free(&m);
}

/* A timeout is a sample at its elapsed time (latency, ttfb when no byte came, the
 * second's percentiles), beside the responses, whatever their status. */
static void test_metrics_timeout_is_a_sample_at_its_elapsed_time(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    struct lg_sample fast = ok(200, 1000);
    lg_metrics_record(&m, 0, &fast);
    struct lg_sample boom = {
        .status = 500, .err = LG_ERRC_HTTP_5XX, .total_us = 3000, .ttfb_us = 2900};
    lg_metrics_record(&m, 0, &boom);
    struct lg_sample slow = {.status = 0, .err = LG_ERRC_TIMEOUT, .total_us = 2000000};
    lg_metrics_record(&m, 0, &slow);
    struct lg_sample late = {.status = 0,
                             .err = LG_ERRC_TIMEOUT,
                             .total_us = 2000000,
                             .ttfb_us = 100000}; /* headers came, the body did not */
    lg_metrics_record(&m, 1, &late);

    const struct lg_cell *c0 = NULL, *c500 = NULL;
    for (size_t i = 0; i < m.steps[0].n_cells; i++) {
        if (m.steps[0].cells[i].status == 0)
            c0 = &m.steps[0].cells[i];
        if (m.steps[0].cells[i].status == 500)
            c500 = &m.steps[0].cells[i];
    }
    assert_non_null(c0);
    assert_non_null(c500);
    assert_int_equal(c500->latency->total_count, 1);
    assert_int_equal(c500->ttfb->total_count, 1);
    assert_int_equal(c0->latency->total_count, 1);
    assert_int_equal(lg_hist_min(c0->latency), 1999872); /* 2s at 3 digits */
    assert_int_equal(c0->ttfb->total_count, 1);
    assert_int_equal(lg_hist_min(c0->ttfb), 1999872); /* no byte: all of it */
    assert_int_equal(lg_hist_min(m.steps[1].cells[0].ttfb), 99968);
    assert_int_equal(m.second->total_count, 4);
    lg_metrics_tick(&m, 0, 1);
    assert_int_equal(m.series[0].p99_us, 2000895);
    struct lg_totals t;
    lg_metrics_totals(&m, &t);
    assert_int_equal(t.requests, 4);
    assert_int_equal(t.responses, 2);
    assert_int_equal(t.errors_by_class[LG_ERRC_TIMEOUT], 2);
    lg_metrics_free(&m);
}

/* A request that could not be sent fails its step but is no request: not in any
 * cell, the second's counts, the totals' requests and errors, or a histogram. */
static void test_metrics_unsent_is_counted_apart(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m, other;
    lg_metrics_init(&m, &f->suite);
    lg_metrics_init(&other, &f->suite);
    lg_metrics_unsent(&m, 1, LG_UNSENT_UNSET);
    lg_metrics_unsent(&m, 1, LG_UNSENT_UNSAFE_HEADER);
    struct lg_sample s = ok(200, 700);
    lg_metrics_record(&m, 0, &s);
    lg_metrics_unsent(&other, 1, LG_UNSENT_UNSAFE_HEADER);
    assert_int_equal(m.steps[1].unsent, 2);
    assert_int_equal(m.steps[1].unsent_by[LG_UNSENT_UNSET], 1);
    assert_int_equal(m.steps[1].unsent_by[LG_UNSENT_UNSAFE_HEADER], 1);
    assert_int_equal(m.steps[1].n_cells, 0);
    assert_int_equal(m.second_requests, 1);
    assert_int_equal(m.second_errors, 0);
    struct lg_totals t;
    lg_metrics_totals(&m, &t);
    assert_int_equal(t.requests, 1);
    assert_int_equal(t.errors, 0);
    assert_int_equal(t.unsent, 2);
    assert_int_equal(t.unsent_by[LG_UNSENT_UNSAFE_HEADER], 1);
    lg_metrics_merge(&m, &other);
    assert_int_equal(m.steps[1].unsent, 3);
    assert_int_equal(m.steps[1].unsent_by[LG_UNSENT_UNSAFE_HEADER], 2);
    assert_string_equal(lg_unsent_name(LG_UNSENT_UNSAFE_HEADER), "unsafe_header");
    assert_string_equal(lg_unsent_name(LG_UNSENT_NO_LIST), "no_list");
    lg_metrics_clear(&m);
    assert_int_equal(m.steps[1].unsent, 0);
    assert_int_equal(m.steps[1].unsent_by[LG_UNSENT_UNSAFE_HEADER], 0);
    lg_metrics_free(&m);
    lg_metrics_free(&other);
}

static void test_metrics_checks_and_iterations(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    lg_metrics_check(&m, 0, 0, true);
    lg_metrics_check(&m, 0, 1, false);
    lg_metrics_check(&m, 0, 1, true);
    lg_metrics_check(&m, 0, 7, true); /* out of range: ignored */
    lg_metrics_iteration(&m, 0, 40000, 40000, false);
    lg_metrics_iteration(&m, 0, 60000, 60000, true);
    assert_int_equal(m.steps[0].check_pass[0], 1);
    assert_int_equal(m.steps[0].check_pass[1], 1);
    assert_int_equal(m.steps[0].check_fail[1], 1);
    struct lg_totals t;
    lg_metrics_totals(&m, &t);
    assert_int_equal(t.checks_passed, 2);
    assert_int_equal(t.checks_failed, 1);
    assert_int_equal(t.iterations, 2);
    assert_int_equal(t.iterations_failed, 1);
    assert_int_equal(lg_hist_max(m.scenarios[0].duration), 60031);
    lg_metrics_free(&m);
}

static void test_metrics_tick_closes_a_second(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    for (int i = 1; i <= 100; i++) {
        struct lg_sample s = ok(200, i * 1000);
        lg_metrics_record(&m, 0, &s);
    }
    struct lg_sample e = {.status = 500, .err = LG_ERRC_HTTP_5XX, .total_us = 1000};
    lg_metrics_record(&m, 0, &e);
    lg_metrics_tick(&m, 0, 5);
    lg_metrics_tick(&m, 1, 4);
    assert_int_equal(m.n_series, 2);
    assert_int_equal(m.series[0].requests, 101);
    assert_int_equal(m.series[0].errors, 1);
    assert_int_equal(m.series[0].vus, 5);
    /* 101 samples: 1ms twice (one is the 500), then 2ms .. 100ms. p50 is the 51st
     * sample (50ms) and p99 the 100th (99ms), each reported as the highest value
     * of its bucket (resolution 32us and 64us there), as HdrHistogram does. */
    assert_int_equal(m.series[0].p50_us, 50015);
    assert_int_equal(m.series[0].p99_us, 99007);
    assert_int_equal(m.series[1].requests, 0);
    assert_int_equal(m.series[1].p95_us, 0);
    lg_metrics_free(&m);
}

static void test_metrics_merge_equals_recording_in_one(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics a, b, one;
    lg_metrics_init(&a, &f->suite);
    lg_metrics_init(&b, &f->suite);
    lg_metrics_init(&one, &f->suite);
    for (int i = 0; i < 1000; i++) {
        struct lg_sample s = ok(i % 7 ? 200 : 404, 100 + i * 37);
        if (s.status == 404)
            s.err = LG_ERRC_HTTP_4XX;
        lg_metrics_record(i % 2 ? &a : &b, (uint32_t)(i % 2), &s);
        lg_metrics_record(&one, (uint32_t)(i % 2), &s);
    }
    lg_metrics_check(&a, 0, 0, true);
    lg_metrics_check(&b, 0, 0, false);
    lg_metrics_check(&one, 0, 0, true);
    lg_metrics_check(&one, 0, 0, false);
    lg_metrics_merge(&a, &b);
    struct lg_totals ta, to;
    lg_metrics_totals(&a, &ta);
    lg_metrics_totals(&one, &to);
    assert_memory_equal(&ta, &to, sizeof(ta));
    for (size_t s = 0; s < 2; s++) {
        assert_int_equal(a.steps[s].n_cells, one.steps[s].n_cells);
        for (size_t c = 0; c < one.steps[s].n_cells; c++) {
            const struct lg_cell *x = &one.steps[s].cells[c];
            const struct lg_cell *y = NULL;
            for (size_t k = 0; k < a.steps[s].n_cells; k++)
                if (a.steps[s].cells[k].status == x->status)
                    y = &a.steps[s].cells[k];
            assert_non_null(y);
            assert_int_equal(y->requests, x->requests);
            assert_int_equal(y->latency->total_count, x->latency->total_count);
            assert_memory_equal(y->latency->counts, x->latency->counts,
                                (size_t)x->latency->counts_len * sizeof(int64_t));
        }
    }
    lg_metrics_free(&a);
    lg_metrics_free(&b);
    lg_metrics_free(&one);
}

static void test_metrics_clear_keeps_cells_and_series(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    struct lg_sample s = ok(200, 1000);
    s.new_conn = true;
    s.connect_us = 10;
    lg_metrics_record(&m, 0, &s);
    lg_metrics_check(&m, 0, 1, false);
    lg_metrics_iteration(&m, 0, 5000, 5000, true);
    lg_metrics_tick(&m, 0, 1);
    lg_metrics_record(&m, 0, &s);
    lg_metrics_clear(&m);
    struct lg_totals t;
    lg_metrics_totals(&m, &t);
    assert_int_equal(t.requests + t.errors + t.iterations + t.checks_failed, 0);
    assert_int_equal(m.steps[0].n_cells, 1);
    assert_int_equal(m.steps[0].cells[0].latency->total_count, 0);
    assert_int_equal(m.steps[0].cells[0].connect->total_count, 0);
    assert_int_equal(m.second_requests, 0);
    assert_int_equal(m.n_series, 1);
    assert_int_equal(m.series[0].requests, 1);
    lg_metrics_free(&m);
}

static void test_metrics_take_second_moves_the_current_second(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics worker, coord;
    lg_metrics_init(&worker, &f->suite);
    lg_metrics_init(&coord, &f->suite);
    struct lg_sample s = ok(200, 3000);
    lg_metrics_record(&worker, 0, &s);
    s.err = LG_ERRC_TIMEOUT;
    lg_metrics_record(&worker, 1, &s);
    lg_metrics_take_second(&coord, &worker);
    assert_int_equal(worker.second_requests, 0);
    assert_int_equal(worker.second->total_count, 0);
    assert_int_equal(coord.second_requests, 2);
    assert_int_equal(coord.second_errors, 1);
    lg_metrics_tick(&coord, 0, 2);
    assert_int_equal(coord.series[0].requests, 2);
    assert_int_equal(coord.series[0].p99_us, 3001);
    lg_metrics_free(&worker);
    lg_metrics_free(&coord);
}

/* Each step's current second (latency.hlog's tagged lines) holds the step's time
 * samples only, is made on the step's first one, moves with take_second (made in
 * dst when needed) and is emptied by tick and clear. */
static void test_metrics_step_second_per_step(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics worker, coord;
    lg_metrics_init(&worker, &f->suite);
    lg_metrics_init(&coord, &f->suite);
    assert_null(worker.step_second[0]);
    struct lg_sample s = ok(200, 3000);
    lg_metrics_record(&worker, 0, &s);
    lg_metrics_record(&worker, 0, &s);
    struct lg_sample refused = {.err = LG_ERRC_CONNECT, .total_us = 50};
    lg_metrics_record(&worker, 1, &refused); /* no time sample: no histogram */
    assert_int_equal(worker.step_second[0]->total_count, 2);
    assert_null(worker.step_second[1]);

    lg_metrics_take_second(&coord, &worker);
    assert_int_equal(worker.step_second[0]->total_count, 0);
    assert_int_equal(coord.step_second[0]->total_count, 2);
    assert_int_equal(lg_hist_max(coord.step_second[0]), 3001);
    assert_null(coord.step_second[1]);
    /* an empty second moves nothing and makes nothing */
    lg_metrics_take_second(&coord, &worker);
    assert_null(coord.step_second[1]);
    assert_int_equal(coord.step_second[0]->total_count, 2);

    lg_metrics_tick(&coord, 0, 1);
    assert_int_equal(coord.step_second[0]->total_count, 0);
    lg_metrics_record(&worker, 0, &s);
    lg_metrics_clear(&worker);
    assert_int_equal(worker.step_second[0]->total_count, 0);
    lg_metrics_free(&worker);
    lg_metrics_free(&coord);
}

/* A check keeps its first LG_REASONS_PER_CHECK distinct reasons with a count each;
 * later distinct reasons are counted as failures only, long ones are cut. */
static void test_metrics_check_reasons_are_bounded(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    assert_null(m.steps[0].reasons[0]);
    const char *order[] = {"A", "B", "A", "C", "D", "C", "A", "D", NULL, ""};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        lg_metrics_check_failed(&m, 0, 0, order[i]);
    lg_metrics_check_failed(&m, 0, 9, "out of range: ignored");
    assert_int_equal(m.steps[0].check_fail[0], 10);
    const struct lg_reasons *rs = m.steps[0].reasons[0];
    assert_non_null(rs);
    assert_int_equal(rs->n, 3);
    assert_string_equal(rs->v[0].text, "A");
    assert_int_equal(rs->v[0].count, 3);
    assert_string_equal(rs->v[1].text, "B");
    assert_int_equal(rs->v[1].count, 1);
    assert_string_equal(rs->v[2].text, "C");
    assert_int_equal(rs->v[2].count, 2);
    assert_null(m.steps[0].reasons[1]); /* never failed with a reason */

    /* 157 bytes then "é": cut before it, "..." included, 160 bytes at most */
    char longer[300];
    memset(longer, 'x', 157);
    strcpy(longer + 157, "\xc3\xa9 and more");
    lg_metrics_check_failed(&m, 0, 1, longer);
    rs = m.steps[0].reasons[1];
    assert_int_equal(strlen(rs->v[0].text), 160);
    assert_memory_equal(rs->v[0].text + 157, "...", 4);
    lg_metrics_check_failed(&m, 0, 1, longer); /* compared after the cut */
    assert_int_equal(rs->n, 1);
    assert_int_equal(rs->v[0].count, 2);

    /* clear forgets the reasons and keeps their memory */
    const struct lg_reasons *kept = m.steps[0].reasons[0];
    lg_metrics_clear(&m);
    assert_ptr_equal(m.steps[0].reasons[0], kept);
    assert_int_equal(m.steps[0].reasons[0]->n, 0);
    lg_metrics_check_failed(&m, 0, 0, "E");
    assert_string_equal(m.steps[0].reasons[0]->v[0].text, "E");
    lg_metrics_free(&m);
}

static void fail_n(struct lg_metrics *m, const char *why, int n)
{
    for (int i = 0; i < n; i++)
        lg_metrics_check_failed(m, 0, 0, why);
}

/* Merging unites the reasons, counting equal ones together, and keeps the most
 * frequent (ties by text): the same whichever side is merged into which. */
static void test_metrics_merge_reasons_keeps_most_frequent(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics a, b, c, empty;
    lg_metrics_init(&a, &f->suite);
    lg_metrics_init(&b, &f->suite);
    lg_metrics_init(&c, &f->suite);
    lg_metrics_init(&empty, &f->suite);
    fail_n(&a, "Z", 1);
    fail_n(&a, "Y", 1);
    fail_n(&a, "X", 5);
    fail_n(&b, "W", 3);
    fail_n(&b, "Y", 4);
    fail_n(&b, "V", 1);
    lg_metrics_merge(&c, &b); /* c = b, sorted */
    lg_metrics_merge(&c, &a);
    lg_metrics_merge(&a, &b);
    const char *want[] = {"X", "Y", "W"};
    const uint64_t counts[] = {5, 5, 3};
    for (const struct lg_metrics *m = &a;; m = &c) {
        const struct lg_reasons *rs = m->steps[0].reasons[0];
        assert_int_equal(m->steps[0].check_fail[0], 15);
        assert_int_equal(rs->n, 3);
        for (size_t i = 0; i < 3; i++) {
            assert_string_equal(rs->v[i].text, want[i]);
            assert_int_equal(rs->v[i].count, counts[i]);
        }
        if (m == &c)
            break;
    }
    /* nothing to merge allocates nothing */
    struct lg_metrics none;
    lg_metrics_init(&none, &f->suite);
    lg_metrics_merge(&empty, &none);
    lg_metrics_free(&none);
    assert_null(empty.steps[0].reasons[0]);
    lg_metrics_free(&a);
    lg_metrics_free(&b);
    lg_metrics_free(&c);
    lg_metrics_free(&empty);
}

/* A request still in flight at the end is a failure timed at its elapsed time, in
 * latency, ttfb and the second's series, like a timeout: never a fast sample. */
static void test_metrics_unfinished_is_an_error_and_a_time_sample(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    struct lg_sample s = {.err = LG_ERRC_UNFINISHED, .total_us = 12000000, .ttfb_us = 12000000};
    assert_true(lg_sample_timed(&s));
    lg_metrics_record(&m, 1, &s);
    const struct lg_cell *c = &m.steps[1].cells[0];
    assert_int_equal(c->status, 0);
    assert_int_equal(c->requests, 1);
    assert_int_equal(c->errors_by_class[LG_ERRC_UNFINISHED], 1);
    assert_int_equal(c->latency->total_count, 1);
    assert_int_equal(c->ttfb->total_count, 1);
    assert_true(lg_hist_min(c->latency) > 11980000); /* 3 significant digits */
    assert_int_equal(m.second_errors, 1);
    lg_metrics_tick(&m, 0, 0);
    assert_true(m.series[0].p99_us > 11980000);
    struct lg_totals t;
    lg_metrics_totals(&m, &t);
    assert_int_equal(t.requests, 1);
    assert_int_equal(t.errors, 1);
    assert_int_equal(t.errors_by_class[LG_ERRC_UNFINISHED], 1);
    lg_metrics_free(&m);
}

/* Interrupted iterations are their own count, apart from finished ones; failed
 * counts both; only one that ended in an unfinished request is a duration sample. */
static void test_metrics_interrupted_iterations(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics a, b;
    lg_metrics_init(&a, &f->suite);
    lg_metrics_init(&b, &f->suite);
    lg_metrics_iteration(&a, 0, 40000, 40000, false);
    lg_metrics_interrupted(&a, 0, 13000000, 13000000, true, true); /* a request hung */
    lg_metrics_interrupted(&b, 0, 700000, 700000, false, false);   /* thinking */
    lg_metrics_merge(&a, &b);
    struct lg_totals t;
    lg_metrics_totals(&a, &t);
    assert_int_equal(t.iterations, 1);
    assert_int_equal(t.iterations_interrupted, 2);
    assert_int_equal(t.iterations_failed, 1);
    assert_int_equal(a.scenarios[0].duration->total_count, 2);
    assert_true(lg_hist_max(a.scenarios[0].duration) > 12980000);
    lg_metrics_clear(&a);
    lg_metrics_totals(&a, &t);
    assert_int_equal(t.iterations_interrupted, 0);
    lg_metrics_free(&a);
    lg_metrics_free(&b);
}

/* libcurl's re-sends and the refused ones are counted per step, merged and cleared;
 * a refused one is the request's own failure, not an extra request. */
static void test_metrics_retries_per_step(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics a, b;
    lg_metrics_init(&a, &f->suite);
    lg_metrics_init(&b, &f->suite);
    struct lg_sample resent = ok(200, 1000);
    resent.retries = 2;
    lg_metrics_record(&a, 0, &resent);
    struct lg_sample refused = {.err = LG_ERRC_RESET, .retry_refused = true, .total_us = 500};
    lg_metrics_record(&b, 1, &refused);
    lg_metrics_record(&b, 1, &refused);
    lg_metrics_merge(&a, &b);
    assert_int_equal(a.steps[0].retries, 2);
    assert_int_equal(a.steps[0].retries_refused, 0);
    assert_int_equal(a.steps[1].retries, 0);
    assert_int_equal(a.steps[1].retries_refused, 2);
    struct lg_totals t;
    lg_metrics_totals(&a, &t);
    assert_int_equal(t.requests, 3);
    assert_int_equal(t.errors_by_class[LG_ERRC_RESET], 2);
    assert_int_equal(t.retries, 2);
    assert_int_equal(t.retries_refused, 2);
    lg_metrics_clear(&a);
    assert_int_equal(a.steps[0].retries + a.steps[1].retries_refused, 0);
    lg_metrics_free(&a);
    lg_metrics_free(&b);
}

/* Responses are counted per step by HTTP version (none without a response), and
 * connections per worker; both merge by sum and clear to zero. */
static void test_metrics_protocols_and_connections(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics a, b;
    lg_metrics_init(&a, &f->suite);
    lg_metrics_init(&b, &f->suite);
    struct lg_sample h2 = ok(200, 1000), h1 = ok(200, 900);
    h2.proto = LG_PROTO_HTTP_2;
    h1.proto = LG_PROTO_HTTP_1_1;
    struct lg_sample none = {.err = LG_ERRC_CONNECT};
    lg_metrics_record(&a, 0, &h2);
    lg_metrics_record(&a, 0, &none);
    lg_metrics_record(&b, 0, &h2);
    lg_metrics_record(&b, 1, &h1);
    a.connections = 2;
    b.connections = 5;
    lg_metrics_merge(&a, &b);
    assert_int_equal(a.steps[0].protocols[LG_PROTO_HTTP_2], 2);
    assert_int_equal(a.steps[0].protocols[LG_PROTO_HTTP_1_1], 0);
    assert_int_equal(a.steps[0].protocols[LG_PROTO_NONE], 1);
    assert_int_equal(a.steps[1].protocols[LG_PROTO_HTTP_1_1], 1);
    struct lg_totals t;
    lg_metrics_totals(&a, &t);
    assert_int_equal(t.connections, 7);
    lg_metrics_clear(&a);
    assert_int_equal(a.steps[0].protocols[LG_PROTO_HTTP_2], 0);
    assert_int_equal(a.connections, 0);
    assert_string_equal(lg_proto_name(LG_PROTO_HTTP_2), "HTTP/2");
    assert_string_equal(lg_proto_name(LG_PROTO_HTTP_1_1), "HTTP/1.1");
    assert_int_equal(lg_proto_from_name("HTTP/1.0"), LG_PROTO_HTTP_1_0);
    assert_int_equal(lg_proto_from_name("h2"), LG_PROTO_NONE);
    lg_metrics_free(&a);
    lg_metrics_free(&b);
}

static void test_metrics_errclass_names(void **state)
{
    assert_string_equal(lg_errclass_name(LG_ERRC_TIMEOUT), "timeout");
    assert_string_equal(lg_errclass_name(LG_ERRC_HTTP_4XX), "http_4xx");
    assert_string_equal(lg_errclass_name(LG_ERRC_REDIRECT), "redirect");
    assert_string_equal(lg_errclass_name(LG_ERRC_UNFINISHED), "unfinished");
    assert_string_equal(lg_errclass_name(LG_ERRC_NONE), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_metrics_cells_by_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_connect_and_tls_only_for_new_connections,
                                        setup, teardown),
        cmocka_unit_test(test_metrics_sample_timed_for_responses_and_timeouts),
        cmocka_unit_test_setup_teardown(test_metrics_no_time_sample_without_a_response, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_metrics_timeout_is_a_sample_at_its_elapsed_time, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_metrics_unsent_is_counted_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_checks_and_iterations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_tick_closes_a_second, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_merge_equals_recording_in_one, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_metrics_clear_keeps_cells_and_series, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_take_second_moves_the_current_second, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_metrics_step_second_per_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_check_reasons_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_merge_reasons_keeps_most_frequent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_metrics_unfinished_is_an_error_and_a_time_sample,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_interrupted_iterations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_retries_per_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_protocols_and_connections, setup, teardown),
        cmocka_unit_test(test_metrics_errclass_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
