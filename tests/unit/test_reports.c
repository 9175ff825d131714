/* Unit tests for reports: result.json's exact layout and values, the reader's round
 * trip and its error messages on broken files, the atomic write, and the terminal
 * summary compared byte for byte with a fixed expected text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "hist.h"
#include "report.h"
#include "util.h"

#define DATA LG_TEST_DATA "/reports/"

/* ---- a hand-built result ------------------------------------------------------------ */

static struct lg_count *counts(size_t n, const char *const *names, const uint64_t *v)
{
    struct lg_count *c = lg_calloc(n, sizeof(*c));
    for (size_t i = 0; i < n; i++) {
        c[i].name = lg_strdup(names[i]);
        c[i].count = v[i];
    }
    return c;
}

static void threshold(struct lg_result_threshold *t, const char *expr, const char *severity,
                      bool ok, double observed, const char *unit, const char *text)
{
    t->expr = lg_strdup(expr);
    t->severity = lg_strdup(severity);
    t->ok = ok;
    t->observed = observed;
    t->unit = lg_strdup(unit);
    t->observed_text = lg_strdup(text);
}

/* Drops a check's reasons. */
static void drop_reasons(struct lg_result_check *c)
{
    for (size_t i = 0; i < c->n_reasons; i++)
        free(c->reasons[i].name);
    free(c->reasons);
    c->reasons = NULL;
    c->n_reasons = 0;
}

/* Two steps: "start" with 1..1000 us (exact percentiles: every value below 2048 has
 * its own bucket) and checks, one failing; a long-named step with 100 x 12.345 ms
 * and one 250 ms (where buckets are 8 us wide: 12345 reads as 12351) and no checks. */
static struct lg_result *make_result(void)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->verdict = LG_VERDICT_FAIL;
    r->suite = lg_strdup("trivia");
    r->file = lg_strdup("scenarios/trivia/suite.yaml");
    r->env = lg_strdup("staging");
    r->profile = NULL;
    r->base_url = lg_strdup("http://127.0.0.1:8080");
    r->started_at = lg_strdup("2026-11-22T10:00:00Z");
    r->loadgate_version = lg_strdup("0.1.0");
    r->vus = 20;
    r->duration_s = 10.0;
    r->requests = 1101;
    r->errors = 12;
    r->iterations = 617;
    r->iterations_failed = 3;
    r->dropped_iterations = 2;
    r->checks_passed = 1998;
    r->checks_failed = 2;
    r->rps = 110.1;
    r->error_classes =
        counts(2, (const char *const[]){"timeout", "http_5xx"}, (const uint64_t[]){2, 10});
    r->n_error_classes = 2;

    r->n_steps = 2;
    r->steps = lg_calloc(2, sizeof(*r->steps));
    struct lg_result_step *s = &r->steps[0];
    s->scenario = lg_strdup("guest-session");
    s->name = lg_strdup("start");
    s->requests = 1000;
    s->errors = 2;
    s->status = counts(2, (const char *const[]){"201", "0"}, (const uint64_t[]){998, 2});
    s->n_status = 2;
    s->error_classes = counts(1, (const char *const[]){"timeout"}, (const uint64_t[]){2});
    s->n_error_classes = 1;
    s->histogram = lg_hist_new();
    for (int64_t v = 1; v <= 1000; v++)
        lg_hist_record(s->histogram, v);
    lg_latency_from_hist(s->histogram, &s->latency_ms);
    /* 998 responses (the 2 timeouts at their elapsed time too), 20 HTTPS connections */
    s->ttfb_ms = (struct lg_latency_ms){0.001, 0.4, 0.72, 0.76, 0.792, 0.8, 0.8, 0.4};
    s->ttfb_n = 1000;
    s->dns_ms = (struct lg_latency_ms){0.012, 0.015, 0.02, 0.021, 1.203, 1.203, 1.203, 0.075};
    s->dns_n = 20;
    s->connect_ms = (struct lg_latency_ms){0.05, 0.06, 0.07, 0.071, 0.09, 0.09, 0.09, 0.062};
    s->connect_n = 20;
    s->tls_ms = (struct lg_latency_ms){2.5, 3.1, 4.2, 4.4, 9.875, 9.875, 9.875, 3.333};
    s->tls_n = 20;
    s->checks_passed = 1998;
    s->checks_failed = 2;
    s->n_checks = 2;
    s->checks = lg_calloc(2, sizeof(*s->checks));
    s->checks[0].label = lg_strdup("status is 201");
    s->checks[0].passed = 998;
    s->checks[0].failed = 2;
    /* one reason kept; the other failure's reason was not */
    s->checks[0].reasons =
        counts(1, (const char *const[]){"HTTP 200, expected 201"}, (const uint64_t[]){1});
    s->checks[0].n_reasons = 1;
    s->checks[1].label = lg_strdup("$.sessionId exists");
    s->checks[1].passed = 1000;

    s = &r->steps[1];
    s->scenario = lg_strdup("leaderboard");
    s->name = lg_strdup("weekly-science-top-scores");
    s->requests = 101;
    s->errors = 10;
    s->status = counts(2, (const char *const[]){"200", "503"}, (const uint64_t[]){91, 10});
    s->n_status = 2;
    s->error_classes = counts(1, (const char *const[]){"http_5xx"}, (const uint64_t[]){10});
    s->n_error_classes = 1;
    s->histogram = lg_hist_new();
    lg_hist_record_n(s->histogram, 12345, 100);
    lg_hist_record(s->histogram, 250000);
    lg_latency_from_hist(s->histogram, &s->latency_ms);
    /* plain HTTP: one connection (no handshake), the first byte at 12.3 ms */
    s->ttfb_ms = (struct lg_latency_ms){12.3, 12.3, 12.3, 12.3, 12.3, 12.3, 12.303, 12.3};
    s->ttfb_n = 101;
    s->dns_ms = (struct lg_latency_ms){0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001};
    s->dns_n = 1;
    s->connect_ms = (struct lg_latency_ms){0.087, 0.087, 0.087, 0.087, 0.087, 0.087, 0.087, 0.087};
    s->connect_n = 1;

    r->n_scenarios = 2;
    r->scenarios = lg_calloc(2, sizeof(*r->scenarios));
    r->scenarios[0].name = lg_strdup("guest-session");
    r->scenarios[0].iterations = 500;
    r->scenarios[0].iterations_failed = 3;
    r->scenarios[0].histogram = lg_hist_new();
    lg_hist_record_n(r->scenarios[0].histogram, 1500, 500);
    lg_latency_from_hist(r->scenarios[0].histogram, &r->scenarios[0].iteration_ms);
    r->scenarios[1].name = lg_strdup("leaderboard");
    r->scenarios[1].iterations = 117;
    r->scenarios[1].histogram = lg_hist_new();
    lg_hist_record_n(r->scenarios[1].histogram, 12400, 117);
    lg_latency_from_hist(r->scenarios[1].histogram, &r->scenarios[1].iteration_ms);

    r->n_thresholds = 5;
    r->thresholds = lg_calloc(5, sizeof(*r->thresholds));
    threshold(&r->thresholds[0], "p95(latency) < 500ms", "critical", true, 0.95, "ms", "950us");
    threshold(&r->thresholds[1], "error_rate < 1%", "critical", false, 0.0109, "ratio", "1.09%");
    threshold(&r->thresholds[2], "p99(latency{step=mint}) < 1s", "critical", false, 0, "ms",
              "no samples");
    r->thresholds[2].no_samples = true;
    threshold(&r->thresholds[3], "p99(latency) < 10ms", "warning", false, 12.351, "ms", "12.4ms");
    threshold(&r->thresholds[4], "error_rate < 5%", "critical", true, 0.0109, "ratio", "1.09%");
    r->thresholds[4].abort = true;

    r->n_series = 2;
    r->series = lg_calloc(2, sizeof(*r->series));
    r->series[0] = (struct lg_result_point){0, 550, 6, 20, 0.5, 0.95, 12.351, NULL};
    r->series[1] = (struct lg_result_point){1, 551, 6, 20, 0.501, 0.951, 250.111, NULL};
    return r;
}

/* The same run in the open model: 619 iterations due at up to 62/s, 2 dropped, 150
 * of them waited about 1.2 s for a VU; the harness lagged 410 us. The steps'
 * uncorrected figures are lower than the corrected ones (1..500 us twice each, and
 * 101 x 12.345 ms); the first scenario has uncorrected figures, the second none. */
static struct lg_result *make_open_result(void)
{
    struct lg_result *r = make_result();
    struct lg_result_schedule *sc = &r->schedule;
    sc->open = true;
    sc->peak_rate_per_s = 62.0;
    sc->max_vus = 50;
    sc->max_lateness_s = 10.0;
    sc->scheduled = 619;
    sc->started = 617;
    sc->dropped = 2;
    sc->waited = 150;
    sc->sustained = true;
    struct lg_hist *h = lg_hist_new();
    lg_hist_record_n(h, 410, 617);
    lg_latency_from_hist(h, &sc->lag_ms);
    lg_hist_reset(h);
    lg_hist_record_n(h, 1200000, 150);
    lg_latency_from_hist(h, &sc->wait_ms);
    lg_hist_free(h);

    struct lg_result_step *s = &r->steps[0];
    s->has_uncorrected = true;
    s->histogram_uncorrected = lg_hist_new();
    for (int64_t v = 1; v <= 1000; v++)
        lg_hist_record(s->histogram_uncorrected, (v + 1) / 2);
    lg_latency_from_hist(s->histogram_uncorrected, &s->latency_uncorrected_ms);
    s = &r->steps[1];
    s->has_uncorrected = true;
    s->histogram_uncorrected = lg_hist_new();
    lg_hist_record_n(s->histogram_uncorrected, 12345, 101);
    lg_latency_from_hist(s->histogram_uncorrected, &s->latency_uncorrected_ms);

    struct lg_result_scenario *c = &r->scenarios[0];
    c->has_uncorrected = true;
    c->histogram_uncorrected = lg_hist_new();
    lg_hist_record_n(c->histogram_uncorrected, 1100, 500);
    lg_latency_from_hist(c->histogram_uncorrected, &c->iteration_uncorrected_ms);
    return r;
}

static int setup(void **state)
{
    *state = make_result();
    return 0;
}

static int setup_open(void **state)
{
    *state = make_open_result();
    return 0;
}

static int teardown(void **state)
{
    lg_result_free(*state);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------- */

static json_t *to_jansson(const struct lg_result *r)
{
    char *s = lg_result_to_json(r);
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    free(s);
    assert_non_null(j);
    return j;
}

/* The object's keys, in order, joined with ','. */
static void assert_keys(json_t *o, const char *expected)
{
    assert_true(json_is_object(o));
    struct lg_buf b = {0};
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (b.len)
            lg_buf_putc(&b, ',');
        lg_buf_puts(&b, k);
    }
    assert_string_equal(b.data ? b.data : "", expected);
    lg_buf_free(&b);
}

/* The value at a dotted path: "steps.0.latency_ms.p95" (numbers index arrays). */
static json_t *at(json_t *j, const char *path)
{
    char *copy = lg_strdup(path), *save = NULL;
    for (char *k = strtok_r(copy, ".", &save); k && j; k = strtok_r(NULL, ".", &save))
        j = json_is_array(j) ? json_array_get(j, strtoul(k, NULL, 10)) : json_object_get(j, k);
    free(copy);
    assert_non_null(j);
    return j;
}

static double num(json_t *j, const char *path)
{
    json_t *v = at(j, path);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static char *text_of(const struct lg_result *r, bool color)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    assert_non_null(f);
    lg_report_text(r, f, color);
    fclose(f);
    return s;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct lg_buf b = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        lg_buf_append(&b, buf, n);
    fclose(f);
    return lg_buf_take(&b);
}

static char *make_tmpdir(void)
{
    char *d = lg_strdup("/tmp/lg_test_reports.XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

/* Names in dir, sorted, joined with ','. */
static char *dir_list(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    struct lg_buf b = {0};
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            if (b.len)
                lg_buf_putc(&b, ',');
            lg_buf_puts(&b, names[i]->d_name);
        }
        free(names[i]);
    }
    free(names);
    return lg_buf_take(&b);
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = lg_asprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- result.c: small pieces ------------------------------------------------------- */

static void test_reports_verdict_names(void **state)
{
    assert_string_equal(lg_verdict_name(LG_VERDICT_PASS), "pass");
    assert_string_equal(lg_verdict_name(LG_VERDICT_FAIL), "fail");
    assert_string_equal(lg_verdict_name(LG_VERDICT_ABORTED), "aborted");
}

static void test_reports_latency_from_hist_exact_percentiles(void **state)
{
    struct lg_hist *h = lg_hist_new();
    for (int64_t v = 1; v <= 1000; v++)
        lg_hist_record(h, v);
    struct lg_latency_ms l;
    lg_latency_from_hist(h, &l);
    assert_true(l.min == 0.001);
    assert_true(l.p50 == 0.5);
    assert_true(l.p90 == 0.9);
    assert_true(l.p95 == 0.95);
    assert_true(l.p99 == 0.99);
    assert_true(l.p999 == 0.999);
    assert_true(l.max == 1.0);
    assert_true(l.mean == 0.501); /* 500.5 us, rounded to whole microseconds */

    /* Above 2048 us buckets are wider: 12345 us reads as its bucket's highest value. */
    lg_hist_reset(h);
    lg_hist_record_n(h, 12345, 100);
    lg_hist_record(h, 250000);
    lg_latency_from_hist(h, &l);
    assert_true(l.p50 == 12.351);
    assert_true(l.p99 == 12.351);
    assert_true(l.p999 == 250.111);
    assert_true(l.max == 250.111);
    lg_hist_free(h);
}

static void test_reports_latency_from_empty_or_null_hist_is_zero(void **state)
{
    struct lg_latency_ms l;
    memset(&l, 0xff, sizeof(l));
    lg_latency_from_hist(NULL, &l);
    struct lg_latency_ms zero = {0};
    assert_memory_equal(&l, &zero, sizeof(l));

    struct lg_hist *h = lg_hist_new();
    memset(&l, 0xff, sizeof(l));
    lg_latency_from_hist(h, &l);
    assert_memory_equal(&l, &zero, sizeof(l));
    lg_hist_free(h);
}

static void test_reports_free_accepts_null_and_empty(void **state)
{
    lg_result_free(NULL);
    lg_result_free(lg_calloc(1, sizeof(struct lg_result)));
}

/* ---- json.c: layout --------------------------------------------------------------- */

#define LATENCY_KEYS "min,p50,p90,p95,p99,p999,max,mean"

static void test_reports_json_has_exact_keys_in_order(void **state)
{
    json_t *j = to_jansson(*state);
    assert_keys(
        j,
        "schema,verdict,suite,file,env,profile,base_url,started_at,loadgate_version,abort_reason,"
        "default_gate,smoke_rule,rules,config,schedule,limits,totals,thresholds,steps,"
        "scenarios,series,segment,config_hash,started_unix_ms,regression");
    assert_keys(json_object_get(j, "config"), "vus,http,multiplex,proxy");
    assert_keys(json_object_get(j, "schedule"), "model");
    assert_string_equal(json_string_value(at(j, "schedule.model")), "closed");
    assert_keys(
        json_object_get(j, "totals"),
        "requests,errors,unsent,unsent_reasons,iterations,iterations_failed,iterations_interrupted,"
        "dropped_iterations,feed_exhausted,feed_note,duration_s,rps,checks_passed,"
        "checks_failed,retries,retries_refused,connections,error_classes");
    json_t *t = json_array_get(json_object_get(j, "thresholds"), 0);
    assert_keys(t, "expr,severity,ok,observed,unit,observed_text,no_samples,abort");
    json_t *s = json_array_get(json_object_get(j, "steps"), 0);
    assert_keys(
        s, "scenario,name,requests,errors,unsent,unsent_reasons,retries,retries_refused,status,"
           "error_classes,protocols,latency_ms,ttfb_ms,dns_ms,connect_ms,tls_ms,checks,histogram");
    assert_keys(json_object_get(s, "latency_ms"), LATENCY_KEYS);
    assert_keys(json_object_get(s, "tls_ms"), "count," LATENCY_KEYS);
    assert_keys(json_object_get(s, "checks"), "passed,failed,list");
    assert_keys(json_array_get(json_object_get(json_object_get(s, "checks"), "list"), 0),
                "label,passed,failed,reasons");
    assert_keys(at(j, "steps.0.checks.list.0.reasons.0"), "text,count");
    json_t *sc = json_array_get(json_object_get(j, "scenarios"), 0);
    assert_keys(sc, "name,iterations,iterations_failed,iterations_interrupted,iteration_ms,"
                    "histogram");
    assert_keys(json_object_get(sc, "iteration_ms"), LATENCY_KEYS);
    assert_keys(json_array_get(json_object_get(j, "series"), 0),
                "t,requests,errors,vus,p50_ms,p95_ms,p99_ms");
    /* The status map keeps the result's order (ascending by code, "0" as given). */
    assert_keys(json_object_get(s, "status"), "201,0");
    assert_keys(json_object_get(json_object_get(j, "totals"), "error_classes"), "timeout,http_5xx");
    json_decref(j);
}

static void test_reports_json_values(void **state)
{
    json_t *j = to_jansson(*state);
    const char *schema, *verdict, *env, *hist;
    json_t *profile, *abort_reason;
    int default_gate;
    assert_int_equal(json_unpack(j, "{s:s, s:s, s:s, s:o, s:o, s:b}", "schema", &schema, "verdict",
                                 &verdict, "env", &env, "profile", &profile, "abort_reason",
                                 &abort_reason, "default_gate", &default_gate),
                     0);
    assert_string_equal(schema, "loadgate.result/1");
    assert_string_equal(verdict, "fail");
    assert_string_equal(env, "staging");
    assert_true(json_is_null(profile));
    assert_true(json_is_null(abort_reason));
    assert_false(default_gate);

    json_int_t vus, requests, dropped, status0, timeouts;
    assert_int_equal(json_unpack(j, "{s:{s:I}, s:{s:I, s:I, s:{s:I}}}", "config", "vus", &vus,
                                 "totals", "requests", &requests, "dropped_iterations", &dropped,
                                 "error_classes", "timeout", &timeouts),
                     0);
    assert_int_equal(vus, 20);
    assert_int_equal(requests, 1101);
    assert_int_equal(dropped, 2);
    assert_int_equal(timeouts, 2);
    assert_true(num(j, "totals.duration_s") == 10.0);
    assert_true(num(j, "totals.rps") == 110.1);

    json_t *s0 = json_array_get(json_object_get(j, "steps"), 0);
    assert_int_equal(json_unpack(s0, "{s:{s:I}}", "status", "0", &status0), 0);
    assert_int_equal(status0, 2);
    assert_true(num(s0, "latency_ms.p95") == 0.95);
    assert_true(num(s0, "latency_ms.mean") == 0.501);
    assert_int_equal(json_unpack(s0, "{s:s}", "histogram", &hist), 0);
    assert_memory_equal(hist, "HISTF", 5);
    json_t *s1 = json_array_get(json_object_get(j, "steps"), 1);
    assert_true(num(s1, "latency_ms.p50") == 12.351);
    assert_int_equal(json_array_size(json_object_get(json_object_get(s1, "checks"), "list")), 0);

    json_t *t2 = json_array_get(json_object_get(j, "thresholds"), 2);
    assert_true(json_is_true(json_object_get(t2, "no_samples")));
    assert_true(json_is_false(json_object_get(t2, "ok")));
    assert_string_equal(json_string_value(json_object_get(t2, "observed_text")), "no samples");
    json_t *t4 = json_array_get(json_object_get(j, "thresholds"), 4);
    assert_true(json_is_true(json_object_get(t4, "abort")));
    assert_true(num(t4, "observed") == 0.0109);
    json_decref(j);
}

static void test_reports_json_numbers_have_at_most_3_decimals(void **state)
{
    struct lg_result *r = *state;
    r->steps[0].latency_ms.mean = 1.23456;
    r->duration_s = 10.00040049; /* to the microsecond: every rate is divided by it */
    r->rps = 1.0 / 3.0;
    r->series[0].p99_ms = 2.0 / 3.0;
    char *s = lg_result_to_json(r);
    assert_non_null(strstr(s, "\"mean\": 1.235\n"));
    assert_non_null(strstr(s, "\"duration_s\": 10.0004,"));
    assert_non_null(strstr(s, "\"rps\": 0.333,"));
    assert_non_null(strstr(s, "\"p99_ms\": 0.667\n"));
    assert_non_null(strstr(s, "\"p95\": 0.95,"));
    assert_non_null(strstr(s, "\"requests\": 1101,"));
    assert_int_equal(s[strlen(s) - 1], '\n');
    free(s);
}

static void test_reports_json_never_writes_invalid_strings_or_numbers(void **state)
{
    struct lg_result *r = *state;
    free(r->steps[0].name);
    r->steps[0].name = lg_strdup("bad \xff\xfe utf-8 \"quoted\"\n");
    free(r->steps[0].status[0].name);
    r->steps[0].status[0].name = lg_strdup("\xc0\x80");
    r->thresholds[0].observed = 0.0 / 0.0;
    r->rps = 1.0 / 0.0;
    free(r->suite);
    r->suite = NULL;
    char *s = lg_result_to_json(r);
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    assert_non_null(j);
    json_t *s0 = json_array_get(json_object_get(j, "steps"), 0);
    assert_string_equal(json_string_value(json_object_get(s0, "name")),
                        "bad \xef\xbf\xbd\xef\xbf\xbd utf-8 \"quoted\"\n");
    assert_keys(json_object_get(s0, "status"), "\xef\xbf\xbd\xef\xbf\xbd,0");
    assert_true(num(j, "totals.rps") == 0.0);
    assert_string_equal(json_string_value(json_object_get(j, "suite")), "");
    json_decref(j);
    free(s);
}

/* ---- json.c: the open model ------------------------------------------------------- */

#define OPEN_SCHEDULE_KEYS                                                                         \
    "model,peak_rate_per_s,max_vus,max_lateness_s,scheduled,started,dropped,waited,lag_ms,"        \
    "wait_ms,sustained,note"

static void test_reports_json_open_model_has_exact_keys_in_order(void **state)
{
    json_t *j = to_jansson(*state);
    assert_keys(
        j,
        "schema,verdict,suite,file,env,profile,base_url,started_at,loadgate_version,abort_reason,"
        "default_gate,smoke_rule,rules,config,schedule,limits,totals,thresholds,steps,"
        "scenarios,series,segment,config_hash,started_unix_ms,regression");
    json_t *sc = json_object_get(j, "schedule");
    assert_keys(sc, OPEN_SCHEDULE_KEYS);
    assert_keys(json_object_get(sc, "lag_ms"), LATENCY_KEYS);
    assert_keys(json_object_get(sc, "wait_ms"), LATENCY_KEYS);
    for (size_t i = 0; i < 2; i++) {
        json_t *s = json_array_get(json_object_get(j, "steps"), i);
        assert_keys(
            s, "scenario,name,requests,errors,unsent,unsent_reasons,retries,retries_refused,status,"
               "error_classes,protocols,latency_ms,latency_uncorrected_ms,ttfb_ms,dns_ms,"
               "connect_ms,tls_ms,checks,histogram,histogram_uncorrected");
        assert_keys(json_object_get(s, "latency_uncorrected_ms"), LATENCY_KEYS);
    }
    json_t *c0 = json_array_get(json_object_get(j, "scenarios"), 0);
    assert_keys(c0, "name,iterations,iterations_failed,iterations_interrupted,iteration_ms,"
                    "iteration_uncorrected_ms,histogram,histogram_uncorrected");
    assert_keys(json_object_get(c0, "iteration_uncorrected_ms"), LATENCY_KEYS);
    /* Only where the engine gave uncorrected figures. */
    assert_keys(json_array_get(json_object_get(j, "scenarios"), 1),
                "name,iterations,iterations_failed,iterations_interrupted,iteration_ms,histogram");
    json_decref(j);
}

static void test_reports_json_open_model_values(void **state)
{
    json_t *j = to_jansson(*state);
    const char *model;
    json_int_t max_vus, scheduled, started, dropped, waited;
    int sustained;
    json_t *note;
    assert_int_equal(json_unpack(j, "{s:{s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:o}}", "schedule",
                                 "model", &model, "max_vus", &max_vus, "scheduled", &scheduled,
                                 "started", &started, "dropped", &dropped, "waited", &waited,
                                 "sustained", &sustained, "note", &note),
                     0);
    assert_string_equal(model, "open");
    assert_int_equal(max_vus, 50);
    assert_int_equal(scheduled, 619);
    assert_int_equal(started, 617);
    assert_int_equal(dropped, 2);
    assert_int_equal(waited, 150);
    assert_true(sustained);
    assert_true(json_is_null(note));
    assert_true(num(j, "schedule.peak_rate_per_s") == 62.0);
    assert_true(num(j, "schedule.max_lateness_s") == 10.0);
    assert_true(num(j, "schedule.lag_ms.p99") == 0.41);
    assert_true(num(j, "schedule.wait_ms.p99") == 1200.127);

    /* Corrected figures stay primary; the uncorrected ones sit beside them. */
    assert_true(num(j, "steps.0.latency_ms.p99") == 0.99);
    assert_true(num(j, "steps.0.latency_uncorrected_ms.p99") == 0.495);
    assert_true(num(j, "steps.1.latency_uncorrected_ms.max") == 12.351);
    assert_true(num(j, "scenarios.0.iteration_uncorrected_ms.p50") == 1.1);

    const char *enc = json_string_value(at(j, "steps.0.histogram_uncorrected"));
    assert_non_null(enc);
    struct lg_hist *h = NULL;
    assert_int_equal(lg_hist_decode(enc, &h), 0);
    assert_int_equal(h->total_count, 1000);
    assert_int_equal(lg_hist_percentile(h, 50.0), 250);
    assert_int_equal(lg_hist_max(h), 500);
    lg_hist_free(h);

    struct lg_result *r = *state;
    r->schedule.note = lg_strdup("could not keep the asked rate");
    json_decref(j);
    j = to_jansson(r);
    assert_string_equal(json_string_value(at(j, "schedule.note")), "could not keep the asked rate");
    json_decref(j);
}

/* Uncorrected figures that reach a closed-model result are not written: its
 * result.json and summary stay as they were before the open model. */
static void test_reports_json_closed_model_writes_no_uncorrected_figures(void **state)
{
    struct lg_result *r = *state;
    r->steps[0].has_uncorrected = true;
    r->steps[0].histogram_uncorrected = lg_hist_new();
    r->scenarios[0].has_uncorrected = true;
    json_t *j = to_jansson(r);
    assert_keys(json_object_get(j, "schedule"), "model");
    assert_keys(
        json_array_get(json_object_get(j, "steps"), 0),
        "scenario,name,requests,errors,unsent,unsent_reasons,retries,retries_refused,status,"
        "error_classes,protocols,latency_ms,ttfb_ms,dns_ms,connect_ms,tls_ms,checks,histogram");
    assert_keys(json_array_get(json_object_get(j, "scenarios"), 0),
                "name,iterations,iterations_failed,iterations_interrupted,iteration_ms,histogram");
    json_decref(j);
}

/* ---- result.c: reader --------------------------------------------------------------- */

static void assert_latency_equal(const struct lg_latency_ms *a, const struct lg_latency_ms *b)
{
    assert_true(a->min == b->min && a->p50 == b->p50 && a->p90 == b->p90 && a->p95 == b->p95 &&
                a->p99 == b->p99 && a->p999 == b->p999 && a->max == b->max && a->mean == b->mean);
}

static void assert_str_or_null_equal(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_counts_equal(const struct lg_count *a, size_t na, const struct lg_count *b,
                                size_t nb)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(a[i].name, b[i].name);
        assert_int_equal(a[i].count, b[i].count);
    }
}

static void assert_hist_equal(const struct lg_hist *a, const struct lg_hist *b)
{
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->total_count, b->total_count);
    assert_int_equal(lg_hist_min(a), lg_hist_min(b));
    assert_int_equal(lg_hist_max(a), lg_hist_max(b));
    const double ps[] = {0, 10, 50, 90, 95, 99, 99.9, 100};
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
        assert_int_equal(lg_hist_percentile(a, ps[i]), lg_hist_percentile(b, ps[i]));
    assert_int_equal(a->counts_len, b->counts_len);
    assert_memory_equal(a->counts, b->counts, (size_t)a->counts_len * sizeof(int64_t));
}

static void assert_schedule_equal(const struct lg_result_schedule *a,
                                  const struct lg_result_schedule *b)
{
    assert_int_equal(a->open, b->open);
    assert_true(a->peak_rate_per_s == b->peak_rate_per_s);
    assert_int_equal(a->max_vus, b->max_vus);
    assert_true(a->max_lateness_s == b->max_lateness_s);
    assert_int_equal(a->scheduled, b->scheduled);
    assert_int_equal(a->started, b->started);
    assert_int_equal(a->dropped, b->dropped);
    assert_latency_equal(&a->lag_ms, &b->lag_ms);
    assert_latency_equal(&a->wait_ms, &b->wait_ms);
    assert_int_equal(a->waited, b->waited);
    assert_int_equal(a->sustained, b->sustained);
    assert_str_or_null_equal(a->note, b->note);
}

static void assert_result_equal(const struct lg_result *a, const struct lg_result *b)
{
    assert_int_equal(a->verdict, b->verdict);
    assert_str_or_null_equal(a->suite, b->suite);
    assert_str_or_null_equal(a->file, b->file);
    assert_str_or_null_equal(a->env, b->env);
    assert_str_or_null_equal(a->profile, b->profile);
    assert_str_or_null_equal(a->base_url, b->base_url);
    assert_str_or_null_equal(a->started_at, b->started_at);
    assert_str_or_null_equal(a->loadgate_version, b->loadgate_version);
    assert_str_or_null_equal(a->abort_reason, b->abort_reason);
    assert_int_equal(a->has_segment, b->has_segment);
    assert_int_equal(a->segment_index, b->segment_index);
    assert_int_equal(a->segment_count, b->segment_count);
    assert_str_or_null_equal(a->config_hash, b->config_hash);
    assert_int_equal(a->started_unix_ms, b->started_unix_ms);
    assert_int_equal(a->default_gate, b->default_gate);
    assert_int_equal(a->smoke_rule, b->smoke_rule);
    assert_int_equal(a->n_rules, b->n_rules);
    for (size_t i = 0; i < a->n_rules; i++) {
        assert_string_equal(a->rules[i].name, b->rules[i].name);
        assert_int_equal(a->rules[i].ok, b->rules[i].ok);
        assert_string_equal(a->rules[i].text, b->rules[i].text);
    }
    assert_int_equal(a->unsent, b->unsent);
    assert_int_equal(a->feed_exhausted, b->feed_exhausted);
    assert_str_or_null_equal(a->feed_note, b->feed_note);
    assert_int_equal(a->vus, b->vus);
    assert_str_or_null_equal(a->http, b->http);
    assert_int_equal(a->multiplex, b->multiplex);
    assert_str_or_null_equal(a->proxy, b->proxy);
    assert_str_or_null_equal(a->proxy_variable, b->proxy_variable);
    assert_int_equal(a->connections, b->connections);
    assert_true(a->duration_s == b->duration_s);
    assert_int_equal(a->requests, b->requests);
    assert_int_equal(a->errors, b->errors);
    assert_int_equal(a->iterations, b->iterations);
    assert_int_equal(a->iterations_failed, b->iterations_failed);
    assert_int_equal(a->iterations_interrupted, b->iterations_interrupted);
    assert_int_equal(a->dropped_iterations, b->dropped_iterations);
    assert_int_equal(a->retries, b->retries);
    assert_int_equal(a->retries_refused, b->retries_refused);
    assert_int_equal(a->checks_passed, b->checks_passed);
    assert_int_equal(a->checks_failed, b->checks_failed);
    assert_true(a->rps == b->rps);
    assert_schedule_equal(&a->schedule, &b->schedule);
    assert_int_equal(a->limits.has, b->limits.has);
    assert_true(a->limits.max_rate_per_s == b->limits.max_rate_per_s);
    assert_int_equal(a->limits.max_vus, b->limits.max_vus);
    assert_int_equal(a->limits.vus_asked, b->limits.vus_asked);
    assert_int_equal(a->limits.vus_capped, b->limits.vus_capped);
    assert_true(a->limits.rate_asked_per_s == b->limits.rate_asked_per_s);
    assert_int_equal(a->limits.rate_capped, b->limits.rate_capped);
    assert_int_equal(a->limits.paced, b->limits.paced);
    assert_counts_equal(a->error_classes, a->n_error_classes, b->error_classes, b->n_error_classes);
    assert_counts_equal(a->unsent_reasons, a->n_unsent_reasons, b->unsent_reasons,
                        b->n_unsent_reasons);

    assert_int_equal(a->n_steps, b->n_steps);
    for (size_t i = 0; i < a->n_steps; i++) {
        const struct lg_result_step *x = &a->steps[i], *y = &b->steps[i];
        assert_string_equal(x->scenario, y->scenario);
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->requests, y->requests);
        assert_int_equal(x->errors, y->errors);
        assert_int_equal(x->unsent, y->unsent);
        assert_int_equal(x->retries, y->retries);
        assert_int_equal(x->retries_refused, y->retries_refused);
        assert_counts_equal(x->status, x->n_status, y->status, y->n_status);
        assert_counts_equal(x->error_classes, x->n_error_classes, y->error_classes,
                            y->n_error_classes);
        assert_counts_equal(x->unsent_reasons, x->n_unsent_reasons, y->unsent_reasons,
                            y->n_unsent_reasons);
        assert_counts_equal(x->protocols, x->n_protocols, y->protocols, y->n_protocols);
        assert_latency_equal(&x->latency_ms, &y->latency_ms);
        assert_latency_equal(&x->ttfb_ms, &y->ttfb_ms);
        assert_latency_equal(&x->dns_ms, &y->dns_ms);
        assert_latency_equal(&x->connect_ms, &y->connect_ms);
        assert_latency_equal(&x->tls_ms, &y->tls_ms);
        assert_int_equal(x->ttfb_n, y->ttfb_n);
        assert_int_equal(x->dns_n, y->dns_n);
        assert_int_equal(x->connect_n, y->connect_n);
        assert_int_equal(x->tls_n, y->tls_n);
        assert_hist_equal(x->histogram, y->histogram);
        assert_int_equal(x->has_uncorrected, y->has_uncorrected);
        if (x->has_uncorrected) {
            assert_latency_equal(&x->latency_uncorrected_ms, &y->latency_uncorrected_ms);
            assert_hist_equal(x->histogram_uncorrected, y->histogram_uncorrected);
        }
        assert_int_equal(x->checks_passed, y->checks_passed);
        assert_int_equal(x->checks_failed, y->checks_failed);
        assert_int_equal(x->n_checks, y->n_checks);
        for (size_t k = 0; k < x->n_checks; k++) {
            assert_string_equal(x->checks[k].label, y->checks[k].label);
            assert_int_equal(x->checks[k].passed, y->checks[k].passed);
            assert_int_equal(x->checks[k].failed, y->checks[k].failed);
            assert_counts_equal(x->checks[k].reasons, x->checks[k].n_reasons, y->checks[k].reasons,
                                y->checks[k].n_reasons);
        }
    }

    assert_int_equal(a->n_scenarios, b->n_scenarios);
    for (size_t i = 0; i < a->n_scenarios; i++) {
        const struct lg_result_scenario *x = &a->scenarios[i], *y = &b->scenarios[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->iterations, y->iterations);
        assert_int_equal(x->iterations_failed, y->iterations_failed);
        assert_int_equal(x->iterations_interrupted, y->iterations_interrupted);
        assert_latency_equal(&x->iteration_ms, &y->iteration_ms);
        assert_hist_equal(x->histogram, y->histogram);
        assert_int_equal(x->has_uncorrected, y->has_uncorrected);
        if (x->has_uncorrected) {
            assert_latency_equal(&x->iteration_uncorrected_ms, &y->iteration_uncorrected_ms);
            assert_hist_equal(x->histogram_uncorrected, y->histogram_uncorrected);
        }
    }

    assert_int_equal(a->n_thresholds, b->n_thresholds);
    for (size_t i = 0; i < a->n_thresholds; i++) {
        const struct lg_result_threshold *x = &a->thresholds[i], *y = &b->thresholds[i];
        assert_string_equal(x->expr, y->expr);
        assert_string_equal(x->severity, y->severity);
        assert_int_equal(x->ok, y->ok);
        assert_int_equal(x->no_samples, y->no_samples);
        assert_int_equal(x->abort, y->abort);
        assert_true(x->observed == y->observed);
        assert_string_equal(x->unit, y->unit);
        assert_string_equal(x->observed_text, y->observed_text);
    }

    assert_int_equal(a->n_series, b->n_series);
    for (size_t i = 0; i < a->n_series; i++) {
        const struct lg_result_point *x = &a->series[i], *y = &b->series[i];
        assert_int_equal(x->t_s, y->t_s);
        assert_int_equal(x->requests, y->requests);
        assert_int_equal(x->errors, y->errors);
        assert_int_equal(x->vus, y->vus);
        assert_true(x->p50_ms == y->p50_ms && x->p95_ms == y->p95_ms && x->p99_ms == y->p99_ms);
    }
    assert_int_equal(a->baseline.has, b->baseline.has);
    assert_str_or_null_equal(a->baseline.file, b->baseline.file);
    assert_str_or_null_equal(a->baseline.started_at, b->baseline.started_at);
    assert_str_or_null_equal(a->baseline.severity, b->baseline.severity);
    assert_true(a->baseline.budget == b->baseline.budget);
    assert_true(a->baseline.confidence == b->baseline.confidence);
    assert_int_equal(a->baseline.histogram == NULL, b->baseline.histogram == NULL);
    if (a->baseline.histogram)
        assert_hist_equal(a->baseline.histogram, b->baseline.histogram);
    assert_int_equal(a->baseline.n_steps, b->baseline.n_steps);
    for (size_t i = 0; i < a->baseline.n_steps; i++) {
        const struct lg_result_baseline_step *x = &a->baseline.steps[i], *y = &b->baseline.steps[i];
        assert_string_equal(x->scenario, y->scenario);
        assert_string_equal(x->step, y->step);
        assert_hist_equal(x->histogram, y->histogram);
    }
    assert_int_equal(a->n_regressions, b->n_regressions);
    for (size_t i = 0; i < a->n_regressions; i++) {
        const struct lg_result_regression *x = &a->regressions[i], *y = &b->regressions[i];
        assert_str_or_null_equal(x->scenario, y->scenario);
        assert_str_or_null_equal(x->step, y->step);
        assert_str_or_null_equal(x->metric, y->metric);
        assert_str_or_null_equal(x->status, y->status);
        assert_int_equal(x->has_base, y->has_base);
        assert_int_equal(x->has_new, y->has_new);
        assert_int_equal(x->has_base_lo, y->has_base_lo);
        assert_int_equal(x->has_base_hi, y->has_base_hi);
        assert_int_equal(x->has_new_lo, y->has_new_lo);
        assert_int_equal(x->has_new_hi, y->has_new_hi);
        assert_true(x->base == y->base && x->new == y->new);
        assert_true(x->base_lo == y->base_lo && x->base_hi == y->base_hi);
        assert_true(x->new_lo == y->new_lo && x->new_hi == y->new_hi);
    }
    const struct lg_result_regset *ga = &a->regression, *gb = &b->regression;
    assert_int_equal(ga->has, gb->has);
    assert_true(ga->budget == gb->budget && ga->confidence == gb->confidence);
    assert_int_equal(ga->metrics, gb->metrics);
    assert_int_equal(ga->budget_from, gb->budget_from);
    assert_int_equal(ga->metrics_from, gb->metrics_from);
    assert_int_equal(ga->confidence_from, gb->confidence_from);
    assert_int_equal(ga->n_steps, gb->n_steps);
    for (size_t i = 0; i < ga->n_steps; i++) {
        assert_string_equal(ga->steps[i].scenario, gb->steps[i].scenario);
        assert_string_equal(ga->steps[i].step, gb->steps[i].step);
        assert_true(ga->steps[i].budget == gb->steps[i].budget);
        assert_int_equal(ga->steps[i].metrics, gb->steps[i].metrics);
    }
}

static void test_reports_read_json_round_trip_is_exact(void **state)
{
    struct lg_result *r = *state;
    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/result.json", dir);
    assert_int_equal(lg_result_write_json(r, path), 0);

    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(lg_result_read_json(path, &back, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_result_equal(r, back);

    /* And writing what was read gives the same bytes. */
    char *first = slurp(path), *second = lg_result_to_json(back);
    assert_string_equal(first, second);

    free(first);
    free(second);
    lg_result_free(back);
    rm_dir(dir);
    free(path);
    free(dir);
}

/* Interrupted iterations and libcurl's retries: written in totals, per step and per
 * scenario, and read back exactly. */
static void set_interrupted_and_retries(struct lg_result *r)
{
    r->iterations_interrupted = 4;
    r->iterations_failed = 7; /* 3 finished and failed, 4 interrupted with a request unfinished */
    r->scenarios[0].iterations_interrupted = 4;
    r->scenarios[0].iterations_failed = 7;
    r->retries = 9;
    r->retries_refused = 5;
    r->steps[0].retries = 9;
    r->steps[1].retries_refused = 5;
}

static void test_reports_json_interrupted_and_retries_round_trip(void **state)
{
    struct lg_result *r = *state;
    set_interrupted_and_retries(r);
    json_t *j = to_jansson(r);
    assert_true(num(j, "totals.iterations_interrupted") == 4);
    assert_true(num(j, "totals.retries") == 9);
    assert_true(num(j, "totals.retries_refused") == 5);
    json_t *s0 = json_array_get(json_object_get(j, "steps"), 0);
    json_t *s1 = json_array_get(json_object_get(j, "steps"), 1);
    assert_true(num(s0, "retries") == 9 && num(s0, "retries_refused") == 0);
    assert_true(num(s1, "retries") == 0 && num(s1, "retries_refused") == 5);
    json_t *c0 = json_array_get(json_object_get(j, "scenarios"), 0);
    assert_true(num(c0, "iterations_interrupted") == 4 && num(c0, "iterations_failed") == 7);
    char *text = lg_result_to_json(r);
    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(lg_result_from_json(text, strlen(text), NULL, &back, err, sizeof(err)), 0);
    assert_result_equal(r, back);
    lg_result_free(back);
    free(text);
    json_decref(j);
}

static void test_reports_read_json_aborted_result_with_nulls(void **state)
{
    struct lg_result *r = *state;
    r->verdict = LG_VERDICT_ABORTED;
    r->abort_reason = lg_strdup("interrupted by SIGINT");
    free(r->env);
    r->env = NULL;
    free(r->base_url);
    r->base_url = NULL;
    r->default_gate = true;
    char *s = lg_result_to_json(r);
    struct lg_result *back = NULL;
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_result_equal(r, back);
    lg_result_free(back);
    free(s);
}

/* smoke_rule is written after default_gate and read back; older files without it
 * read as false. */
static void test_reports_smoke_rule_round_trip(void **state)
{
    struct lg_result *r = *state;
    r->smoke_rule = true;
    char *s = lg_result_to_json(r);
    assert_non_null(strstr(s, "\"default_gate\": false,\n  \"smoke_rule\": true,\n"));
    struct lg_result *back = NULL;
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_true(back->smoke_rule);
    assert_result_equal(r, back);
    lg_result_free(back);
    free(s);

    json_t *j = to_jansson(r);
    json_object_del(j, "smoke_rule");
    s = json_dumps(j, 0);
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_false(back->smoke_rule);
    lg_result_free(back);
    free(s);
    json_object_set_new(j, "smoke_rule", json_string("yes"));
    s = json_dumps(j, 0);
    char err[256] = "";
    back = NULL;
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, err, sizeof(err)), LG_ESYNTAX);
    assert_string_equal(err, "result.json: smoke_rule: expected true or false");
    assert_null(back);
    free(s);
    json_decref(j);
}

/* loadgate_version follows started_at and reads back; older files without it (or
 * with null) read as NULL. */
static void test_reports_loadgate_version_round_trip(void **state)
{
    struct lg_result *r = *state;
    char *s = lg_result_to_json(r);
    assert_non_null(strstr(s, "\"started_at\": \"2026-11-22T10:00:00Z\",\n"
                              "  \"loadgate_version\": \"0.1.0\",\n"));
    struct lg_result *back = NULL;
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_string_equal(back->loadgate_version, "0.1.0");
    lg_result_free(back);
    free(s);

    json_t *j = to_jansson(r);
    json_object_del(j, "loadgate_version");
    s = json_dumps(j, 0);
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_null(back->loadgate_version);
    lg_result_free(back);
    free(s);
    json_object_set_new(j, "loadgate_version", json_null());
    s = json_dumps(j, 0);
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_null(back->loadgate_version);
    lg_result_free(back);
    free(s);
    json_decref(j);
}

/* A result.json edited by hand, or made by another tool, with a password in its base
 * URL: the result read back holds it hidden, so that no report shows it. */
static void test_reports_read_json_hides_a_base_url_password(void **state)
{
    struct lg_result *r = *state;
    json_t *j = to_jansson(r);
    json_object_set_new(j, "base_url", json_string("https://admin:hunter2@api.example/v1"));
    char *s = json_dumps(j, 0);
    struct lg_result *back = NULL;
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_string_equal(back->base_url, "https://admin:***@api.example/v1");
    char *md = lg_report_markdown(back), *txt = text_of(back, false), *html = lg_report_html(back);
    assert_null(strstr(md, "hunter2"));
    assert_null(strstr(txt, "hunter2"));
    assert_null(strstr(html, "hunter2"));
    assert_non_null(strstr(md, "admin:\\*\\*\\*@api.example"));
    free(md);
    free(txt);
    free(html);
    lg_result_free(back);
    free(s);
    json_decref(j);
}

static void test_reports_null_histogram_is_written_empty(void **state)
{
    struct lg_result *r = *state;
    lg_hist_free(r->steps[1].histogram);
    r->steps[1].histogram = NULL;
    char *s = lg_result_to_json(r);
    struct lg_result *back = NULL;
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_non_null(back->steps[1].histogram);
    assert_int_equal(back->steps[1].histogram->total_count, 0);
    lg_result_free(back);
    free(s);
}

static void expect_file_error(const char *name, int rc, const char *msg)
{
    char *path = lg_asprintf(DATA "%s", name);
    char *want = lg_asprintf("%s: %s", path, msg);
    struct lg_result *out = (struct lg_result *)(uintptr_t)1; /* must stay untouched */
    char err[512] = "";
    assert_int_equal(lg_result_read_json(path, &out, err, sizeof(err)), rc);
    assert_string_equal(err, want);
    assert_ptr_equal(out, (struct lg_result *)(uintptr_t)1);
    free(want);
    free(path);
}

static void test_reports_read_json_broken_files_give_exact_errors(void **state)
{
    expect_file_error("missing_totals.json", LG_ESYNTAX, "missing key 'totals'");
    expect_file_error("bad_schema.json", LG_ESYNTAX,
                      "unsupported schema \"loadgate.result/2\" (expected \"loadgate.result/1\")");
    expect_file_error("bad_verdict.json", LG_ESYNTAX,
                      "verdict: expected \"pass\", \"fail\" or \"aborted\", got \"maybe\"");
    expect_file_error("not_an_object.json", LG_ESYNTAX,
                      "not a loadgate result: expected a JSON object at the top level");
    expect_file_error("wrong_type.json", LG_ESYNTAX, "steps[0].latency_ms.p95: expected a number");
    expect_file_error("negative_count.json", LG_ESYNTAX,
                      "steps[0].status.200: expected a non-negative integer");
    expect_file_error("missing_histogram.json", LG_ESYNTAX, "steps[0]: missing key 'histogram'");
    expect_file_error("bad_histogram.json", LG_ESYNTAX,
                      "steps[0].histogram: not a valid HdrHistogram V2 encoding");
    expect_file_error(
        "bad_severity.json", LG_ESYNTAX,
        "thresholds[0].severity: expected \"critical\" or \"warning\", got \"fatal\"");
    expect_file_error("does_not_exist.json", LG_EIO, "No such file or directory");

    /* another tool's JSON (a k6 summary): said so, not "missing key" */
    const char *k6 = "{\"metrics\": {\"http_reqs\": {\"count\": 10}}}";
    struct lg_result *out = NULL;
    char err[256] = "";
    assert_int_equal(lg_result_from_json(k6, strlen(k6), "k6.json", &out, err, sizeof(err)),
                     LG_ESYNTAX);
    assert_string_equal(err, "k6.json: not a loadgate result: no \"schema\" key (expected "
                             "\"loadgate.result/1\")");
    assert_null(out);
}

static void test_reports_read_json_invalid_json_names_line_and_column(void **state)
{
    char *path = lg_asprintf(DATA "truncated.json");
    struct lg_result *out = NULL;
    char err[512];
    assert_int_equal(lg_result_read_json(path, &out, err, sizeof(err)), LG_ESYNTAX);
    char *want = lg_asprintf("%s:4:0: invalid JSON: string or '}' expected near end of file", path);
    assert_string_equal(err, want);
    assert_null(out);
    free(want);
    free(path);

    assert_int_equal(lg_result_from_json("{\"schema\": 1,}", 14, "x.json", &out, err, sizeof(err)),
                     LG_ESYNTAX);
    assert_string_equal(err, "x.json:1:14: invalid JSON: string or '}' expected near '}'");
}

static void test_reports_read_json_directory_is_io_error(void **state)
{
    struct lg_result *out = NULL;
    char err[512];
    assert_int_equal(lg_result_read_json(LG_TEST_DATA, &out, err, sizeof(err)), LG_EIO);
    assert_null(out);
}

/* Every key removed, and every value replaced by each wrong type and by a truncated
 * document: the reader returns 0 or LG_ESYNTAX with a message, never crashes or
 * leaks (ASan runs this too). */
static int mutations;

static void try_doc(json_t *root, bool expect_fail)
{
    char *s = json_dumps(root, 0);
    struct lg_result *out = NULL;
    char err[512] = "";
    int rc = lg_result_from_json(s, strlen(s), NULL, &out, err, sizeof(err));
    if (rc) {
        assert_int_equal(rc, LG_ESYNTAX);
        assert_null(out);
        assert_memory_equal(err, "result.json: ", 13);
    } else {
        assert_false(expect_fail);
        lg_result_free(out);
    }
    mutations++;
    free(s);
}

static void mutate(json_t *root, json_t *node)
{
    json_t *wrong[] = {json_string("x"), json_true(),   json_integer(-1), json_real(1.5),
                       json_array(),     json_object(), json_null()};
    size_t nwrong = sizeof(wrong) / sizeof(wrong[0]);
    if (json_is_object(node)) {
        /* Snapshot the keys: a key put back goes to the end of the object. */
        size_t n = json_object_size(node), i = 0;
        char **keys = lg_calloc(n, sizeof(*keys));
        const char *k;
        json_t *v;
        json_object_foreach(node, k, v)
        {
            keys[i++] = lg_strdup(k);
        }
        for (i = 0; i < n; i++) {
            json_t *keep = json_incref(json_object_get(node, keys[i]));
            json_object_del(node, keys[i]);
            try_doc(root, false);
            for (size_t w = 0; w < nwrong; w++) {
                json_object_set(node, keys[i], wrong[w]);
                try_doc(root, false);
            }
            json_object_set_new(node, keys[i], keep);
            mutate(root, keep);
            free(keys[i]);
        }
        free(keys);
    } else if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++) {
            json_t *keep = json_incref(json_array_get(node, i));
            for (size_t w = 0; w < nwrong; w++) {
                json_array_set(node, i, wrong[w]);
                try_doc(root, false);
            }
            json_array_set_new(node, i, keep);
            mutate(root, keep);
        }
    }
    for (size_t i = 0; i < nwrong; i++)
        json_decref(wrong[i]);
}

static void test_reports_read_json_survives_every_mutation(void **state)
{
    json_t *root = to_jansson(*state);
    mutations = 0;
    mutate(root, root);
    assert_true(mutations > 500);

    /* Required keys are required. */
    const char *required[] = {"schema", "verdict", "totals", "thresholds", "steps"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        json_t *copy = json_deep_copy(root);
        json_object_del(copy, required[i]);
        try_doc(copy, true);
        json_decref(copy);
    }

    /* Every prefix of the text. */
    char *s = lg_result_to_json(*state);
    size_t len = strlen(s);
    for (size_t n = 0; n < len - 1; n += 7) {
        struct lg_result *out = NULL;
        char err[512];
        assert_int_equal(lg_result_from_json(s, n, NULL, &out, err, sizeof(err)), LG_ESYNTAX);
        assert_null(out);
    }
    free(s);
    json_decref(root);
}

/* ---- result.c: reading the open model ----------------------------------------------- */

static void test_reports_read_json_open_round_trip_is_exact(void **state)
{
    struct lg_result *r = *state;
    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/result.json", dir);
    assert_int_equal(lg_result_write_json(r, path), 0);

    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(lg_result_read_json(path, &back, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_true(back->schedule.open);
    assert_false(back->scenarios[1].has_uncorrected);
    assert_null(back->scenarios[1].histogram_uncorrected);
    assert_result_equal(r, back);
    char *first = slurp(path), *second = lg_result_to_json(back);
    assert_string_equal(first, second);
    free(first);
    free(second);
    lg_result_free(back);

    /* Not sustained, with a note, and a NULL uncorrected histogram (written empty). */
    r->schedule.sustained = false;
    r->schedule.note = lg_strdup("could not keep the asked rate: 2 of 619 iterations dropped "
                                 "(no free VU within 10s); raise max_vus");
    lg_hist_free(r->steps[1].histogram_uncorrected);
    r->steps[1].histogram_uncorrected = NULL;
    char *s = lg_result_to_json(r);
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_false(back->schedule.sustained);
    assert_string_equal(back->schedule.note, r->schedule.note);
    assert_non_null(back->steps[1].histogram_uncorrected);
    assert_int_equal(back->steps[1].histogram_uncorrected->total_count, 0);
    r->steps[1].histogram_uncorrected = lg_hist_new(); /* what was written */
    assert_result_equal(r, back);
    lg_result_free(back);
    free(s);

    rm_dir(dir);
    free(path);
    free(dir);
}

/* A new string: text with addition inserted right after the first occurrence of
 * anchor (which must occur). Frees text. */
static char *insert_after(char *text, const char *anchor, const char *addition)
{
    const char *at = strstr(text, anchor);
    if (!at)
        fail_msg("'%s' not found", anchor);
    size_t cut = (size_t)(at - text) + strlen(anchor);
    char *out = lg_asprintf("%.*s%s%s", (int)cut, text, addition, text + cut);
    free(text);
    return out;
}

/* Reads root (serialised) into *out; returns the reader's code. */
static int read_doc(json_t *root, struct lg_result **out, char *err, size_t errlen)
{
    char *s = json_dumps(root, 0);
    int rc = lg_result_from_json(s, strlen(s), NULL, out, err, errlen);
    free(s);
    return rc;
}

#define HASH_A "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* `run --segment`: "segment", "config_hash" and "started_unix_ms" round-trip
 * exactly; null or absent read as none; a broken one is refused, saying where. */
static void test_reports_segment_round_trip(void **state)
{
    struct lg_result *r = *state;
    r->has_segment = true;
    r->segment_index = 3;
    r->segment_count = 7;
    r->config_hash = lg_strdup(HASH_A);
    r->started_unix_ms = 1796565600250;
    char *s = lg_result_to_json(r);
    assert_non_null(strstr(s, "  \"segment\": {\n    \"index\": 3,\n    \"count\": 7\n  },\n"
                              "  \"config_hash\": \"" HASH_A "\",\n"
                              "  \"started_unix_ms\": 1796565600250,\n"));
    struct lg_result *back = NULL;
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_result_equal(r, back);
    char *again = lg_result_to_json(back);
    assert_string_equal(s, again);
    free(again);
    lg_result_free(back);
    free(s);

    json_t *j = to_jansson(r);
    json_object_set_new(j, "segment", json_null());
    json_object_del(j, "config_hash");
    json_object_del(j, "started_unix_ms");
    char err[256] = "";
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_false(back->has_segment);
    assert_int_equal(back->segment_index + back->segment_count, 0);
    assert_null(back->config_hash);
    assert_int_equal(back->started_unix_ms, 0);
    lg_result_free(back);
    json_decref(j);

    static const struct {
        const char *key, *value, *err;
    } bad[] = {
        {"segment", "{\"index\": 0, \"count\": 3}",
         "result.json: segment: expected 1 <= index <= count <= 1000, got 0/3"},
        {"segment", "{\"index\": 4, \"count\": 3}",
         "result.json: segment: expected 1 <= index <= count <= 1000, got 4/3"},
        {"segment", "{\"index\": 1, \"count\": 1001}",
         "result.json: segment: expected 1 <= index <= count <= 1000, got 1/1001"},
        {"segment", "{\"count\": 3}", "result.json: segment: missing key 'index'"},
        {"segment", "\"1/3\"", "result.json: segment: expected an object"},
        {"config_hash", "\"sha256:ABC\"",
         "result.json: config_hash: expected \"sha256:\" and 64 lowercase hex digits"},
        {"config_hash", "7", "result.json: config_hash: expected a string"},
        {"started_unix_ms", "-1", "result.json: started_unix_ms: expected a non-negative integer"},
        {"started_unix_ms", "1.5", "result.json: started_unix_ms: expected a non-negative integer"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        j = to_jansson(r);
        json_error_t e;
        json_object_set_new(j, bad[i].key, json_loads(bad[i].value, JSON_DECODE_ANY, &e));
        back = NULL;
        assert_int_equal(read_doc(j, &back, err, sizeof(err)), LG_ESYNTAX);
        assert_null(back);
        assert_string_equal(err, bad[i].err);
        json_decref(j);
    }
}

/* A check's reasons: optional as a whole, each with its text and count; a broken
 * one is named by its path. */
static void test_reports_read_json_check_reasons(void **state)
{
    json_t *j = to_jansson(*state);
    json_t *check = at(j, "steps.0.checks.list.0");
    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_int_equal(back->steps[0].checks[0].n_reasons, 1);
    assert_string_equal(back->steps[0].checks[0].reasons[0].name, "HTTP 200, expected 201");
    assert_int_equal(back->steps[0].checks[0].reasons[0].count, 1);
    assert_int_equal(back->steps[0].checks[1].n_reasons, 0);
    lg_result_free(back);

    json_object_del(at(check, "reasons.0"), "count");
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), LG_ESYNTAX);
    assert_string_equal(err,
                        "result.json: steps[0].checks.list[0].reasons[0]: missing key 'count'");
    json_object_set_new(check, "reasons", json_string("HTTP 500"));
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), LG_ESYNTAX);
    assert_string_equal(err, "result.json: steps[0].checks.list[0].reasons: expected an array");
    json_object_set_new(check, "reasons", json_pack("[{s:i, s:i}]", "text", 1, "count", 1));
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), LG_ESYNTAX);
    assert_string_equal(err,
                        "result.json: steps[0].checks.list[0].reasons[0].text: expected a string");
    json_object_del(check, "reasons");
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_null(back->steps[0].checks[0].reasons);
    lg_result_free(back);
    json_decref(j);
}

static void test_reports_read_json_without_schedule_is_closed(void **state)
{
    /* An open-model document with "schedule" taken out reads as closed, and the
     * uncorrected figures, which only the open model has, are ignored. */
    json_t *j = to_jansson(*state);
    json_object_del(j, "schedule");
    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    struct lg_result_schedule closed = {0};
    assert_schedule_equal(&back->schedule, &closed);
    assert_false(back->steps[0].has_uncorrected);
    assert_null(back->steps[0].histogram_uncorrected);
    assert_false(back->scenarios[0].has_uncorrected);
    assert_null(back->scenarios[0].histogram_uncorrected);
    lg_result_free(back);
    json_decref(j);

    /* A file written before the open model (and the smoke rule, the rules, limits, unsent
     * requests, spent feeds, interrupted iterations, retries and check reasons)
     * loads, and writes back the same bytes with only those keys added, each zero,
     * false, empty or null. */
    const char *path = DATA "closed_before_schedule.json";
    assert_int_equal(lg_result_read_json(path, &back, err, sizeof(err)), 0);
    assert_false(back->schedule.open);
    assert_false(back->smoke_rule);
    assert_int_equal(back->n_rules, 0);
    assert_int_equal(back->unsent, 0);
    assert_int_equal(back->feed_exhausted, 0);
    assert_null(back->feed_note);
    assert_int_equal(back->vus, 2);
    assert_null(back->loadgate_version);
    assert_int_equal(back->steps[0].requests, 4);
    assert_int_equal(back->steps[0].unsent, 0);
    assert_int_equal(back->iterations_interrupted, 0);
    assert_int_equal(back->retries + back->retries_refused, 0);
    char *now = lg_result_to_json(back);
    char *want = insert_after(slurp(path), "  \"default_gate\": true,\n",
                              "  \"smoke_rule\": false,\n  \"rules\": [],\n");
    want = insert_after(want, "  \"started_at\": \"2026-11-22T10:00:00Z\",\n",
                        "  \"loadgate_version\": null,\n");
    want = insert_after(want, "    \"vus\": 2",
                        ",\n    \"http\": null,\n    \"multiplex\": false,\n"
                        "    \"proxy\": null");
    want = insert_after(want, "    \"proxy\": null\n  },\n",
                        "  \"schedule\": {\n    \"model\": \"closed\"\n  },\n"
                        "  \"limits\": null,\n");
    want = insert_after(want, "    \"errors\": 0,\n",
                        "    \"unsent\": 0,\n    \"unsent_reasons\": {},\n");
    want = insert_after(want, "\n    \"iterations_failed\": 0,\n",
                        "    \"iterations_interrupted\": 0,\n");
    want = insert_after(want, "    \"dropped_iterations\": 0,\n",
                        "    \"feed_exhausted\": 0,\n    \"feed_note\": null,\n");
    want = insert_after(want, "\n    \"checks_failed\": 0,\n",
                        "    \"retries\": 0,\n    \"retries_refused\": 0,\n"
                        "    \"connections\": 0,\n");
    want = insert_after(want, "      \"error_classes\": {},\n", "      \"protocols\": {},\n");
    want =
        insert_after(want, "      \"errors\": 0,\n",
                     "      \"unsent\": 0,\n      \"unsent_reasons\": {},\n      \"retries\": 0,\n"
                     "      \"retries_refused\": 0,\n");
    want = insert_after(want, "\n      \"iterations_failed\": 0,\n",
                        "      \"iterations_interrupted\": 0,\n");
    want = insert_after(want, "        \"mean\": 1.375\n      },\n",
                        "      \"ttfb_ms\": null,\n      \"dns_ms\": null,\n"
                        "      \"connect_ms\": null,\n      \"tls_ms\": null,\n");
    assert_int_equal(back->steps[0].ttfb_n + back->steps[0].dns_n + back->steps[0].connect_n +
                         back->steps[0].tls_n,
                     0);
    assert_null(back->steps[0].checks[0].reasons);
    assert_int_equal(back->steps[0].checks[0].n_reasons, 0);
    const char *check_end = "\"failed\": 0\n          }";
    char *at_end = strstr(want, check_end);
    assert_non_null(at_end);
    char *with_reasons = lg_asprintf("%.*s\"failed\": 0,\n            \"reasons\": []%s",
                                     (int)(at_end - want), want, at_end + strlen("\"failed\": 0"));
    free(want);
    want = with_reasons;
    size_t wlen = strlen(want);
    assert_true(wlen > 2 && !strcmp(want + wlen - 2, "}\n"));
    char *with_segment = lg_asprintf("%.*s,\n  \"segment\": null,\n  \"config_hash\": null,\n"
                                     "  \"started_unix_ms\": 0,\n  \"regression\": null\n}\n",
                                     (int)(wlen - 3), want);
    free(want);
    want = with_segment;
    assert_false(back->has_segment);
    assert_null(back->config_hash);
    assert_int_equal(back->started_unix_ms, 0);
    assert_string_equal(now, want);
    free(want);
    free(now);
    lg_result_free(back);
}

/* The HTTP version asked for, multiplexing, the proxy, the connections and each
 * step's protocols are written, read back exactly and shown: the third header line,
 * and the protocols per step when some response came in another version. */
static void free_counts_for_test(struct lg_result_step *s)
{
    for (size_t i = 0; i < s->n_protocols; i++)
        free(s->protocols[i].name);
    free(s->protocols);
    s->protocols = NULL;
    s->n_protocols = 0;
}

static void test_reports_http_proxy_protocols_round_trip_and_text(void **state)
{
    struct lg_result *r = *state;
    r->http = lg_strdup("2");
    r->multiplex = true;
    r->proxy = lg_strdup("proxy.local:3128");
    r->proxy_variable = lg_strdup("http_proxy");
    r->connections = 3;
    struct lg_result_step *s0 = &r->steps[0];
    s0->protocols =
        counts(2, (const char *const[]){"HTTP/1.1", "HTTP/2"}, (const uint64_t[]){8, 990});
    s0->n_protocols = 2;
    json_t *j = to_jansson(r);
    assert_keys(at(j, "config.proxy"), "host,variable");
    assert_string_equal(json_string_value(at(j, "config.http")), "2");
    assert_true(json_is_true(at(j, "config.multiplex")));
    assert_string_equal(json_string_value(at(j, "config.proxy.host")), "proxy.local:3128");
    assert_string_equal(json_string_value(at(j, "config.proxy.variable")), "http_proxy");
    assert_int_equal(json_integer_value(at(j, "totals.connections")), 3);
    assert_keys(at(j, "steps.0.protocols"), "HTTP/1.1,HTTP/2");
    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_result_equal(r, back);
    lg_result_free(back);
    json_decref(j);

    char *t = text_of(r, false);
    assert_non_null(strstr(t, " · 2 dropped\n  HTTP/2, multiplexed · 3 connections opened · via "
                              "proxy proxy.local:3128 (http_proxy)\n\n  step "));
    assert_non_null(strstr(t, "\n\n  protocols (asked HTTP/2):\n"
                              "    guest-session/start  HTTP/1.1 8, HTTP/2 990\n\n  errors: "));
    free(t);
    /* every response as asked, no proxy, one connection per VU: no protocols lines */
    free_counts_for_test(s0);
    s0->protocols = counts(1, (const char *const[]){"HTTP/2"}, (const uint64_t[]){998});
    s0->n_protocols = 1;
    r->multiplex = false;
    free(r->proxy);
    r->proxy = NULL;
    t = text_of(r, false);
    assert_non_null(strstr(t, "\n  HTTP/2, one connection per VU · 3 connections opened\n\n"));
    assert_null(strstr(t, "protocols"));
    free(t);
}

static void expect_doc_error(json_t *root, const char *msg)
{
    struct lg_result *out = NULL;
    char err[512] = "";
    assert_int_equal(read_doc(root, &out, err, sizeof(err)), LG_ESYNTAX);
    assert_string_equal(err, msg);
    assert_null(out);
}

/* An environment's limits: written after "schedule" with nulls for the caps it
 * did not set, read back exactly; none is null, and absent reads as none. */
static void test_reports_limits_round_trip(void **state)
{
    struct lg_result *r = *state;
    json_t *j = to_jansson(r);
    assert_true(json_is_null(json_object_get(j, "limits")));
    json_decref(j);

    r->limits = (struct lg_result_limits){.has = true,
                                          .max_rate_per_s = 50,
                                          .max_vus = 10,
                                          .vus_asked = 20,
                                          .vus_capped = true,
                                          .paced = 140};
    j = to_jansson(r);
    assert_keys(json_object_get(j, "limits"), "max_rate_per_s,max_vus,vus_asked,vus_capped,"
                                              "rate_asked_per_s,rate_capped,requests_paced");
    assert_true(num(j, "limits.max_rate_per_s") == 50 && num(j, "limits.max_vus") == 10);
    assert_true(num(j, "limits.vus_asked") == 20 && num(j, "limits.requests_paced") == 140);
    assert_true(json_is_true(at(j, "limits.vus_capped")));
    assert_true(json_is_null(at(j, "limits.rate_asked_per_s")));
    assert_true(json_is_false(at(j, "limits.rate_capped")));
    json_decref(j);
    char *text = lg_result_to_json(r);
    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(lg_result_from_json(text, strlen(text), NULL, &back, err, sizeof(err)), 0);
    assert_result_equal(r, back);
    lg_result_free(back);
    free(text);

    /* Only a rate cap, which capped the open model's arrivals. */
    r->limits = (struct lg_result_limits){
        .has = true, .max_rate_per_s = 0.5, .rate_asked_per_s = 200, .rate_capped = true};
    text = lg_result_to_json(r);
    assert_int_equal(lg_result_from_json(text, strlen(text), NULL, &back, err, sizeof(err)), 0);
    assert_result_equal(r, back);
    lg_result_free(back);
    free(text);

    j = to_jansson(r);
    json_object_set_new(json_object_get(j, "limits"), "max_vus", json_string("ten"));
    expect_doc_error(j, "result.json: limits.max_vus: expected a number");
    json_object_set_new(json_object_get(j, "limits"), "max_vus", json_real(2.5));
    expect_doc_error(j, "result.json: limits.max_vus: expected a number of virtual users");
    json_object_del(j, "limits");
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_false(back->limits.has);
    lg_result_free(back);
    json_decref(j);
}

/* The phases of a step: {"count", then latency_ms's keys} with samples, null
 * without; read back exactly, absent or null as none, a broken one named. */
static void test_reports_step_phases_written_and_read(void **state)
{
    struct lg_result *r = *state;
    json_t *j = to_jansson(r);
    assert_true(num(j, "steps.0.tls_ms.count") == 20 && num(j, "steps.0.tls_ms.max") == 9.875);
    assert_true(num(j, "steps.0.dns_ms.count") == 20 && num(j, "steps.0.dns_ms.p99") == 1.203);
    assert_true(num(j, "steps.0.ttfb_ms.count") == 1000 && num(j, "steps.0.ttfb_ms.p50") == 0.4);
    assert_true(num(j, "steps.1.connect_ms.count") == 1 &&
                num(j, "steps.1.connect_ms.min") == 0.087);
    assert_true(num(j, "steps.1.dns_ms.mean") == 0.001);
    assert_true(json_is_null(at(j, "steps.1.tls_ms")));
    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_int_equal(back->steps[1].tls_n, 0);
    assert_true(back->steps[1].tls_ms.max == 0);
    assert_int_equal(back->steps[0].tls_n, 20);
    assert_true(back->steps[0].tls_ms.mean == 3.333);
    lg_result_free(back);

    /* absent: as in results written before phases were recorded */
    json_object_del(json_array_get(json_object_get(j, "steps"), 0), "dns_ms");
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_int_equal(back->steps[0].dns_n, 0);
    assert_true(back->steps[0].dns_ms.p99 == 0);
    assert_int_equal(back->steps[0].connect_n, 20);
    lg_result_free(back);

    json_t *tls = at(j, "steps.0.tls_ms");
    json_object_del(tls, "p95");
    expect_doc_error(j, "result.json: steps[0].tls_ms: missing key 'p95'");
    json_object_del(tls, "count");
    expect_doc_error(j, "result.json: steps[0].tls_ms: missing key 'count'");
    json_object_set_new(tls, "count", json_integer(-1));
    expect_doc_error(j, "result.json: steps[0].tls_ms.count: expected a non-negative integer");
    json_object_set_new(json_array_get(json_object_get(j, "steps"), 0), "ttfb_ms",
                        json_string("fast"));
    expect_doc_error(j, "result.json: steps[0].ttfb_ms: expected an object");
    json_decref(j);
}

/* The markdown and junit reports and the text summary of r, one string (caller frees). */
static char *all_reports(const struct lg_result *r, const char *dir)
{
    char *md_path = lg_asprintf("%s/summary.md", dir);
    assert_int_equal(lg_report_markdown_file(r, md_path), 0);
    char *md = slurp(md_path), *xml = lg_report_junit(r), *txt = text_of(r, false);
    char *all = lg_asprintf("%s\n----\n%s\n----\n%s", md, xml, txt);
    free(md_path);
    free(md);
    free(xml);
    free(txt);
    return all;
}

static void add_regression(struct lg_result *r, const char *scenario, const char *step,
                           const char *metric, const char *status)
{
    r->regressions = lg_realloc(r->regressions, (r->n_regressions + 1) * sizeof(*r->regressions));
    r->regressions[r->n_regressions++] = (struct lg_result_regression){
        .scenario = scenario ? lg_strdup(scenario) : NULL,
        .step = step ? lg_strdup(step) : NULL,
        .metric = lg_strdup(metric),
        .status = lg_strdup(status),
    };
}

/* `run --baseline`: "baseline" and "regressions" written only with a baseline, read
 * back exactly (nulls for a side without a value or a bound), absent as none, and
 * every report rendered from the read-back result is the same bytes; a broken
 * entry is named. */
static void test_reports_baseline_round_trip(void **state)
{
    struct lg_result *r = *state;
    json_t *j = to_jansson(r);
    assert_null(json_object_get(j, "baseline"));
    assert_null(json_object_get(j, "regressions"));
    json_decref(j);

    r->baseline = (struct lg_result_baseline){.has = true,
                                              .file = lg_strdup("accepted/result.json"),
                                              .started_at = lg_strdup("2026-12-01T10:00:00Z"),
                                              .budget = 0.1,
                                              .confidence = 0.99,
                                              .severity = lg_strdup("critical")};
    add_regression(r, NULL, NULL, "p95", "regression");
    struct lg_result_regression *g = &r->regressions[0];
    g->has_base = g->has_new = g->has_base_lo = g->has_base_hi = g->has_new_lo = true;
    g->base = 109.631;
    g->new = 141.055;
    g->base_lo = 109.248;
    g->base_hi = 110.079;
    g->new_lo = 1.0 / 3.0; /* settled to 15 significant digits */
    add_regression(r, "cmp", "a|b <i>&amp; \"q\"", "error_rate", "inconclusive");
    g = &r->regressions[1];
    g->has_base = g->has_new = g->has_base_lo = g->has_base_hi = g->has_new_lo = g->has_new_hi =
        true;
    g->new = 0.002;
    g->base_hi = 0.0088;
    g->new_hi = 0.0101;
    add_regression(r, "cmp", "board", "p99", "ok");
    lg_result_settle(r);
    assert_true(r->regressions[0].new_lo == 0.333333333333333);

    j = to_jansson(r);
    assert_keys(json_object_get(j, "baseline"), "file,started_at,budget,confidence,severity");
    json_t *a = json_object_get(j, "regressions");
    assert_int_equal(json_array_size(a), 3);
    assert_keys(json_array_get(a, 0),
                "scenario,step,metric,status,base,new,base_bounds,new_bounds");
    assert_true(json_is_null(at(j, "regressions.0.scenario")));
    assert_true(json_is_null(at(j, "regressions.0.new_bounds.hi")));
    assert_true(json_is_null(at(j, "regressions.2.base")));
    assert_true(num(j, "regressions.0.base") == 109.631 && num(j, "baseline.budget") == 0.1);
    assert_string_equal(json_string_value(at(j, "regressions.1.step")), "a|b <i>&amp; \"q\"");
    json_decref(j);

    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/result.json", dir);
    assert_int_equal(lg_result_write_json(r, path), 0);
    struct lg_result *back = NULL;
    char err[512] = "";
    assert_int_equal(lg_result_read_json(path, &back, err, sizeof(err)), 0);
    assert_result_equal(r, back);
    char *want = all_reports(r, dir), *got = all_reports(back, dir);
    assert_string_equal(got, want);
    char *hw = lg_report_html(r), *hg = lg_report_html(back);
    assert_string_equal(hg, hw);
    assert_non_null(strstr(want, "| ✗ | overall | p95 | 110ms | 141ms | +31.4ms +28.7% | "
                                 "109ms..110ms | 333us..? | REGRESSION |"));
    assert_non_null(strstr(want, "| ? | cmp/a\\|b &lt;i&gt;&amp;amp; \"q\" | error\\_rate |"));
    assert_non_null(strstr(want, "<testsuite name=\"regressions\" tests=\"3\" failures=\"1\" "
                                 "errors=\"0\" skipped=\"1\""));
    assert_non_null(strstr(want, "\n  regressions: judged against accepted/result.json "
                                 "(2026-12-01T10:00:00Z), budget 10% at 99% confidence, severity "
                                 "critical\n    ✗ overall p95"));
    assert_non_null(strstr(hw, "<td class=\"nw\">cmp/a|b &lt;i&gt;&amp;amp; &quot;q&quot;</td>"));
    free(hw);
    free(hg);
    free(want);
    free(got);
    lg_result_free(back);

    /* A warning is reported, never failed. */
    free(r->baseline.severity);
    r->baseline.severity = lg_strdup("warning");
    char *xml = lg_report_junit(r);
    assert_non_null(strstr(xml, "<testsuite name=\"regressions\" tests=\"3\" failures=\"0\""));
    free(xml);

    j = to_jansson(r);
    json_object_set_new(json_object_get(j, "baseline"), "severity", json_string("fatal"));
    expect_doc_error(j, "result.json: baseline.severity: expected \"critical\" or \"warning\", "
                        "got \"fatal\"");
    json_object_set_new(json_object_get(j, "baseline"), "severity", json_string("warning"));
    json_object_set_new(json_array_get(json_object_get(j, "regressions"), 0), "scenario",
                        json_string("cmp"));
    expect_doc_error(j, "result.json: regressions[0]: expected both \"scenario\" and \"step\", "
                        "or neither (overall)");
    json_object_set_new(json_array_get(json_object_get(j, "regressions"), 0), "scenario",
                        json_null());
    json_object_set_new(json_array_get(json_object_get(j, "regressions"), 1), "new",
                        json_string("x"));
    expect_doc_error(j, "result.json: regressions[1].new: expected a number or null");
    json_object_del(j, "baseline");
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_false(back->baseline.has);
    assert_int_equal(back->n_regressions, 0);
    lg_result_free(back);
    json_decref(j);
    rm_dir(dir);
    free(path);
    free(dir);
}

/* A segment's merge data (`run --segment`, docs/merge.md) and a merged result's
 * `merged` are written only for them, and read back to the same document; an
 * ordinary result has none of these keys. */
static void test_reports_segment_and_merged_round_trip(void **state)
{
    struct lg_result *r = *state;
    json_t *j = to_jansson(r);
    assert_null(json_object_get(at(j, "steps.0"), "cells"));
    assert_null(json_object_get(at(j, "steps.0"), "tags"));
    assert_null(json_object_get(at(j, "series.0"), "histogram"));
    assert_null(json_object_get(at(j, "schedule"), "lag_histogram"));
    assert_null(json_object_get(j, "merged"));
    json_decref(j);

    struct lg_hist *h = lg_hist_new();
    lg_hist_record_n(h, 1500, 3);
    struct lg_result_step *s = &r->steps[0];
    s->n_tags = 1;
    s->tags = lg_calloc(1, sizeof(*s->tags));
    s->tags[0] = (struct lg_result_tag){lg_strdup("kind"), lg_strdup("<read> & \"q\"")};
    s->n_cells = 2;
    s->cells = lg_calloc(2, sizeof(*s->cells));
    s->cells[0] = (struct lg_result_cell){.status = 0, .requests = 2, .errors = 2};
    s->cells[0].n_error_classes = 1;
    s->cells[0].error_classes = lg_calloc(1, sizeof(struct lg_count));
    s->cells[0].error_classes[0] = (struct lg_count){lg_strdup("connect"), 2};
    s->cells[1] = (struct lg_result_cell){.status = 200,
                                          .requests = 3,
                                          .latency = lg_hist_encode(h),
                                          .ttfb = lg_hist_encode(h),
                                          .connect = lg_hist_encode(h)};
    r->series[0].histogram = lg_hist_encode(h);
    r->schedule.lag_histogram = lg_hist_encode(h);
    r->has_segment = true;
    r->segment_index = 2;
    r->segment_count = 3;
    r->config_hash =
        lg_strdup("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    r->started_unix_ms = 1796565600250;
    lg_hist_free(h);

    char *json = lg_result_to_json(r);
    j = to_jansson(r);
    assert_keys(at(j, "steps.0.cells.1"),
                "status,requests,errors,error_classes,histogram,histogram_uncorrected,ttfb,dns,"
                "connect,tls");
    assert_true(json_is_null(at(j, "steps.0.cells.1.dns")));
    assert_int_equal(json_integer_value(at(j, "steps.0.cells.0.error_classes.connect")), 2);
    assert_string_equal(json_string_value(at(j, "steps.0.tags.0.value")), "<read> & \"q\"");
    assert_true(json_is_string(at(j, "series.0.histogram")));
    assert_int_equal(json_integer_value(at(j, "segment.index")), 2);
    assert_int_equal(json_integer_value(at(j, "started_unix_ms")), 1796565600250);
    json_decref(j);
    struct lg_result *back = NULL;
    char err[512] = "";
    assert_int_equal(lg_result_from_json(json, strlen(json), NULL, &back, err, sizeof(err)), 0);
    assert_true(back->has_segment);
    assert_int_equal(back->steps[0].n_cells, 2);
    assert_int_equal(back->steps[0].cells[0].status, 0);
    char *again = lg_result_to_json(back);
    assert_string_equal(again, json);
    free(again);
    free(json);
    lg_result_free(back);

    /* a merged result: no merge data of its own, its segments named */
    r->has_segment = false;
    r->merged = (struct lg_result_merged){.has = true, .count = 3, .n_segments = 1, .n_missing = 2};
    r->merged.segments = lg_calloc(1, sizeof(*r->merged.segments));
    r->merged.segments[0] = (struct lg_result_merged_segment){.index = 2,
                                                              .file = lg_strdup("seg 2.json"),
                                                              .verdict = LG_VERDICT_ABORTED,
                                                              .abort_reason = lg_strdup("SIGINT"),
                                                              .started_unix_ms = 1796565600250,
                                                              .duration_s = 1.5,
                                                              .requests = 5};
    r->merged.missing = lg_calloc(2, sizeof(*r->merged.missing));
    r->merged.missing[0] = 1;
    r->merged.missing[1] = 3;
    json = lg_result_to_json(r);
    j = to_jansson(r);
    assert_null(json_object_get(at(j, "steps.0"), "cells"));
    assert_true(json_is_null(json_object_get(j, "segment")));
    assert_keys(json_object_get(j, "merged"), "count,segments,missing");
    assert_keys(at(j, "merged.segments.0"),
                "index,file,verdict,abort_reason,started_unix_ms,duration_s,requests");
    assert_string_equal(json_string_value(at(j, "merged.segments.0.verdict")), "aborted");
    json_decref(j);
    assert_int_equal(lg_result_from_json(json, strlen(json), NULL, &back, err, sizeof(err)), 0);
    again = lg_result_to_json(back);
    assert_string_equal(again, json);
    assert_int_equal(back->merged.missing[1], 3);
    free(again);
    free(json);
    lg_result_free(back);
}

/* `run --baseline`: the baseline's histograms (every step merged, and the steps both
 * runs have) written as HdrHistogram V2 strings, read back exactly, absent in older
 * results (none), and a broken one named by its key. */
static void test_reports_baseline_histograms_round_trip(void **state)
{
    struct lg_result *r = *state;
    r->baseline = (struct lg_result_baseline){.has = true,
                                              .file = lg_strdup("accepted/result.json"),
                                              .started_at = lg_strdup("2026-12-01T10:00:00Z"),
                                              .budget = 0.1,
                                              .confidence = 0.99,
                                              .severity = lg_strdup("critical")};
    struct lg_result_baseline *b = &r->baseline;
    b->histogram = lg_hist_new();
    for (int64_t v = 1; v <= 1000; v++)
        lg_hist_record(b->histogram, v * 100);
    b->n_steps = 2;
    b->steps = lg_calloc(2, sizeof(*b->steps));
    b->steps[0] =
        (struct lg_result_baseline_step){lg_strdup("cmp"), lg_strdup("board"), lg_hist_new()};
    lg_hist_record_n(b->steps[0].histogram, 42000, 7);
    b->steps[1] = (struct lg_result_baseline_step){
        lg_strdup("cmp"), lg_strdup("a|b <i>&amp; \"q\"\n\xff"), lg_hist_new()}; /* no sample */
    add_regression(r, NULL, NULL, "p95", "ok");
    lg_result_settle(r);
    assert_string_equal(b->steps[1].step, "a|b <i>&amp; \"q\"\n\xef\xbf\xbd");

    json_t *j = to_jansson(r);
    assert_keys(json_object_get(j, "baseline"),
                "file,started_at,budget,confidence,severity,histogram,steps");
    assert_int_equal(json_array_size(at(j, "baseline.steps")), 2);
    assert_keys(at(j, "baseline.steps.0"), "scenario,step,histogram");
    const char *enc = json_string_value(at(j, "baseline.histogram"));
    assert_non_null(enc);
    assert_memory_equal(enc, "HISTF", 5);
    struct lg_hist *h = NULL;
    assert_int_equal(lg_hist_decode(json_string_value(at(j, "baseline.steps.0.histogram")), &h), 0);
    assert_int_equal(h->total_count, 7);
    lg_hist_free(h);

    struct lg_result *back = NULL;
    char err[512] = "";
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_result_equal(r, back);
    char *hw = lg_report_html(r), *hg = lg_report_html(back);
    assert_string_equal(hg, hw);
    free(hw);
    free(hg);
    lg_result_free(back);

    json_object_set_new(at(j, "baseline.steps.1"), "histogram", json_string("HISTFxx"));
    expect_doc_error(j, "result.json: baseline.steps[1].histogram: not a valid HdrHistogram V2 "
                        "encoding");
    json_object_del(at(j, "baseline.steps.1"), "histogram");
    expect_doc_error(j, "result.json: baseline.steps[1]: missing key 'histogram'");
    json_object_set_new(json_object_get(j, "baseline"), "steps", json_string("x"));
    expect_doc_error(j, "result.json: baseline.steps: expected an array");
    json_object_set_new(json_object_get(j, "baseline"), "histogram", json_integer(3));
    json_object_del(json_object_get(j, "baseline"), "steps");
    expect_doc_error(j, "result.json: baseline.histogram: expected an encoded histogram (a "
                        "string)");
    /* a result written before the baseline's histograms were recorded */
    json_object_del(json_object_get(j, "baseline"), "histogram");
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_true(back->baseline.has);
    assert_null(back->baseline.histogram);
    assert_int_equal(back->baseline.n_steps, 0);
    lg_result_free(back);
    json_decref(j);
}

/* What `loadgate report` rests on: a settled result (as the engine builds it) and
 * the one read back from its result.json are equal, and every report rendered
 * from either is the same bytes, whatever precision the figures came with. */
static void test_reports_settled_result_renders_the_same_read_back(void **state)
{
    struct lg_result *r = *state;
    r->duration_s = 0.00316049; /* a 3 ms smoke run: rates divide by it */
    r->rps = 3 / 0.00316049;
    r->thresholds[0].observed = 1.2345678; /* avg(latency), ms */
    r->thresholds[1].observed = 1.0 / 3.0; /* error_rate */
    free(r->thresholds[4].unit);           /* as if a rate */
    r->thresholds[4].unit = lg_strdup("per_s");
    r->thresholds[4].observed = 1.0 / 7.0;
    lg_result_settle(r);
    assert_true(r->duration_s == 0.00316);
    assert_true(r->rps == 949.22);
    assert_true(r->thresholds[0].observed == 1.235);
    assert_true(r->thresholds[1].observed == 0.333333333333333);
    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/result.json", dir);
    assert_int_equal(lg_result_write_json(r, path), 0);
    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(lg_result_read_json(path, &back, err, sizeof(err)), 0);
    assert_result_equal(r, back);
    assert_true(back->rps == r->rps && back->thresholds[4].observed == r->thresholds[4].observed);
    char *want = all_reports(r, dir), *got = all_reports(back, dir);
    assert_string_equal(got, want);
    /* settling again changes nothing */
    lg_result_settle(back);
    assert_result_equal(r, back);
    free(want);
    free(got);
    lg_result_free(back);
    rm_dir(dir);
    free(path);
    free(dir);
}

/* Bytes that are not UTF-8 (a check reason quoting a server's header, a file
 * name or a --threshold from the command line): result.json holds U+FFFD for each,
 * and so does the settled result, so that the run's own reports and `loadgate
 * report`'s are the same bytes, HTML included. */
static void test_reports_settled_result_with_stray_bytes_renders_the_same_read_back(void **state)
{
    struct lg_result *r = *state;
    struct lg_count *reason = &r->steps[0].checks[0].reasons[0];
    free(reason->name);
    reason->name = lg_strdup("header x-h was \"v\xff\xc0</script>\"");
    free(r->file);
    r->file = lg_strdup("suite-\xe9t\xe9.yaml");
    free(r->thresholds[0].expr);
    r->thresholds[0].expr = lg_strdup("p95(latency{step=\xed\xa0\x80}) < 1s");
    free(r->steps[0].checks[0].label);
    r->steps[0].checks[0].label = lg_strdup("body contains \xf4\x90\x80\x80\xc3");
    lg_result_settle(r);
    assert_string_equal(reason->name, "header x-h was \"v\xef\xbf\xbd\xef\xbf\xbd</script>\"");
    assert_string_equal(r->file, "suite-\xef\xbf\xbdt\xef\xbf\xbd.yaml");
    assert_string_equal(r->thresholds[0].expr,
                        "p95(latency{step=\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd}) < 1s");
    assert_string_equal(r->steps[0].checks[0].label,
                        "body contains \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                        "\xef\xbf\xbd");
    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/result.json", dir);
    assert_int_equal(lg_result_write_json(r, path), 0);
    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(lg_result_read_json(path, &back, err, sizeof(err)), 0);
    assert_result_equal(r, back);
    char *want = all_reports(r, dir), *got = all_reports(back, dir);
    assert_string_equal(got, want);
    char *want_html = lg_report_html(r), *got_html = lg_report_html(back);
    assert_string_equal(got_html, want_html);
    free(want_html);
    free(got_html);
    free(want);
    free(got);
    lg_result_free(back);
    rm_dir(dir);
    free(path);
    free(dir);
}

static void add_result_rule(struct lg_result *r, const char *name, bool ok, const char *text)
{
    r->rules = lg_realloc(r->rules, (r->n_rules + 1) * sizeof(*r->rules));
    r->rules[r->n_rules++] = (struct lg_result_rule){lg_strdup(name), ok, lg_strdup(text)};
}

/* The regression settings of a run: "regression" null without them; with them, written
 * with each setting's origin and the steps judged otherwise, read back exactly, every
 * report the same bytes from the read-back result; the baseline rule's heading names
 * the per-step budgets; a broken entry is named. */
static void test_reports_regression_settings_round_trip(void **state)
{
    struct lg_result *r = *state;
    json_t *j = to_jansson(r);
    assert_true(json_is_null(json_object_get(j, "regression")));
    json_decref(j);

    r->regression = (struct lg_result_regset){
        .has = true,
        .budget = 0.1,
        .metrics = 1u << LG_CMP_P95 | 1u << LG_CMP_P99 | 1u << LG_CMP_ERROR_RATE,
        .confidence = 0.99,
        .budget_from = LG_REGSET_SUITE,
        .metrics_from = LG_REGSET_DEFAULT,
        .confidence_from = LG_REGSET_FLAG,
        .n_steps = 3,
    };
    r->regression.steps = lg_calloc(3, sizeof(*r->regression.steps));
    r->regression.steps[0] = (struct lg_result_regset_step){lg_strdup("cmp"), lg_strdup("board"),
                                                            0.5, r->regression.metrics};
    r->regression.steps[1] =
        (struct lg_result_regset_step){lg_strdup("cmp"), lg_strdup("a|b <i>&amp; \"q\""), 0.1, 0};
    r->regression.steps[2] = (struct lg_result_regset_step){
        lg_strdup("cmp"), lg_strdup("tail"), 1.0 / 3.0, 1u << LG_CMP_P99 | 1u << LG_CMP_CHECKS};
    r->baseline = (struct lg_result_baseline){.has = true,
                                              .file = lg_strdup("accepted/result.json"),
                                              .budget = 0.1,
                                              .confidence = 0.99,
                                              .severity = lg_strdup("critical")};
    add_regression(r, "cmp", "board", "p95", "ok");
    lg_result_settle(r);
    assert_true(r->regression.steps[2].budget == 0.333333333333333);

    j = to_jansson(r);
    json_t *g = json_object_get(j, "regression");
    assert_keys(g, "budget,metrics,confidence,from,steps");
    assert_keys(json_object_get(g, "from"), "budget,metrics,confidence");
    assert_keys(json_array_get(json_object_get(g, "steps"), 0), "scenario,step,budget,metrics");
    char *text = json_dumps(g, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    assert_string_equal(
        text, "{\"budget\":0.1,\"metrics\":[\"p95\",\"p99\",\"error_rate\"],\"confidence\":0.99,"
              "\"from\":{\"budget\":\"suite\",\"metrics\":\"default\",\"confidence\":\"flag\"},"
              "\"steps\":[{\"scenario\":\"cmp\",\"step\":\"board\",\"budget\":0.5,\"metrics\":"
              "[\"p95\",\"p99\",\"error_rate\"]},{\"scenario\":\"cmp\",\"step\":\"a|b <i>&amp; "
              "\\\"q\\\"\",\"budget\":0.1,\"metrics\":[]},{\"scenario\":\"cmp\",\"step\":\"tail\","
              "\"budget\":0.333333333333333,\"metrics\":[\"p99\",\"checks\"]}]}");
    free(text);
    json_decref(j);

    char *over = lg_result_regset_overrides(&r->regression);
    assert_string_equal(over, "cmp/board 50%; cmp/a|b <i>&amp; \"q\" not judged; cmp/tail "
                              "33.3333% on p99, checks");
    free(over);

    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/result.json", dir);
    assert_int_equal(lg_result_write_json(r, path), 0);
    struct lg_result *back = NULL;
    char err[512] = "";
    assert_int_equal(lg_result_read_json(path, &back, err, sizeof(err)), 0);
    assert_result_equal(r, back);
    char *want = all_reports(r, dir), *got = all_reports(back, dir);
    assert_string_equal(got, want);
    assert_non_null(strstr(want, "\n  regressions: judged against accepted/result.json, budget "
                                 "10% (per-step overrides: cmp/board 50%; cmp/a|b <i>&amp; \"q\" "
                                 "not judged; cmp/tail 33.3333% on p99, checks; overall not "
                                 "judged) at 99% confidence, severity critical\n"));
    free(want);
    free(got);
    lg_result_free(back);

    j = to_jansson(r);
    g = json_object_get(j, "regression");
    json_object_set_new(json_object_get(g, "from"), "budget", json_string("env"));
    expect_doc_error(j, "result.json: regression.from.budget: expected \"default\", \"suite\" "
                        "or \"flag\", got \"env\"");
    json_object_set_new(json_object_get(g, "from"), "budget", json_string("suite"));
    json_array_append_new(
        json_object_get(json_array_get(json_object_get(g, "steps"), 2), "metrics"),
        json_string("p97"));
    expect_doc_error(j, "result.json: regression.steps[2]: metrics[2]: expected a metric name "
                        "(p50, p90, p95, p99, error_rate, checks)");
    json_object_del(json_array_get(json_object_get(g, "steps"), 2), "budget");
    expect_doc_error(j, "result.json: regression.steps[2]: missing key 'budget'");
    /* Absent (older results) or null: no settings. */
    json_object_del(j, "regression");
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_false(back->regression.has);
    assert_int_equal(back->regression.n_steps, 0);
    lg_result_free(back);
    json_object_set_new(j, "regression", json_null());
    assert_int_equal(read_doc(j, &back, err, sizeof(err)), 0);
    assert_false(back->regression.has);
    lg_result_free(back);
    json_decref(j);
    rm_dir(dir);
    free(path);
    free(dir);
}

/* The rules (after smoke_rule), unsent requests (totals and steps) and a spent
 * feed (totals) are written, read back exactly, and read as none from older files;
 * a malformed rule is named by its path. */
static void test_reports_rules_unsent_feed_round_trip(void **state)
{
    struct lg_result *r = *state;
    add_result_rule(r, LG_RULE_FAILURES, false, "no critical threshold ...: 1 of 2 failed");
    add_result_rule(r, LG_RULE_NO_RESPONSE, true, "1 of 2 requests got a response");
    r->unsent = 6;
    r->unsent_reasons =
        counts(2, (const char *const[]){"unset_value", "unsafe_header"}, (const uint64_t[]){2, 4});
    r->n_unsent_reasons = 2;
    r->steps[1].unsent = 6;
    r->steps[1].unsent_reasons =
        counts(2, (const char *const[]){"unset_value", "unsafe_header"}, (const uint64_t[]){2, 4});
    r->steps[1].n_unsent_reasons = 2;
    r->feed_exhausted = 2;
    r->feed_note = lg_strdup("the unique feed 'users' (2 rows) ran out");
    char *s = lg_result_to_json(r);
    assert_non_null(strstr(s, "  \"smoke_rule\": false,\n"
                              "  \"rules\": [\n"
                              "    {\n"
                              "      \"name\": \"failures\",\n"
                              "      \"ok\": false,\n"
                              "      \"text\": \"no critical threshold ...: 1 of 2 failed\"\n"
                              "    },\n"));
    assert_non_null(strstr(s, "    \"errors\": 12,\n    \"unsent\": 6,\n    \"unsent_reasons\": {\n"
                              "      \"unset_value\": 2,\n      \"unsafe_header\": 4\n    },\n"));
    assert_non_null(strstr(s,
                           "    \"dropped_iterations\": 2,\n    \"feed_exhausted\": 2,\n"
                           "    \"feed_note\": \"the unique feed 'users' (2 rows) ran out\",\n"));
    assert_non_null(strstr(s, "      \"errors\": 10,\n      \"unsent\": 6,\n"));
    struct lg_result *back = NULL;
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_result_equal(r, back);
    lg_result_free(back);
    free(s);

    json_t *j = to_jansson(r);
    json_object_del(j, "rules");
    json_object_del(json_object_get(j, "totals"), "unsent");
    json_object_del(json_object_get(j, "totals"), "feed_exhausted");
    json_object_del(json_object_get(j, "totals"), "feed_note");
    json_object_del(json_array_get(json_object_get(j, "steps"), 1), "unsent");
    json_object_del(json_object_get(j, "totals"), "unsent_reasons");
    json_object_del(json_array_get(json_object_get(j, "steps"), 1), "unsent_reasons");
    s = json_dumps(j, 0);
    assert_int_equal(lg_result_from_json(s, strlen(s), NULL, &back, NULL, 0), 0);
    assert_int_equal(back->n_rules, 0);
    assert_int_equal(back->unsent, 0);
    assert_int_equal(back->feed_exhausted, 0);
    assert_null(back->feed_note);
    assert_int_equal(back->steps[1].unsent, 0);
    assert_int_equal(back->n_unsent_reasons, 0);
    assert_int_equal(back->steps[1].n_unsent_reasons, 0);
    lg_result_free(back);
    free(s);
    json_decref(j);

    j = to_jansson(r);
    json_object_set_new(json_array_get(json_object_get(j, "rules"), 1), "ok", json_string("yes"));
    expect_doc_error(j, "result.json: rules[1].ok: expected true or false");
    json_object_del(json_array_get(json_object_get(j, "rules"), 0), "name");
    expect_doc_error(j, "result.json: rules[0]: missing key 'name'");
    json_object_set_new(j, "rules", json_object());
    expect_doc_error(j, "result.json: rules: expected an array");
    json_decref(j);
}

static void test_reports_read_json_schedule_errors_are_exact(void **state)
{
    expect_file_error("bad_schedule_model.json", LG_ESYNTAX,
                      "schedule.model: expected \"open\" or \"closed\", got \"poisson\"");

    json_t *j = to_jansson(*state), *sc = json_object_get(j, "schedule");
    json_t *s0 = json_array_get(json_object_get(j, "steps"), 0);
    json_t *c0 = json_array_get(json_object_get(j, "scenarios"), 0);

    json_t *keep = json_incref(json_object_get(sc, "model"));
    json_object_del(sc, "model");
    expect_doc_error(j, "result.json: schedule: missing key 'model'");
    json_object_set_new(sc, "model", keep);

    json_incref(sc); /* kept while a string stands in for it */
    json_object_set_new(j, "schedule", json_string("open"));
    expect_doc_error(j, "result.json: schedule: expected an object");
    json_object_set_new(j, "schedule", sc);

    /* In the open model a missing "sustained" must not read as "not kept". */
    keep = json_incref(json_object_get(sc, "sustained"));
    json_object_del(sc, "sustained");
    expect_doc_error(j, "result.json: schedule: missing key 'sustained'");
    json_object_set_new(sc, "sustained", keep);

    keep = json_incref(json_object_get(sc, "max_vus"));
    json_object_set_new(sc, "max_vus", json_integer(4294967296));
    expect_doc_error(j, "result.json: schedule.max_vus: expected a number of virtual users");
    json_object_set_new(sc, "max_vus", keep);

    json_object_set_new(json_object_get(sc, "wait_ms"), "p99", json_string("1.2s"));
    expect_doc_error(j, "result.json: schedule.wait_ms.p99: expected a number");
    json_object_set_new(json_object_get(sc, "wait_ms"), "p99", json_real(1200.127));

    json_object_set_new(sc, "note", json_false());
    expect_doc_error(j, "result.json: schedule.note: expected a string");
    json_object_set_new(sc, "note", json_null());

    /* Figures and histogram come together or not at all. */
    keep = json_incref(json_object_get(s0, "histogram_uncorrected"));
    json_object_del(s0, "histogram_uncorrected");
    expect_doc_error(j, "result.json: steps[0]: missing key 'histogram_uncorrected'");
    json_object_set_new(s0, "histogram_uncorrected", json_string("HISTFAAAAnotahistogram=="));
    expect_doc_error(j, "result.json: steps[0].histogram_uncorrected: not a valid HdrHistogram V2 "
                        "encoding");
    json_object_set_new(s0, "histogram_uncorrected", keep);

    keep = json_incref(json_object_get(c0, "iteration_uncorrected_ms"));
    json_object_del(c0, "iteration_uncorrected_ms");
    expect_doc_error(j, "result.json: scenarios[0]: missing key 'iteration_uncorrected_ms'");
    json_object_set_new(c0, "iteration_uncorrected_ms", keep);

    /* Everything put back reads again. */
    struct lg_result *back = NULL;
    assert_int_equal(read_doc(j, &back, NULL, 0), 0);
    assert_result_equal(*state, back);
    lg_result_free(back);
    json_decref(j);
}

static void test_reports_read_json_open_survives_every_mutation(void **state)
{
    json_t *root = to_jansson(*state);
    mutations = 0;
    mutate(root, root);
    assert_true(mutations > 1000);
    json_decref(root);
}

/* ---- json.c: atomic writes ---------------------------------------------------------- */

static void test_reports_write_atomic_replaces_and_leaves_no_tmp(void **state)
{
    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/summary.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("an older, longer file that must disappear entirely\n", f);
    fclose(f);

    assert_int_equal(lg_write_atomic(path, "new\n", 4), 0);
    char *got = slurp(path);
    assert_string_equal(got, "new\n");
    free(got);
    char *names = dir_list(dir);
    assert_string_equal(names, "summary.txt");
    free(names);

    assert_int_equal(lg_write_atomic(path, "", 0), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);

    rm_dir(dir);
    free(path);
    free(dir);
}

static void test_reports_write_into_missing_directory_is_eio(void **state)
{
    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/no/such/dir/result.json", dir);
    errno = 0;
    assert_int_equal(lg_write_atomic(path, "x", 1), LG_EIO);
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_int_equal(lg_result_write_json(*state, path), LG_EIO);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(lg_report_text_file(*state, path), LG_EIO);
    char *names = dir_list(dir);
    assert_string_equal(names, "");
    free(names);
    rm_dir(dir);
    free(path);
    free(dir);
}

static void test_reports_write_over_a_directory_is_eio_and_cleans_up(void **state)
{
    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/result.json", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(lg_result_write_json(*state, path), LG_EIO);
    char *names = dir_list(dir);
    assert_string_equal(names, "result.json"); /* the directory only, no tmp file */
    free(names);
    rmdir(path);
    rm_dir(dir);
    free(path);
    free(dir);
}

/* ---- text.c ------------------------------------------------------------------------ */

/* Long step names widen the step column only; figures stay right-aligned. */
static const char expected_summary[] =
    "  loadgate " LG_VERSION " · trivia (scenarios/trivia/suite.yaml) · env staging\n"
    "  http://127.0.0.1:8080 · 20 VUs · 10.0s · 1,101 requests (110.1/s) · 617 iterations (3 "
    "failed) · 2 dropped\n"
    "\n"
    "  step                                   count    rps     p50     p90     p95     p99     max"
    "  errors     checks\n"
    "  guest-session/start                     1000  100.0   500us   900us   950us   990us  1.00ms"
    "       2  1998/2000\n"
    "  leaderboard/weekly-science-top-scores    101   10.1  12.4ms  12.4ms  12.4ms  12.4ms   250ms"
    "      10          -\n"
    "\n"
    "  errors: timeout 2, http_5xx 10\n"
    "\n"
    "  failed checks\n"
    "    ✗ guest-session/start  status is 201  2 of 1,000 failed\n"
    "        1× HTTP 200, expected 201\n"
    "        1× other reasons (not kept)\n"
    "\n"
    "  thresholds\n"
    "    ✓ p95(latency) < 500ms            950us\n"
    "    ✗ error_rate < 1%                 1.09%\n"
    "    ✗ p99(latency{step=mint}) < 1s    no samples\n"
    "    ! p99(latency) < 10ms  (warning)  12.4ms\n"
    "    ✓ error_rate < 5%  (abort)        1.09%\n"
    "\n"
    "  verdict: FAIL\n";

static void test_reports_text_summary_is_exact(void **state)
{
    char *s = text_of(*state, false);
    assert_string_equal(s, expected_summary);
    assert_null(strchr(s, '\033'));
    free(s);
}

/* Reasons under their check, counts aligned; control characters in a hand-edited
 * result are made harmless; a check without reasons (an older result) shows none. */
static void test_reports_text_failed_check_reasons(void **state)
{
    struct lg_result *r = *state;
    struct lg_result_check *c = &r->steps[0].checks[0];
    drop_reasons(c);
    c->passed = 750;
    c->failed = 1250;
    c->reasons = counts(3,
                        (const char *const[]){"$.status was \"pending\", expected \"confirmed\"",
                                              "HTTP 500: body is not JSON: invalid token near "
                                              "\"<html>\" at byte 1",
                                              "bell\a here"},
                        (const uint64_t[]){1200, 35, 5});
    c->n_reasons = 3;
    char *s = text_of(r, false);
    const char *want = "  failed checks\n"
                       "    ✗ guest-session/start  status is 201  1,250 of 2,000 failed\n"
                       "        1,200× $.status was \"pending\", expected \"confirmed\"\n"
                       "           35× HTTP 500: body is not JSON: invalid token near \"<html>\" "
                       "at byte 1\n"
                       "            5× bell? here\n"
                       "           10× other reasons (not kept)\n"
                       "\n";
    assert_non_null(strstr(s, want));
    free(s);

    drop_reasons(c);
    s = text_of(r, false);
    assert_non_null(strstr(s, "  1,250 of 2,000 failed\n\n  thresholds\n"));
    free(s);
}

static void test_reports_text_file_is_the_uncoloured_summary(void **state)
{
    char *dir = make_tmpdir();
    char *path = lg_asprintf("%s/summary.txt", dir);
    assert_int_equal(lg_report_text_file(*state, path), 0);
    char *got = slurp(path);
    assert_string_equal(got, expected_summary);
    free(got);
    rm_dir(dir);
    free(path);
    free(dir);
}

static void test_reports_text_interrupted_and_retries(void **state)
{
    struct lg_result *r = *state;
    set_interrupted_and_retries(r);
    char *s = text_of(r, false);
    assert_non_null(strstr(s, " · 1,101 requests (110.1/s) · 617 finished + 4 interrupted "
                              "iterations (7 failed) · 2 dropped\n"));
    assert_non_null(strstr(s, "  errors: timeout 2, http_5xx 10\n"
                              "  retries: 9 sent again after a reused connection closed "
                              "unanswered; 5 refused (not idempotent: failed as reset, never "
                              "sent twice)\n\n  failed checks\n"));
    free(s);

    /* Without an error line, the retries line opens its own paragraph. */
    for (size_t i = 0; i < r->n_error_classes; i++)
        free(r->error_classes[i].name);
    r->n_error_classes = 0;
    r->retries = 0;
    r->iterations_interrupted = 1;
    s = text_of(r, false);
    assert_non_null(strstr(s, " · 617 finished + 1 interrupted iteration (7 failed)"));
    assert_non_null(strstr(s, "      10          -\n\n  retries: 5 refused (not idempotent: "
                              "failed as reset, never sent twice)\n\n  failed checks\n"));
    free(s);
}

static void test_reports_text_limits(void **state)
{
    struct lg_result *r = *state;
    char *s = text_of(r, false);
    assert_null(strstr(s, "limits"));
    free(s);
    r->limits = (struct lg_result_limits){.has = true,
                                          .max_rate_per_s = 50,
                                          .max_vus = 10,
                                          .vus_asked = 20,
                                          .vus_capped = true,
                                          .paced = 1400};
    s = text_of(r, false);
    assert_non_null(strstr(s,
                           " dropped\n  limits: 50.0 requests/s, 10 VUs · VUs capped (asked 20) · "
                           "1,400 requests waited for the rate cap\n\n"));
    free(s);
    r->limits = (struct lg_result_limits){.has = true,
                                          .max_rate_per_s = 50,
                                          .rate_asked_per_s = 200,
                                          .rate_capped = true,
                                          .paced = 1};
    s = text_of(r, false);
    assert_non_null(strstr(s, "\n  limits: 50.0 requests/s · arrivals capped (asked 200.0/s) · "
                              "1 request waited for the rate cap\n\n"));
    free(s);
    r->limits = (struct lg_result_limits){.has = true, .max_vus = 1, .vus_asked = 1};
    s = text_of(r, false);
    assert_non_null(strstr(s, "\n  limits: 1 VU\n\n"));
    free(s);
}

static void test_reports_text_color_marks_and_verdict(void **state)
{
    char *s = text_of(*state, true);
    assert_non_null(strstr(s, "    \033[32m✓\033[0m p95(latency) < 500ms "));
    assert_non_null(strstr(s, "    \033[31m✗\033[0m error_rate < 1% "));
    assert_non_null(strstr(s, "    \033[33m!\033[0m p99(latency) < 10ms  (warning) "));
    assert_non_null(strstr(s, "    \033[31m✗\033[0m guest-session/start  status is 201 "));
    assert_non_null(strstr(s, "  verdict: \033[1m\033[31mFAIL\033[0m\n"));
    free(s);

    struct lg_result *r = *state;
    r->verdict = LG_VERDICT_PASS;
    s = text_of(r, true);
    assert_non_null(strstr(s, "  verdict: \033[1m\033[32mPASS\033[0m\n"));
    free(s);
}

/* A smoke run with no thresholds, interrupted: the default gate is named, the
 * abort reason given, durations and counts formatted compactly. */
static void test_reports_text_default_gate_and_abort(void **state)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->verdict = LG_VERDICT_ABORTED;
    r->suite = lg_strdup("quickstart");
    r->file = lg_strdup("scenarios/examples/quickstart.yaml");
    r->profile = lg_strdup("smoke");
    r->abort_reason = lg_strdup("interrupted by SIGINT");
    r->default_gate = true;
    r->vus = 1;
    r->duration_s = 125.4;
    r->requests = 1;
    r->iterations = 1;
    r->rps = 1.0 / 125.4;
    r->n_steps = 2;
    r->steps = lg_calloc(2, sizeof(*r->steps));
    r->steps[0].scenario = lg_strdup("quickstart");
    r->steps[0].name = lg_strdup("home\033[2J");
    r->steps[0].requests = 1;
    r->steps[0].latency_ms = (struct lg_latency_ms){
        .p50 = 9.996, .p90 = 99.96, .p95 = 999.6, .p99 = 59999.0, .max = 4000000.0};
    r->steps[0].checks_passed = 1;
    r->steps[1].scenario = lg_strdup("quickstart");
    r->steps[1].name = lg_strdup("never-reached");
    char *s = text_of(r, false);
    assert_string_equal(
        s, "  loadgate " LG_VERSION " · quickstart (scenarios/examples/quickstart.yaml) · "
           "profile smoke\n"
           "  1 VU · 2m05s · 1 request (0.008/s) · 1 iteration\n"
           "\n"
           "  step                      count    rps     p50    p90    p95    p99    max  errors  "
           "checks\n"
           "  quickstart/home?[2J           1  0.008  10.0ms  100ms  1.00s  1m00s  1h07m       0  "
           "   1/1\n"
           "  quickstart/never-reached      0    0.0       -      -      -      -      -       0  "
           "     -\n"
           "\n"
           "  thresholds\n"
           "    no thresholds given: the strict default gate applies (no failed request, no "
           "failed check)\n"
           "\n"
           "  verdict: ABORTED (interrupted by SIGINT)\n");
    free(s);
    lg_result_free(r);
}

/* A smoke run whose thresholds hold but whose checks did not: the rule is the last
 * line of the gate, with the failed checks counted (and, apart, requests that failed
 * without a check); all checks passing gives a mark of success. */
static struct lg_result *smoke_result(uint64_t checks_failed, uint64_t check_errors,
                                      uint64_t timeouts)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->verdict = checks_failed || timeouts ? LG_VERDICT_FAIL : LG_VERDICT_PASS;
    r->suite = lg_strdup("trivia");
    r->file = lg_strdup("suite.yaml");
    r->profile = lg_strdup("smoke");
    r->smoke_rule = true;
    r->vus = 1;
    r->duration_s = 1;
    r->requests = 3;
    r->errors = check_errors + timeouts;
    r->checks_failed = checks_failed;
    if (check_errors) {
        r->error_classes =
            lg_realloc(r->error_classes, (r->n_error_classes + 1) * sizeof(struct lg_count));
        r->error_classes[r->n_error_classes++] =
            (struct lg_count){lg_strdup("check"), check_errors};
    }
    if (timeouts) {
        r->error_classes =
            lg_realloc(r->error_classes, (r->n_error_classes + 1) * sizeof(struct lg_count));
        r->error_classes[r->n_error_classes++] = (struct lg_count){lg_strdup("timeout"), timeouts};
    }
    r->n_thresholds = 1;
    r->thresholds = lg_calloc(1, sizeof(*r->thresholds));
    r->thresholds[0] = (struct lg_result_threshold){.expr = lg_strdup("p95(latency) < 1s"),
                                                    .severity = lg_strdup("critical"),
                                                    .ok = true,
                                                    .observed = 20,
                                                    .unit = lg_strdup("ms"),
                                                    .observed_text = lg_strdup("20.0ms")};
    return r;
}

static void assert_gate_text(const struct lg_result *r, bool color, const char *want)
{
    char *s = text_of(r, color);
    size_t len = strlen(s), wl = strlen(want);
    /* the gate's section is where the summary ends */
    bool ok = len >= wl && !strcmp(s + len - wl, want) &&
              !memmem(s, len - wl, "\n  thresholds\n", strlen("\n  thresholds\n"));
    if (!ok)
        fail_msg("summary:\n%s\nexpected it to end with:\n%s", s, want);
    free(s);
}

static void test_reports_text_smoke_rule(void **state)
{
    struct lg_result *r = smoke_result(2, 2, 0);
    assert_gate_text(r, false,
                     "\n  thresholds\n"
                     "    \u2713 p95(latency) < 1s  20.0ms\n"
                     "    \u2717 smoke profile: every check must pass \u2014 2 failed\n"
                     "\n  verdict: FAIL\n");
    assert_gate_text(r, true,
                     "\n  thresholds\n"
                     "    \033[32m\u2713\033[0m p95(latency) < 1s  20.0ms\n"
                     "    \033[31m\u2717\033[0m smoke profile: every check must pass \u2014 2 "
                     "failed\n"
                     "\n  verdict: \033[1m\033[31mFAIL\033[0m\n");
    lg_result_free(r);

    r = smoke_result(1, 1, 1);
    assert_gate_text(r, false,
                     "\n  thresholds\n"
                     "    \u2713 p95(latency) < 1s  20.0ms\n"
                     "    \u2717 smoke profile: every check must pass \u2014 1 failed, 1 failed "
                     "request\n"
                     "\n  verdict: FAIL\n");
    lg_result_free(r);

    r = smoke_result(0, 0, 0);
    assert_gate_text(r, false,
                     "\n  thresholds\n"
                     "    \u2713 p95(latency) < 1s  20.0ms\n"
                     "    \u2713 smoke profile: every check must pass \u2014 0 failed\n"
                     "\n  verdict: PASS\n");
    lg_result_free(r);
}

/* A dead service with a latency-only threshold, a step that could not be sent and a
 * spent feed: "-" for a step with requests but no time sample, the unsent count in
 * the header, a column and a line, the feed's sentence, and each rule with its mark
 * and sentence after the thresholds. */
static void test_reports_text_rules_unsent_and_feed(void **state)
{
    (void)state;
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->verdict = LG_VERDICT_FAIL;
    r->suite = lg_strdup("quickstart");
    r->file = lg_strdup("quickstart.yaml");
    r->vus = 5;
    r->duration_s = 2;
    r->requests = 1200;
    r->errors = 1200;
    r->unsent = 3;
    r->unsent_reasons = counts(1, (const char *const[]){"unsafe_header"}, (const uint64_t[]){3});
    r->n_unsent_reasons = 1;
    r->iterations = 1200;
    r->iterations_failed = 1200;
    r->rps = 600;
    r->error_classes = counts(1, (const char *const[]){"connect"}, (const uint64_t[]){1200});
    r->n_error_classes = 1;
    r->feed_exhausted = 2;
    r->feed_note = lg_strdup("the unique feed 'users' (2 rows) ran out");
    r->n_steps = 2;
    r->steps = lg_calloc(2, sizeof(*r->steps));
    r->steps[0].scenario = lg_strdup("quickstart");
    r->steps[0].name = lg_strdup("health");
    r->steps[0].requests = 1200;
    r->steps[0].errors = 1200;
    r->steps[0].histogram = lg_hist_new();
    r->steps[1].scenario = lg_strdup("quickstart");
    r->steps[1].name = lg_strdup("item");
    r->steps[1].unsent = 3;
    r->n_thresholds = 1;
    r->thresholds = lg_calloc(1, sizeof(*r->thresholds));
    threshold(&r->thresholds[0], "p95(latency) < 200ms", "critical", false, 0, "ms", "no samples");
    r->thresholds[0].no_samples = true;
    add_result_rule(r, LG_RULE_FAILURES, false, "no critical threshold ...: 1,200 of 1,200 failed");
    add_result_rule(r, LG_RULE_NO_RESPONSE, false, "no request got a response");
    add_result_rule(r, "future", true, "a rule this reader does not know");
    char *s = text_of(r, false);
    assert_string_equal(
        s, "  loadgate " LG_VERSION " \u00b7 quickstart (quickstart.yaml)\n"
           "  5 VUs \u00b7 2.00s \u00b7 1,200 requests (600.0/s) \u00b7 3 unsent \u00b7 1,200 "
           "iterations (1,200 failed)\n"
           "\n"
           "  step               count    rps  p50  p90  p95  p99  max  errors  unsent  checks\n"
           "  quickstart/health   1200  600.0    -    -    -    -    -    1200       0       -\n"
           "  quickstart/item        0    0.0    -    -    -    -    -       0       3       -\n"
           "\n"
           "  errors: connect 1,200\n"
           "  unsent: 3 requests could not be sent (never reached the server; not counted as "
           "requests): unsafe_header 3\n"
           "    unsafe_header: a rendered header value held CR, LF or NUL (it would inject a "
           "line)\n"
           "\n"
           "  ! the unique feed 'users' (2 rows) ran out\n"
           "\n"
           "  thresholds\n"
           "    \u2717 p95(latency) < 200ms  no samples\n"
           "    \u2717 failures rule: no critical threshold ...: 1,200 of 1,200 failed\n"
           "    \u2717 no-response rule: no request got a response\n"
           "    \u2713 future rule: a rule this reader does not know\n"
           "\n"
           "  verdict: FAIL\n");
    free(s);
    s = text_of(r, true);
    assert_non_null(strstr(s, "\n    \033[31m\u2717\033[0m failures rule: "));
    assert_non_null(strstr(s, "\n    \033[32m\u2713\033[0m future rule: "));
    assert_non_null(strstr(s, "\n  \033[33m!\033[0m the unique feed 'users'"));
    free(s);
    lg_result_free(r);
}

/* The open model: the table holds the corrected figures; the uncorrected ones, the
 * schedule and (when the rate was not kept) the engine's note follow it. */
static const char expected_open_summary[] =
    "  loadgate " LG_VERSION " · trivia (scenarios/trivia/suite.yaml) · env staging\n"
    "  http://127.0.0.1:8080 · 20 VUs · 10.0s · 1,101 requests (110.1/s) · 617 iterations (3 "
    "failed) · 2 dropped\n"
    "\n"
    "  step                                   count    rps     p50     p90     p95     p99     max"
    "  errors     checks\n"
    "  guest-session/start                     1000  100.0   500us   900us   950us   990us  1.00ms"
    "       2  1998/2000\n"
    "  leaderboard/weekly-science-top-scores    101   10.1  12.4ms  12.4ms  12.4ms  12.4ms   250ms"
    "      10          -\n"
    "  uncorrected (as if no wait): guest-session/start                   p50 250us p95 475us p99 "
    "495us max 500us\n"
    "  uncorrected (as if no wait): leaderboard/weekly-science-top-scores p50 12.4ms p95 12.4ms "
    "p99 12.4ms max 12.4ms\n"
    "\n"
    "  open model: 619 iterations due at up to 62.0/s, 617 started, 2 dropped; waited for a VU: "
    "150 (p99 1.20s); harness lag p99 410us\n"
    "%s"
    "\n"
    "  errors: timeout 2, http_5xx 10\n"
    "\n"
    "  failed checks\n"
    "    ✗ guest-session/start  status is 201  2 of 1,000 failed\n"
    "        1× HTTP 200, expected 201\n"
    "        1× other reasons (not kept)\n"
    "\n"
    "  thresholds\n"
    "    ✓ p95(latency) < 500ms            950us\n"
    "    ✗ error_rate < 1%%                 1.09%%\n"
    "    ✗ p99(latency{step=mint}) < 1s    no samples\n"
    "    ! p99(latency) < 10ms  (warning)  12.4ms\n"
    "    ✓ error_rate < 5%%  (abort)        1.09%%\n"
    "\n"
    "  verdict: FAIL\n";

static void assert_open_summary(const struct lg_result *r, const char *note_line)
{
    char *want = lg_asprintf(expected_open_summary, note_line);
    char *s = text_of(r, false);
    assert_string_equal(s, want);
    free(s);
    free(want);
}

static void test_reports_text_open_model_sustained_is_exact(void **state)
{
    assert_open_summary(*state, "");
}

static void test_reports_text_open_model_not_sustained_says_so(void **state)
{
    struct lg_result *r = *state;
    r->schedule.sustained = false;
    r->schedule.note = lg_strdup("could not keep the asked rate: 2 of 619 iterations dropped "
                                 "(no free VU within 10s); raise max_vus");
    assert_open_summary(r, "  ✗ could not keep the asked rate: 2 of 619 iterations dropped (no "
                           "free VU within 10s); raise max_vus\n");
    char *s = text_of(r, true);
    assert_non_null(strstr(s, "\n  \033[31m✗\033[0m could not keep the asked rate: 2 of 619"));
    free(s);

    /* Kept, but the engine has something to say (a warning, not a failure). */
    r->schedule.sustained = true;
    free(r->schedule.note);
    r->schedule.note = lg_strdup("harness lag p99 above 1ms: \033[2Jthe generator is busy");
    assert_open_summary(r, "  ! harness lag p99 above 1ms: ?[2Jthe generator is busy\n");
    s = text_of(r, true);
    assert_non_null(strstr(s, "\n  \033[33m!\033[0m harness lag p99 above 1ms: "));
    free(s);

    /* Not kept and no note: still said plainly. */
    r->schedule.sustained = false;
    free(r->schedule.note);
    r->schedule.note = NULL;
    assert_open_summary(r, "  ✗ could not keep the asked rate\n");
}

/* Nothing waited and nothing ran: no p99 of an empty wait, "-" for a step with no
 * request, and one iteration in the singular. */
static void test_reports_text_open_model_nothing_waited(void **state)
{
    struct lg_result *r = *state;
    r->schedule.scheduled = 1;
    r->schedule.started = 1;
    r->schedule.dropped = 0;
    r->schedule.waited = 0;
    r->schedule.wait_ms = (struct lg_latency_ms){0};
    r->schedule.peak_rate_per_s = 0.05;
    r->steps[1].requests = 0;
    r->steps[1].has_uncorrected = true;
    r->steps[0].has_uncorrected = false;
    char *s = text_of(r, false);
    /* "-" beside "-" says nothing: a step with no request gets no uncorrected line. */
    assert_non_null(strstr(s, "          -\n\n"
                              "  open model: 1 iteration due at up to 0.050/s, 1 started, 0 "
                              "dropped; waited for a VU: 0; harness lag p99 410us\n\n"));
    assert_null(strstr(s, "uncorrected"));
    free(s);
}

/* The uncorrected line of a step appears only where it reads differently from the
 * table (an iteration waited for a VU), padded to the steps that have one; with
 * none differing there is no line at all. */
static void test_reports_text_open_model_uncorrected_only_where_different(void **state)
{
    struct lg_result *r = *state;
    struct lg_result_step *s = &r->steps[1];
    lg_hist_reset(s->histogram_uncorrected);
    lg_hist_record_n(s->histogram_uncorrected, 12345, 100);
    lg_hist_record(s->histogram_uncorrected, 250000);
    lg_latency_from_hist(s->histogram_uncorrected, &s->latency_uncorrected_ms);
    static const char table[] =
        "  guest-session/start                     1000  100.0   500us   900us   950us   990us  "
        "1.00ms       2  1998/2000\n"
        "  leaderboard/weekly-science-top-scores    101   10.1  12.4ms  12.4ms  12.4ms  12.4ms   "
        "250ms      10          -\n";
    char *want = lg_asprintf("%s  uncorrected (as if no wait): guest-session/start p50 250us "
                             "p95 475us p99 495us max 500us\n\n  open model: ",
                             table);
    char *t = text_of(r, false);
    assert_non_null(strstr(t, want));
    assert_null(strstr(t, "uncorrected (as if no wait): leaderboard"));
    free(t);
    free(want);

    s = &r->steps[0];
    lg_hist_reset(s->histogram_uncorrected);
    for (int64_t v = 1; v <= 1000; v++)
        lg_hist_record(s->histogram_uncorrected, v);
    lg_latency_from_hist(s->histogram_uncorrected, &s->latency_uncorrected_ms);
    want = lg_asprintf("%s\n  open model: ", table);
    t = text_of(r, false);
    assert_non_null(strstr(t, want));
    assert_null(strstr(t, "uncorrected"));
    free(t);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reports_verdict_names),
        cmocka_unit_test(test_reports_latency_from_hist_exact_percentiles),
        cmocka_unit_test(test_reports_latency_from_empty_or_null_hist_is_zero),
        cmocka_unit_test(test_reports_free_accepts_null_and_empty),
        cmocka_unit_test_setup_teardown(test_reports_json_has_exact_keys_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_json_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_json_numbers_have_at_most_3_decimals, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_json_never_writes_invalid_strings_or_numbers,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_json_open_model_has_exact_keys_in_order,
                                        setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_reports_json_open_model_values, setup_open, teardown),
        cmocka_unit_test_setup_teardown(
            test_reports_json_closed_model_writes_no_uncorrected_figures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_read_json_round_trip_is_exact, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_json_interrupted_and_retries_round_trip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_read_json_aborted_result_with_nulls, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_null_histogram_is_written_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_smoke_rule_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_loadgate_version_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_segment_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_limits_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_step_phases_written_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_settled_result_renders_the_same_read_back,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_baseline_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_segment_and_merged_round_trip, setup_open,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_baseline_histograms_round_trip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_regression_settings_round_trip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_reports_settled_result_with_stray_bytes_renders_the_same_read_back, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_reports_read_json_hides_a_base_url_password, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_text_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_read_json_check_reasons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_rules_unsent_feed_round_trip, setup, teardown),
        cmocka_unit_test(test_reports_read_json_broken_files_give_exact_errors),
        cmocka_unit_test(test_reports_read_json_invalid_json_names_line_and_column),
        cmocka_unit_test(test_reports_read_json_directory_is_io_error),
        cmocka_unit_test_setup_teardown(test_reports_read_json_survives_every_mutation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_read_json_open_round_trip_is_exact, setup_open,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_read_json_without_schedule_is_closed,
                                        setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_reports_http_proxy_protocols_round_trip_and_text,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_read_json_schedule_errors_are_exact,
                                        setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_reports_read_json_open_survives_every_mutation,
                                        setup_open, teardown),
        cmocka_unit_test(test_reports_write_atomic_replaces_and_leaves_no_tmp),
        cmocka_unit_test_setup_teardown(test_reports_write_into_missing_directory_is_eio, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_write_over_a_directory_is_eio_and_cleans_up,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_text_summary_is_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_text_failed_check_reasons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_text_file_is_the_uncoloured_summary, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_text_interrupted_and_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reports_text_color_marks_and_verdict, setup, teardown),
        cmocka_unit_test(test_reports_text_default_gate_and_abort),
        cmocka_unit_test(test_reports_text_smoke_rule),
        cmocka_unit_test(test_reports_text_rules_unsent_and_feed),
        cmocka_unit_test_setup_teardown(test_reports_text_open_model_sustained_is_exact, setup_open,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reports_text_open_model_not_sustained_says_so,
                                        setup_open, teardown),
        cmocka_unit_test_setup_teardown(test_reports_text_open_model_nothing_waited, setup_open,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_reports_text_open_model_uncorrected_only_where_different, setup_open, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
