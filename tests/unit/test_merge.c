/* Unit tests for merge: segment results built by hand, written as result.json and
 * read back (so the segment keys round-trip), then merged: percentiles equal those of
 * the union of the segments' histograms, thresholds and rules judged on the merged
 * data (not an AND of the segments' verdicts), seconds aligned by wall clock, each
 * refusal with its message, a partial merge that fails its gate, an aborted segment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "report.h"
#include "result.h"
#include "util.h"

#define HASH_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define T0 1796565600000LL /* 2026-12-06T14:00:00Z */

/* One segment of a run of suite "shop": scenario "browse", step "get" (tag
 * kind=read) with `fast` responses 200 at fast_us, `slow` responses 200 at slow_us
 * and `failed` responses 500 (an unexpected status) at fail_us, all in second 0 of
 * a 1 s run that started at start_ms. */
struct seg_spec {
    uint32_t k, n;
    const char *hash;
    int64_t start_ms;
    uint64_t fast, slow, failed;
    int64_t fast_us, slow_us, fail_us;
    const char *const *thresholds; /* NULL-terminated, critical */
    const char *abort_reason;      /* non-NULL: the segment aborted */
    bool whole;                    /* no "segment": a run without --segment */
    /* open model: iterations due, dropped, and each due one's lag (lag_us) */
    bool open;
    uint64_t scheduled, dropped;
    int64_t lag_us;
};

static char *enc(const struct lg_hist *h)
{
    return h->total_count ? lg_hist_encode(h) : NULL;
}

static struct lg_count count_of(const char *name, uint64_t n)
{
    return (struct lg_count){lg_strdup(name), n};
}

static struct lg_result *build_seg(const struct seg_spec *sp)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->verdict = sp->abort_reason ? LG_VERDICT_ABORTED : LG_VERDICT_PASS;
    r->abort_reason = sp->abort_reason ? lg_strdup(sp->abort_reason) : NULL;
    r->suite = lg_strdup("shop");
    r->file = lg_strdup("shop.yaml");
    r->started_at = lg_strdup("2026-12-06T14:00:00Z");
    r->loadgate_version = lg_strdup("0.1.0");
    r->http = lg_strdup("1.1");
    r->vus = 2;
    r->duration_s = 1.0;
    uint64_t ok = sp->fast + sp->slow, all = ok + sp->failed;
    r->requests = all;
    r->errors = sp->failed;
    r->iterations = all;
    r->iterations_failed = sp->failed;
    r->checks_passed = ok;
    r->checks_failed = sp->failed;
    r->rps = (double)all;

    struct lg_hist *h200 = lg_hist_new(), *h500 = lg_hist_new(), *all_h = lg_hist_new();
    lg_hist_record_n(h200, sp->fast_us, (int64_t)sp->fast);
    lg_hist_record_n(h200, sp->slow_us, (int64_t)sp->slow);
    lg_hist_record_n(h500, sp->fail_us, (int64_t)sp->failed);
    lg_hist_merge(all_h, h200);
    lg_hist_merge(all_h, h500);

    r->n_steps = 1;
    r->steps = lg_calloc(1, sizeof(*r->steps));
    struct lg_result_step *s = &r->steps[0];
    s->scenario = lg_strdup("browse");
    s->name = lg_strdup("get");
    s->requests = all;
    s->errors = sp->failed;
    s->n_status = 0;
    s->status = lg_calloc(2, sizeof(*s->status));
    if (ok)
        s->status[s->n_status++] = count_of("200", ok);
    if (sp->failed)
        s->status[s->n_status++] = count_of("500", sp->failed);
    if (sp->failed) {
        s->error_classes = lg_calloc(1, sizeof(*s->error_classes));
        s->error_classes[s->n_error_classes++] = count_of("http_5xx", sp->failed);
    }
    s->histogram = lg_hist_new();
    lg_hist_merge(s->histogram, all_h);
    lg_latency_from_hist(s->histogram, &s->latency_ms);
    s->checks_passed = ok;
    s->checks_failed = sp->failed;
    s->n_checks = 1;
    s->checks = lg_calloc(1, sizeof(*s->checks));
    s->checks[0].label = lg_strdup("status in 200..299");
    s->checks[0].passed = ok;
    s->checks[0].failed = sp->failed;
    if (sp->failed) {
        s->checks[0].reasons = lg_calloc(1, sizeof(*s->checks[0].reasons));
        s->checks[0].reasons[s->checks[0].n_reasons++] = count_of("status 500", sp->failed);
    }
    s->n_tags = 1;
    s->tags = lg_calloc(1, sizeof(*s->tags));
    s->tags[0] = (struct lg_result_tag){lg_strdup("kind"), lg_strdup("read")};
    s->cells = lg_calloc(2, sizeof(*s->cells));
    if (ok)
        s->cells[s->n_cells++] = (struct lg_result_cell){
            .status = 200, .requests = ok, .latency = enc(h200), .ttfb = enc(h200)};
    if (sp->failed) {
        struct lg_result_cell *c = &s->cells[s->n_cells++];
        *c = (struct lg_result_cell){.status = 500,
                                     .requests = sp->failed,
                                     .errors = sp->failed,
                                     .latency = enc(h500),
                                     .ttfb = enc(h500)};
        c->error_classes = lg_calloc(1, sizeof(*c->error_classes));
        c->error_classes[c->n_error_classes++] = count_of("http_5xx", sp->failed);
    }

    r->n_scenarios = 1;
    r->scenarios = lg_calloc(1, sizeof(*r->scenarios));
    r->scenarios[0].name = lg_strdup("browse");
    r->scenarios[0].iterations = all;
    r->scenarios[0].iterations_failed = sp->failed;
    r->scenarios[0].histogram = lg_hist_new();
    lg_hist_merge(r->scenarios[0].histogram, all_h);
    lg_latency_from_hist(r->scenarios[0].histogram, &r->scenarios[0].iteration_ms);

    size_t n_th = 0;
    while (sp->thresholds && sp->thresholds[n_th])
        n_th++;
    r->n_thresholds = n_th;
    r->thresholds = lg_calloc(n_th + 1, sizeof(*r->thresholds));
    for (size_t i = 0; i < n_th; i++)
        r->thresholds[i] = (struct lg_result_threshold){
            .expr = lg_strdup(sp->thresholds[i]),
            .severity = lg_strdup("critical"),
            .ok = true,
            .unit = lg_strdup("count"),
            .observed_text = lg_strdup("-"),
        };

    r->n_series = 1;
    r->series = lg_calloc(1, sizeof(*r->series));
    r->series[0] = (struct lg_result_point){.t_s = 0,
                                            .requests = all,
                                            .errors = sp->failed,
                                            .vus = 2,
                                            .p50_ms = (double)lg_hist_percentile(all_h, 50) / 1e3,
                                            .p95_ms = (double)lg_hist_percentile(all_h, 95) / 1e3,
                                            .p99_ms = (double)lg_hist_percentile(all_h, 99) / 1e3,
                                            .histogram = lg_hist_encode(all_h)};
    if (sp->open) {
        struct lg_result_schedule *sc = &r->schedule;
        struct lg_hist *lag = lg_hist_new();
        lg_hist_record_n(lag, sp->lag_us, (int64_t)(sp->scheduled - sp->dropped));
        *sc = (struct lg_result_schedule){.open = true,
                                          .peak_rate_per_s = (double)sp->scheduled,
                                          .max_vus = 2,
                                          .max_lateness_s = 10,
                                          .scheduled = sp->scheduled,
                                          .started = sp->scheduled - sp->dropped,
                                          .dropped = sp->dropped,
                                          .sustained = sp->dropped == 0,
                                          .lag_histogram = lg_hist_encode(lag)};
        lg_latency_from_hist(lag, &sc->lag_ms);
        lg_hist_free(lag);
        r->dropped_iterations = sp->dropped;
        for (size_t i = 0; i < s->n_cells; i++)
            s->cells[i].latency_uncorrected = lg_strdup(s->cells[i].latency);
        s->has_uncorrected = true;
        s->histogram_uncorrected = lg_hist_new();
        lg_hist_merge(s->histogram_uncorrected, s->histogram);
        s->latency_uncorrected_ms = s->latency_ms;
    }
    r->has_segment = !sp->whole;
    r->segment_index = sp->k;
    r->segment_count = sp->n;
    r->config_hash = lg_strdup(sp->hash ? sp->hash : HASH_A);
    r->started_unix_ms = sp->start_ms ? sp->start_ms : T0;
    lg_hist_free(h200);
    lg_hist_free(h500);
    lg_hist_free(all_h);
    lg_result_settle(r);
    return r;
}

/* The segment as `merge` gets it: through result.json. */
static struct lg_result *seg(const struct seg_spec *sp)
{
    struct lg_result *built = build_seg(sp);
    char *json = lg_result_to_json(built);
    struct lg_result *r = NULL;
    char err[512] = "";
    int rc = lg_result_from_json(json, strlen(json), "seg.json", &r, err, sizeof(err));
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);
    /* what was written reads back as the same document */
    char *again = lg_result_to_json(r);
    assert_string_equal(again, json);
    free(again);
    free(json);
    lg_result_free(built);
    return r;
}

struct merged {
    struct lg_result *in[4];
    const char *files[4];
    size_t n;
    struct lg_result *out;
    char err[1024];
    int rc;
};

static void do_merge(struct merged *m, bool allow_partial)
{
    struct lg_merge_opts o = {.allow_partial = allow_partial};
    static const char *const names[] = {"seg1.json", "seg2.json", "seg3.json", "seg4.json"};
    for (size_t i = 0; i < m->n; i++)
        m->files[i] = names[i];
    m->out = NULL;
    m->err[0] = '\0';
    m->rc = lg_merge(m->in, m->files, m->n, &o, &m->out, m->err, sizeof(m->err));
}

static void merged_free(struct merged *m)
{
    for (size_t i = 0; i < m->n; i++)
        lg_result_free(m->in[i]);
    lg_result_free(m->out);
}

static const struct lg_result_rule *rule(const struct lg_result *r, const char *name)
{
    for (size_t i = 0; i < r->n_rules; i++)
        if (!strcmp(r->rules[i].name, name))
            return &r->rules[i];
    return NULL;
}

/* ---- exact merge ---- */

static void test_merge_percentiles_of_union(void **state)
{
    (void)state;
    struct merged m = {.n = 3};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 3, .fast = 100, .fast_us = 10000});
    m.in[1] = seg(&(struct seg_spec){
        .k = 2, .n = 3, .fast = 50, .fast_us = 12000, .slow = 50, .slow_us = 80000});
    m.in[2] = seg(&(struct seg_spec){
        .k = 3, .n = 3, .fast = 97, .fast_us = 11000, .slow = 3, .slow_us = 250000});
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);

    struct lg_hist *u = lg_hist_new();
    lg_hist_record_n(u, 10000, 100);
    lg_hist_record_n(u, 12000, 50);
    lg_hist_record_n(u, 80000, 50);
    lg_hist_record_n(u, 11000, 97);
    lg_hist_record_n(u, 250000, 3);
    struct lg_latency_ms want;
    lg_latency_from_hist(u, &want);
    const struct lg_result *r = m.out;
    assert_int_equal(r->requests, 300);
    assert_int_equal(r->iterations, 300);
    assert_int_equal(r->steps[0].requests, 300);
    assert_int_equal(r->steps[0].histogram->total_count, 300);
    assert_true(r->steps[0].latency_ms.p95 == want.p95);
    assert_true(r->steps[0].latency_ms.p99 == want.p99);
    assert_true(r->steps[0].latency_ms.p50 == want.p50);
    assert_true(r->steps[0].latency_ms.max == want.max);
    /* a percentile of the union, not an average of the segments' (80 ms at p95) */
    assert_true(want.p95 == 80.063);
    assert_true(want.p99 == 80.063);
    /* the second's percentiles too: all three started together */
    assert_int_equal(r->n_series, 1);
    assert_int_equal(r->series[0].requests, 300);
    assert_int_equal(r->series[0].vus, 6);
    assert_true(r->series[0].p95_ms == want.p95);
    assert_true(r->series[0].p99_ms == want.p99);
    assert_int_equal(r->vus, 6);
    assert_true(r->duration_s == 1.0);
    assert_true(r->rps == 300.0);
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    assert_string_equal(r->config_hash, HASH_A);
    assert_false(r->has_segment);
    assert_true(r->merged.has);
    assert_int_equal(r->merged.count, 3);
    assert_int_equal(r->merged.n_segments, 3);
    assert_int_equal(r->merged.n_missing, 0);
    assert_string_equal(r->merged.segments[1].file, "seg2.json");
    assert_int_equal(r->merged.segments[1].requests, 100);
    lg_hist_free(u);
    merged_free(&m);
}

/* The files in any order: the merged result is the same bytes. */
static void test_merge_order_of_files_does_not_matter(void **state)
{
    (void)state;
    struct merged a = {.n = 2}, b = {.n = 2};
    struct seg_spec s1 = {.k = 1, .n = 2, .fast = 10, .fast_us = 1000, .failed = 1, .fail_us = 5};
    struct seg_spec s2 = {.k = 2, .n = 2, .fast = 20, .fast_us = 3000, .slow = 2, .slow_us = 9000};
    a.in[0] = seg(&s1);
    a.in[1] = seg(&s2);
    b.in[0] = seg(&s2);
    b.in[1] = seg(&s1);
    do_merge(&a, false);
    do_merge(&b, false);
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, 0);
    /* the files differ only in the names given: name them alike */
    free(b.out->merged.segments[0].file);
    free(b.out->merged.segments[1].file);
    b.out->merged.segments[0].file = lg_strdup("seg1.json");
    b.out->merged.segments[1].file = lg_strdup("seg2.json");
    char *ja = lg_result_to_json(a.out), *jb = lg_result_to_json(b.out);
    assert_string_equal(ja, jb);
    /* and the merged result reads back as itself */
    struct lg_result *back = NULL;
    char err[512];
    assert_int_equal(lg_result_from_json(ja, strlen(ja), NULL, &back, err, sizeof(err)), 0);
    char *again = lg_result_to_json(back);
    assert_string_equal(again, ja);
    assert_true(back->merged.has);
    assert_int_equal(back->merged.segments[1].index, 2);
    free(again);
    lg_result_free(back);
    free(ja);
    free(jb);
    merged_free(&a);
    merged_free(&b);
}

/* ---- thresholds judged on the merged data ---- */

/* Each segment alone keeps `count(latency{status=500}) < 10` and `rps < 150`; the
 * run they make does not. */
static void test_merge_threshold_failing_only_on_merged_data(void **state)
{
    (void)state;
    static const char *const th[] = {"count(latency{status=500}) < 10", "rps < 150",
                                     "error_rate < 10%", NULL};
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1,
                                     .n = 2,
                                     .fast = 94,
                                     .fast_us = 1000,
                                     .failed = 6,
                                     .fail_us = 2000,
                                     .thresholds = th});
    m.in[1] = seg(&(struct seg_spec){.k = 2,
                                     .n = 2,
                                     .fast = 94,
                                     .fast_us = 1000,
                                     .failed = 6,
                                     .fail_us = 2000,
                                     .thresholds = th});
    assert_int_equal(m.in[0]->verdict, LG_VERDICT_PASS); /* as each run judged itself */
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    const struct lg_result *r = m.out;
    assert_int_equal(r->n_thresholds, 3);
    assert_false(r->thresholds[0].ok);
    assert_true(r->thresholds[0].observed == 12);
    assert_string_equal(r->thresholds[0].observed_text, "12");
    assert_false(r->thresholds[1].ok);
    assert_true(r->thresholds[1].observed == 200);
    assert_true(r->thresholds[2].ok); /* 12 of 200: 6% */
    assert_true(r->thresholds[2].observed == 0.06);
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    merged_free(&m);
}

/* A segment that fails alone on too few samples (one slow segment: p95 of 6 requests,
 * 1 error in 10) does not fail the run its data belongs to: not an AND of verdicts. */
static void test_merge_not_an_and_of_verdicts(void **state)
{
    (void)state;
    static const char *const th[] = {"p95(latency) < 40ms", "error_rate < 5%", NULL};
    struct merged m = {.n = 2};
    m.in[0] =
        seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 200, .fast_us = 10000, .thresholds = th});
    struct lg_result *b = build_seg(&(struct seg_spec){.k = 2,
                                                       .n = 2,
                                                       .fast = 7,
                                                       .fast_us = 10000,
                                                       .slow = 2,
                                                       .slow_us = 90000,
                                                       .failed = 1,
                                                       .fail_us = 10000,
                                                       .thresholds = th});
    b->verdict = LG_VERDICT_FAIL; /* p95 90 ms, error_rate 10%: its own run failed */
    char *json = lg_result_to_json(b);
    char err[512];
    assert_int_equal(lg_result_from_json(json, strlen(json), NULL, &m.in[1], err, sizeof(err)), 0);
    free(json);
    lg_result_free(b);
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    const struct lg_result *r = m.out;
    assert_true(r->thresholds[0].ok);
    assert_true(r->thresholds[0].observed == 10.007);
    assert_true(r->thresholds[1].ok); /* 1 of 210 */
    assert_int_equal(r->verdict, LG_VERDICT_PASS);
    assert_int_equal(r->merged.segments[1].verdict, LG_VERDICT_FAIL);
    merged_free(&m);
}

/* Status and tag filters select the segments' cells as the run's gate selects its own. */
static void test_merge_filters_by_status_and_tag(void **state)
{
    (void)state;
    static const char *const th[] = {"p95(latency{status=200}) < 20ms",
                                     "p99(latency{tag.kind=read}) < 20ms",
                                     "max(ttfb{step=browse.get,status=500}) < 100ms", NULL};
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1,
                                     .n = 2,
                                     .fast = 90,
                                     .fast_us = 5000,
                                     .failed = 10,
                                     .fail_us = 400000,
                                     .thresholds = th});
    m.in[1] =
        seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 100, .fast_us = 6000, .thresholds = th});
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    const struct lg_result *r = m.out;
    assert_true(r->thresholds[0].ok);
    assert_true(r->thresholds[0].observed == 6.003);
    assert_false(r->thresholds[1].ok); /* the 500s are 5% of the step: p99 is theirs */
    assert_true(r->thresholds[1].observed == 400.127);
    assert_false(r->thresholds[2].ok);
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    merged_free(&m);
}

/* No threshold: the strict default gate over the merged data (one failed request in
 * one segment fails the run). */
static void test_merge_default_gate(void **state)
{
    (void)state;
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 10, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){
        .k = 2, .n = 2, .fast = 9, .fast_us = 1000, .failed = 1, .fail_us = 1000});
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    const struct lg_result *r = m.out;
    assert_true(r->default_gate);
    const struct lg_result_rule *u = rule(r, "default");
    assert_non_null(u);
    assert_false(u->ok);
    assert_non_null(strstr(u->text, "1 of 20 requests failed (http_5xx 1)"));
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    assert_int_equal(r->checks_failed, 1);
    assert_string_equal(r->steps[0].checks[0].reasons[0].name, "status 500");
    merged_free(&m);
}

/* A segment that started 1.2 s after the first: its second 0 is the run's second 1. */
static void test_merge_aligns_seconds_by_wall_clock(void **state)
{
    (void)state;
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 10, .fast_us = 1000});
    m.in[1] =
        seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 20, .fast_us = 3000, .start_ms = T0 + 1200});
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    const struct lg_result *r = m.out;
    assert_int_equal(r->n_series, 2);
    assert_int_equal(r->series[0].t_s, 0);
    assert_int_equal(r->series[0].requests, 10);
    assert_int_equal(r->series[1].t_s, 1);
    assert_int_equal(r->series[1].requests, 20);
    assert_true(r->duration_s == 2.2); /* the wall-clock span */
    assert_int_equal(r->started_unix_ms, T0);
    assert_string_equal(r->started_at, "2026-12-06T14:00:00Z");
    merged_free(&m);
}

/* Segments that did not run together never put the whole load on the server: each
 * met 1/N of it. Their merge fails the gate (rule "together") beyond 2 s or a tenth
 * of the shortest segment apart, whatever its thresholds say; within, it passes. */
static void test_merge_segments_apart_fail_the_gate(void **state)
{
    (void)state;
    static const char *const th[] = {"p95(latency) < 5s", NULL};
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 5, .fast_us = 1000, .thresholds = th});
    m.in[1] = seg(&(struct seg_spec){
        .k = 2, .n = 2, .fast = 5, .fast_us = 1000, .thresholds = th, .start_ms = T0 + 2000});
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    assert_int_equal(m.out->verdict, LG_VERDICT_PASS);
    assert_null(rule(m.out, LG_RULE_TOGETHER));
    merged_free(&m);

    m = (struct merged){.n = 2};
    m.in[0] = seg(&(struct seg_spec){
        .k = 1, .n = 2, .fast = 5, .fast_us = 1000, .thresholds = th, .start_ms = T0 + 3600000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 5, .fast_us = 1000, .thresholds = th});
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    assert_int_equal(m.out->verdict, LG_VERDICT_FAIL);
    assert_true(m.out->thresholds[0].ok);
    const struct lg_result_rule *t = rule(m.out, LG_RULE_TOGETHER);
    assert_non_null(t);
    assert_false(t->ok);
    assert_string_equal(t->text,
                        "segment 1/2 started 3600.000 s after segment 2/2 (more than 2 s or a "
                        "tenth of the shortest segment, 1.000 s): the whole load never ran at "
                        "once, so the merged data cannot vouch for it; start the segments "
                        "together (--start-at TIME)");
    merged_free(&m);
}

/* The open model: iterations due and dropped summed, the lag histograms merged,
 * and `dropped < 3` judged on the run's 4 dropped, not on each segment's 2. */
static void test_merge_open_model(void **state)
{
    (void)state;
    static const char *const th[] = {"dropped < 3", NULL};
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1,
                                     .n = 2,
                                     .fast = 48,
                                     .fast_us = 2000,
                                     .open = true,
                                     .scheduled = 50,
                                     .dropped = 2,
                                     .lag_us = 100,
                                     .thresholds = th});
    m.in[1] = seg(&(struct seg_spec){.k = 2,
                                     .n = 2,
                                     .fast = 48,
                                     .fast_us = 4000,
                                     .open = true,
                                     .scheduled = 50,
                                     .dropped = 2,
                                     .lag_us = 300,
                                     .thresholds = th});
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    const struct lg_result *r = m.out;
    assert_true(r->schedule.open);
    assert_int_equal(r->schedule.scheduled, 100);
    assert_int_equal(r->schedule.dropped, 4);
    assert_int_equal(r->schedule.started, 96);
    assert_int_equal(r->dropped_iterations, 4);
    assert_true(r->schedule.peak_rate_per_s == 50); /* the whole schedule's, in each */
    assert_true(r->schedule.lag_ms.p50 == 0.1);
    assert_true(r->schedule.lag_ms.max == 0.3);
    assert_true(r->steps[0].has_uncorrected);
    assert_int_equal(r->steps[0].histogram_uncorrected->total_count, 96);
    assert_false(r->thresholds[0].ok);
    assert_true(r->thresholds[0].observed == 4);
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    merged_free(&m);
}

/* An hour of seconds in each of two segments, the second started 0.4 s later (the
 * same second, rounded): 3,600 merged seconds, each the sum of its two. */
static void test_merge_an_hour_of_seconds(void **state)
{
    (void)state;
    struct merged m = {.n = 2};
    for (size_t k = 0; k < 2; k++) {
        struct lg_result *r = build_seg(&(struct seg_spec){.k = (uint32_t)k + 1,
                                                           .n = 2,
                                                           .fast = 1,
                                                           .fast_us = 1000,
                                                           .start_ms = T0 + 400 * (int64_t)k});
        struct lg_hist *h = lg_hist_new();
        lg_hist_record(h, k ? 3000 : 1000);
        char *enc = lg_hist_encode(h);
        lg_hist_free(h);
        free(r->series[0].histogram);
        free(r->series);
        r->n_series = 3600;
        r->series = lg_calloc(r->n_series, sizeof(*r->series));
        for (size_t i = 0; i < r->n_series; i++)
            r->series[i] = (struct lg_result_point){
                .t_s = (int64_t)i, .requests = 1, .vus = 1, .histogram = lg_strdup(enc)};
        free(enc);
        r->duration_s = 3600;
        m.in[k] = r;
    }
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    const struct lg_result *r = m.out;
    assert_int_equal(r->n_series, 3600);
    assert_int_equal(r->series[3599].t_s, 3599);
    assert_int_equal(r->series[3599].requests, 2);
    assert_true(r->series[3599].p50_ms == 1.0);
    assert_true(r->series[3599].p99_ms == 3.001);
    assert_true(r->duration_s == 3600.4);
    merged_free(&m);
}

/* The regression settings the segments recorded go to the merged result, for
 * `compare` and `merge --baseline` to judge it as a run. */
static void test_merge_keeps_regression_settings(void **state)
{
    (void)state;
    struct merged m = {.n = 2};
    for (uint32_t k = 1; k <= 2; k++) {
        struct lg_result *r =
            build_seg(&(struct seg_spec){.k = k, .n = 2, .fast = 1, .fast_us = 1000});
        r->regression = (struct lg_result_regset){.has = true,
                                                  .budget = 0.25,
                                                  .metrics = 3,
                                                  .confidence = 0.95,
                                                  .budget_from = LG_REGSET_SUITE,
                                                  .n_steps = 1};
        r->regression.steps = lg_calloc(1, sizeof(*r->regression.steps));
        r->regression.steps[0] = (struct lg_result_regset_step){
            lg_strdup("browse"), lg_strdup("get"), .budget = 0.5, .metrics = 3};
        char *json = lg_result_to_json(r);
        char err[512];
        assert_int_equal(
            lg_result_from_json(json, strlen(json), NULL, &m.in[k - 1], err, sizeof(err)), 0);
        free(json);
        lg_result_free(r);
    }
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    const struct lg_result_regset *g = &m.out->regression;
    assert_true(g->has);
    assert_true(g->budget == 0.25 && g->confidence == 0.95 && g->metrics == 3);
    assert_int_equal(g->budget_from, LG_REGSET_SUITE);
    assert_int_equal(g->n_steps, 1);
    assert_string_equal(g->steps[0].step, "get");
    assert_true(g->steps[0].budget == 0.5);
    merged_free(&m);
}

/* ---- aborted and partial ---- */

static void test_merge_aborted_segment_aborts(void **state)
{
    (void)state;
    struct merged m = {.n = 3};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 3, .fast = 10, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){
        .k = 2, .n = 3, .fast = 10, .fast_us = 1000, .abort_reason = "interrupted by SIGTERM"});
    m.in[2] =
        seg(&(struct seg_spec){.k = 3,
                               .n = 3,
                               .fast = 10,
                               .fast_us = 1000,
                               .abort_reason = "abort threshold 'p95(latency) < 1ms' broken"});
    do_merge(&m, false);
    assert_int_equal(m.rc, 0);
    assert_int_equal(m.out->verdict, LG_VERDICT_ABORTED);
    assert_string_equal(m.out->abort_reason,
                        "segment 2/3: interrupted by SIGTERM; segment 3/3: abort threshold "
                        "'p95(latency) < 1ms' broken");
    assert_string_equal(m.out->merged.segments[1].abort_reason, "interrupted by SIGTERM");
    merged_free(&m);
}

static void test_merge_partial_fails_the_gate(void **state)
{
    (void)state;
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 3, .n = 4, .fast = 10, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 1, .n = 4, .fast = 10, .fast_us = 1000});
    do_merge(&m, false);
    assert_int_equal(m.rc, LG_EINVAL);
    assert_string_equal(m.err, "segments 2, 4 of 4 missing: give every segment's result (or "
                               "--allow-partial, whose merged result fails the gate)");
    assert_null(m.out);
    do_merge(&m, true);
    assert_int_equal(m.rc, 0);
    const struct lg_result *r = m.out;
    assert_int_equal(r->verdict, LG_VERDICT_FAIL);
    assert_int_equal(r->merged.n_missing, 2);
    assert_int_equal(r->merged.missing[0], 2);
    assert_int_equal(r->merged.missing[1], 4);
    assert_int_equal(r->merged.segments[0].index, 1);
    const struct lg_result_rule *u = rule(r, "partial");
    assert_non_null(u);
    assert_false(u->ok);
    assert_string_equal(u->text, "only 2 of 4 segments merged (missing: 2, 4): the merged data "
                                 "lacks their share of the load, so it cannot pass the gate");
    /* in the summary, the merged segments and the rule that fails */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lg_report_text(r, f, false);
    fclose(f);
    assert_non_null(strstr(text, "\n  merged from segments 1, 3 of 4 · MISSING 2, 4\n"));
    assert_non_null(strstr(text, "✗ partial merge: only 2 of 4 segments merged (missing: 2, 4)"));
    assert_non_null(strstr(text, "verdict: FAIL"));
    free(text);
    char *html = lg_report_html(r);
    assert_non_null(strstr(html, "<dt>Merged from</dt><dd>segments 1, 3 of 4 · MISSING 2, 4</dd>"));
    free(html);
    /* in result.json and back */
    char *json = lg_result_to_json(r);
    assert_non_null(strstr(json, "\"missing\": [\n      2,\n      4\n    ]"));
    free(json);
    merged_free(&m);
}

/* ---- refusals ---- */

static void refused(struct merged *m, const char *want)
{
    do_merge(m, false);
    assert_int_equal(m->rc, LG_EINVAL);
    assert_null(m->out);
    assert_string_equal(m->err, want);
    merged_free(m);
}

static void test_merge_refuses_other_config(void **state)
{
    (void)state;
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 1, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 1, .fast_us = 1000, .hash = HASH_B});
    refused(&m, "seg1.json and seg2.json are not segments of one run: their config_hash differ "
                "(" HASH_A ", " HASH_B "): another suite, environment, profile, variable or "
                "load flag");
}

static void test_merge_refuses_other_count(void **state)
{
    (void)state;
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 1, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 3, .fast = 1, .fast_us = 1000});
    refused(&m, "seg1.json is segment 1/2 but seg2.json is segment 2/3: different segment counts");
}

static void test_merge_refuses_duplicate(void **state)
{
    (void)state;
    struct merged m = {.n = 3};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 3, .fast = 1, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 3, .fast = 1, .fast_us = 1000});
    m.in[2] = seg(&(struct seg_spec){.k = 2, .n = 3, .fast = 1, .fast_us = 1000});
    refused(&m, "seg2.json and seg3.json are both segment 2/3");
}

static void test_merge_refuses_whole_run(void **state)
{
    (void)state;
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 1, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.fast = 1, .fast_us = 1000, .whole = true});
    refused(&m, "seg2.json: not a segment's result (\"segment\" is null or absent): merge takes "
                "the results of `loadgate run --segment K/N`");
}

static void test_merge_refuses_merged_result(void **state)
{
    (void)state;
    struct merged a = {.n = 1};
    a.in[0] = seg(&(struct seg_spec){.k = 1, .n = 1, .fast = 1, .fast_us = 1000});
    do_merge(&a, false);
    assert_int_equal(a.rc, 0);
    struct merged m = {.n = 1};
    m.in[0] = a.out;
    a.out = NULL;
    merged_free(&a);
    refused(&m, "seg1.json: a merged result, not a segment's: merge the segments' own results");
}

/* Thresholds that differ (a hand-edited file: config_hash vouches for the rest). */
static void test_merge_refuses_other_thresholds(void **state)
{
    (void)state;
    static const char *const th[] = {"rps < 150", NULL};
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 1, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 1, .fast_us = 1000, .thresholds = th});
    refused(&m, "seg1.json and seg2.json differ in their thresholds: not segments of one run");
}

/* A segment result without its cells (a loadgate that did not write them). */
static void test_merge_refuses_without_merge_data(void **state)
{
    (void)state;
    struct merged m = {.n = 1};
    struct lg_result *r = build_seg(&(struct seg_spec){.k = 1, .n = 1, .fast = 3, .fast_us = 1000});
    char *json = lg_result_to_json(r);
    lg_result_free(r);
    char *cells = strstr(json, "\"cells\"");
    assert_non_null(cells);
    memcpy(cells, "\"cellz\"", 7);
    char err[512];
    assert_int_equal(lg_result_from_json(json, strlen(json), NULL, &m.in[0], err, sizeof(err)), 0);
    free(json);
    refused(&m, "seg1.json: steps[0] (browse/get): its cells hold 0 requests, the step 3: no "
                "merge data (written by a loadgate without `merge`?) or an edited file");
}

/* A step whose cells hold fewer errors than the step counted (an edited file that
 * hides them from the merged gate) is refused. */
static void test_merge_refuses_cells_hiding_errors(void **state)
{
    (void)state;
    struct merged m = {.n = 1};
    m.in[0] = seg(&(struct seg_spec){
        .k = 1, .n = 1, .fast = 3, .fast_us = 1000, .failed = 2, .fail_us = 2000});
    struct lg_result_cell *c = &m.in[0]->steps[0].cells[1];
    assert_int_equal(c->status, 500);
    c->errors = 0;
    free(c->error_classes[0].name);
    c->n_error_classes = 0;
    refused(&m, "seg1.json: steps[0] (browse/get): its cells hold 0 errors, the step 2: an "
                "edited file");
}

/* Cells whose requests overflow a count when summed, wrapping to the step's
 * requests (an edited file), are refused, not taken as agreeing with the step. */
static void test_merge_refuses_wrapping_cells(void **state)
{
    (void)state;
    struct merged m = {.n = 1};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 1, .fast = 3, .fast_us = 1000});
    struct lg_result_step *s = &m.in[0]->steps[0];
    s->cells = lg_realloc(s->cells, 3 * sizeof(*s->cells));
    s->cells[0].requests = 5; /* 5 + 2 * (2^63 - 1) wraps to 3 */
    s->cells[1] = (struct lg_result_cell){.status = 500, .requests = INT64_MAX};
    s->cells[2] = (struct lg_result_cell){.status = 503, .requests = INT64_MAX};
    s->n_cells = 3;
    refused(&m, "seg1.json: steps[0] (browse/get): its cells hold more requests than a count "
                "holds: an edited file");
}

/* Instants and seconds no run has (an edited file) are refused, not overflowed. */
static void test_merge_refuses_impossible_times(void **state)
{
    (void)state;
    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 1, .fast_us = 1000});
    m.in[1] =
        seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 1, .fast_us = 1000, .start_ms = INT64_MAX});
    refused(&m, "seg2.json: \"started_unix_ms\" 9223372036854775807 is after the year 9999");
    m = (struct merged){.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 1, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 1, .fast_us = 1000});
    m.in[1]->series[0].t_s = INT64_MAX;
    refused(&m, "seg2.json: series[0]: second 9223372036854775807 is no second of a run");
}

/* A histogram the merge could not take whole (another precision: lg_hist_merge
 * refuses it, its samples would vanish from the percentiles), or one holding more
 * samples than its requests: an edited file, refused, not merged without them. */
static void test_merge_refuses_foreign_histograms(void **state)
{
    (void)state;
    struct lg_hist *h4 = NULL;
    assert_int_equal(lg_hist_init(LG_HIST_LOWEST, LG_HIST_HIGHEST, 4, &h4), 0);
    lg_hist_record_n(h4, 900000, 3);
    struct lg_hist *many = lg_hist_new();
    lg_hist_record_n(many, 1000, 4);

    struct merged m = {.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 3, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 3, .fast_us = 1000});
    free(m.in[1]->steps[0].cells[0].latency);
    m.in[1]->steps[0].cells[0].latency = lg_hist_encode(h4);
    refused(&m, "seg2.json: steps[0].cells[0]: a histogram of another layout than loadgate's, "
                "or with more samples than its 3 requests: an edited or foreign file");

    m = (struct merged){.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 3, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 3, .fast_us = 1000});
    free(m.in[0]->steps[0].cells[0].ttfb);
    m.in[0]->steps[0].cells[0].ttfb = lg_hist_encode(many);
    refused(&m, "seg1.json: steps[0].cells[0]: a histogram of another layout than loadgate's, "
                "or with more samples than its 3 requests: an edited or foreign file");

    m = (struct merged){.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 3, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 3, .fast_us = 1000});
    free(m.in[1]->series[0].histogram);
    m.in[1]->series[0].histogram = lg_hist_encode(h4);
    refused(&m, "seg2.json: series[0]: a histogram of another layout than loadgate's, or with "
                "more samples than its 3 requests: an edited or foreign file");

    m = (struct merged){.n = 2};
    m.in[0] = seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 3, .fast_us = 1000});
    m.in[1] = seg(&(struct seg_spec){.k = 2, .n = 2, .fast = 3, .fast_us = 1000});
    lg_hist_free(m.in[1]->scenarios[0].histogram);
    m.in[1]->scenarios[0].histogram = h4;
    h4 = NULL;
    refused(&m, "seg2.json: scenarios[0]: an iteration histogram of another layout than "
                "loadgate's: an edited or foreign file");
    lg_hist_free(many);
}

/* The reader refuses what a segment result cannot hold. */
static void test_merge_reader_refuses_bad_segment(void **state)
{
    (void)state;
    struct lg_result *r = build_seg(&(struct seg_spec){.k = 1, .n = 2, .fast = 3, .fast_us = 1000});
    char *json = lg_result_to_json(r);
    lg_result_free(r);
    char *p = strstr(json, "\"index\": 1");
    assert_non_null(p);
    p[9] = '3';
    struct lg_result *out = NULL;
    char err[512];
    assert_int_equal(lg_result_from_json(json, strlen(json), "x.json", &out, err, sizeof(err)),
                     LG_ESYNTAX);
    assert_string_equal(err, "x.json: segment: expected 1 <= index <= count <= 1000, got 3/2");
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_percentiles_of_union),
        cmocka_unit_test(test_merge_order_of_files_does_not_matter),
        cmocka_unit_test(test_merge_threshold_failing_only_on_merged_data),
        cmocka_unit_test(test_merge_not_an_and_of_verdicts),
        cmocka_unit_test(test_merge_filters_by_status_and_tag),
        cmocka_unit_test(test_merge_default_gate),
        cmocka_unit_test(test_merge_aligns_seconds_by_wall_clock),
        cmocka_unit_test(test_merge_segments_apart_fail_the_gate),
        cmocka_unit_test(test_merge_open_model),
        cmocka_unit_test(test_merge_an_hour_of_seconds),
        cmocka_unit_test(test_merge_keeps_regression_settings),
        cmocka_unit_test(test_merge_aborted_segment_aborts),
        cmocka_unit_test(test_merge_partial_fails_the_gate),
        cmocka_unit_test(test_merge_refuses_other_config),
        cmocka_unit_test(test_merge_refuses_other_count),
        cmocka_unit_test(test_merge_refuses_duplicate),
        cmocka_unit_test(test_merge_refuses_whole_run),
        cmocka_unit_test(test_merge_refuses_merged_result),
        cmocka_unit_test(test_merge_refuses_other_thresholds),
        cmocka_unit_test(test_merge_refuses_without_merge_data),
        cmocka_unit_test(test_merge_refuses_wrapping_cells),
        cmocka_unit_test(test_merge_refuses_cells_hiding_errors),
        cmocka_unit_test(test_merge_refuses_impossible_times),
        cmocka_unit_test(test_merge_refuses_foreign_histograms),
        cmocka_unit_test(test_merge_reader_refuses_bad_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
