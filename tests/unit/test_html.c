/* Unit tests for report.html: hostile strings appear only escaped, the
 * Content-Security-Policy names the hashes of the page's own style and script, the
 * charts' point counts follow the downsampling rule, an aborted run says so first,
 * degenerate results (no series, no time sample, NaN, 50 steps) render, and a
 * one-hour result's page stays small. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "errors.h"
#include "hist.h"
#include "html.h"
#include "report.h"
#include "util.h"

/* The page of a one-hour result (3,600 series points, 10 steps) stays under this. */
#define ONE_HOUR_PAGE_MAX (150 * 1024)

static struct lg_count *counts(size_t n, const char *const *names, const uint64_t *v)
{
    struct lg_count *c = lg_calloc(n, sizeof(*c));
    for (size_t i = 0; i < n; i++) {
        c[i].name = lg_strdup(names[i]);
        c[i].count = v[i];
    }
    return c;
}

/* A step timed from 1 to `top` microseconds (none when top is 0). */
static void step(struct lg_result_step *s, const char *scenario, const char *name, int64_t top)
{
    s->scenario = lg_strdup(scenario);
    s->name = lg_strdup(name);
    s->histogram = lg_hist_new();
    for (int64_t v = 1; v <= top; v++)
        lg_hist_record(s->histogram, v);
    s->requests = (uint64_t)top;
    lg_latency_from_hist(s->histogram, &s->latency_ms);
    if (top) {
        s->status = counts(1, (const char *const[]){"200"}, (const uint64_t[]){s->requests});
        s->n_status = 1;
    }
}

/* Replaces r's steps by n steps "SCENARIO/step-I", step I timed from 1 to top(I) us. */
static void set_steps(struct lg_result *r, size_t n, const char *scenario, int64_t (*top)(size_t))
{
    for (size_t i = 0; i < r->n_steps; i++) {
        struct lg_result_step *s = &r->steps[i];
        free(s->scenario);
        free(s->name);
        for (size_t k = 0; k < s->n_status; k++)
            free(s->status[k].name);
        free(s->status);
        lg_hist_free(s->histogram);
    }
    free(r->steps);
    r->n_steps = n;
    r->steps = n ? lg_calloc(n, sizeof(*r->steps)) : NULL;
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "step-%zu", i);
        step(&r->steps[i], scenario, name, top(i));
    }
}

static int64_t twenty_times(size_t i)
{
    return (int64_t)i * 20;
}

static int64_t five_thousand(size_t i)
{
    (void)i;
    return 5000;
}

/* n series points, one per second: 10 requests each, latency rising with t. */
static void series(struct lg_result *r, size_t n)
{
    r->n_series = n;
    r->series = lg_calloc(n ? n : 1, sizeof(*r->series));
    for (size_t i = 0; i < n; i++)
        r->series[i] = (struct lg_result_point){.t_s = (int64_t)i,
                                                .requests = 10,
                                                .errors = i % 7 == 0,
                                                .vus = 5,
                                                .p50_ms = 1.0 + (double)(i % 10) / 10.0,
                                                .p95_ms = 2.0,
                                                .p99_ms = 3.0};
}

/* A passing closed-model run of 2 steps over n_series seconds. */
static struct lg_result *result(size_t n_series)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->verdict = LG_VERDICT_PASS;
    r->suite = lg_strdup("shop");
    r->file = lg_strdup("shop.yaml");
    r->env = lg_strdup("staging");
    r->base_url = lg_strdup("https://shop.example/api");
    r->started_at = lg_strdup("2026-11-22T10:00:00Z");
    r->loadgate_version = lg_strdup("0.1.0");
    r->http = lg_strdup("1.1");
    r->vus = 5;
    r->duration_s = (double)n_series;
    r->n_steps = 2;
    r->steps = lg_calloc(2, sizeof(*r->steps));
    step(&r->steps[0], "buy", "cart", 1000);
    step(&r->steps[1], "buy", "pay", 500);
    r->requests = 1500;
    series(r, n_series);
    r->n_thresholds = 1;
    r->thresholds = lg_calloc(1, sizeof(*r->thresholds));
    r->thresholds[0].expr = lg_strdup("p95(latency) < 500ms");
    r->thresholds[0].severity = lg_strdup("critical");
    r->thresholds[0].ok = true;
    r->thresholds[0].unit = lg_strdup("ms");
    r->thresholds[0].observed = 0.95;
    return r;
}

static size_t occurrences(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* The <svg> of the chart whose data-chart is id (the k-th such), as a new string. */
static char *chart(const char *page, const char *id, size_t k)
{
    char *attr = lg_asprintf("data-chart=\"%s\"", id);
    const char *p = strstr(page, attr);
    for (size_t i = 0; p && i < k; i++)
        p = strstr(p + 1, attr);
    free(attr);
    assert_non_null(p);
    const char *end = strstr(p, "</svg>");
    assert_non_null(end);
    return lg_strndup(p, (size_t)(end - p));
}

static long attr_long(const char *svg, const char *name)
{
    char *key = lg_asprintf("%s=\"", name);
    const char *p = strstr(svg, key);
    assert_non_null(p);
    long v = strtol(p + strlen(key), NULL, 10);
    free(key);
    return v;
}

/* The points of the series named `name` in svg: its path's coordinate pairs; -1
 * when the chart has no such series. */
static long points(const char *svg, const char *name)
{
    char *key = lg_asprintf("data-series=\"%s\" d=\"", name);
    const char *p = strstr(svg, key);
    size_t klen = strlen(key);
    free(key);
    if (!p)
        return -1;
    long n = 0;
    for (p += klen; *p != '"'; p++)
        n += *p == ',';
    return n;
}

/* 'sha256-BASE64' of text. */
static char *hash(const char *text, size_t len)
{
    unsigned char md[EVP_MAX_MD_SIZE], b64[64];
    unsigned int n = 0;
    assert_true(EVP_Digest(text, len, md, &n, EVP_sha256(), NULL));
    EVP_EncodeBlock(b64, md, (int)n);
    return lg_asprintf("'sha256-%s'", (const char *)b64);
}

/* The content of the one element <tag>...</tag> of page. */
static char *element(const char *page, const char *tag)
{
    char *open = lg_asprintf("<%s>", tag), *close = lg_asprintf("</%s>", tag);
    assert_int_equal(occurrences(page, open), 1);
    const char *a = strstr(page, open) + strlen(open), *b = strstr(a, close);
    assert_non_null(b);
    char *s = lg_strndup(a, (size_t)(b - a));
    free(open);
    free(close);
    return s;
}

static void test_html_escapes_hostile_strings(void **state)
{
    (void)state;
    struct lg_result *r = result(10);
    r->verdict = LG_VERDICT_FAIL;
    free(r->suite);
    r->suite = lg_strdup("</title><script>alert(1)</script>");
    free(r->base_url);
    r->base_url = lg_strdup("https://admin:hunter2@shop.example/a?b=<i>");
    free(r->steps[0].name);
    r->steps[0].name = lg_strdup("<img src=x onerror=alert(2)>");
    struct lg_result_step *s = &r->steps[1];
    s->checks_failed = 3;
    s->n_checks = 1;
    s->checks = lg_calloc(1, sizeof(*s->checks));
    s->checks[0].label = lg_strdup("status \"is\" 'ok'");
    s->checks[0].failed = 3;
    s->checks[0].reasons = counts(
        2, (const char *const[]){"</script><script>alert(3)</script>", "\" onmouseover=\"alert(4)"},
        (const uint64_t[]){2, 1});
    s->checks[0].n_reasons = 2;
    r->error_classes = counts(1, (const char *const[]){"<b>&amp;"}, (const uint64_t[]){3});
    r->n_error_classes = 1;
    free(r->thresholds[0].observed_text);
    r->thresholds[0].observed_text = lg_strdup("line\nbreak \x01 bad\xff utf8");
    r->thresholds[0].ok = false;

    char *page = lg_report_html(r);
    assert_int_equal(occurrences(page, "<script"), 1); /* ours, at the end */
    assert_null(strstr(page, "<img"));
    assert_null(strstr(page, "alert(1)</script>"));
    assert_null(strstr(page, "\" onmouseover"));
    assert_null(strstr(page, "hunter2"));
    assert_null(strstr(page, "<b>"));
    assert_non_null(strstr(page, "<title>loadgate: FAIL \xc2\xb7 "
                                 "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    assert_non_null(strstr(page, "https://admin:***@shop.example/a?b=&lt;i&gt;"));
    assert_non_null(strstr(page, "buy/&lt;img src=x onerror=alert(2)&gt;"));
    assert_non_null(strstr(page, "<td class=\"reason\">&lt;/script&gt;&lt;script&gt;alert(3)&lt;/"
                                 "script&gt;</td>"));
    assert_non_null(strstr(page, "<td class=\"reason\">&quot; onmouseover=&quot;alert(4)</td>"));
    assert_non_null(strstr(page, "status &quot;is&quot; &#39;ok&#39;"));
    assert_non_null(strstr(page, "<td>&lt;b&gt;&amp;amp;</td>"));
    /* control characters as spaces, a byte that is not UTF-8 as U+FFFD */
    assert_non_null(strstr(page, "line break   bad\xef\xbf\xbd utf8"));
    /* the banner names the failing threshold */
    assert_non_null(strstr(page, "<p class=\"why\">Failed: p95(latency) &lt; 500ms (observed "));
    free(page);
    lg_result_free(r);
}

static void test_html_csp_forbids_loading_and_hashes_match(void **state)
{
    (void)state;
    struct lg_result *r = result(10);
    char *page = lg_report_html(r);
    char *style = element(page, "style"), *script = element(page, "script");
    char *hs = hash(style, strlen(style)), *hj = hash(script, strlen(script));
    char *csp = lg_asprintf("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                            "'none'; style-src %s; script-src %s; base-uri 'none'; form-action "
                            "'none'\">",
                            hs, hj);
    assert_non_null(strstr(page, csp));
    /* it comes first in <head>, before anything it governs */
    assert_true(strstr(page, csp) < strstr(page, "<style>"));
    assert_null(strstr(page, "unsafe-inline"));
    /* nothing to load: no src, href, url() or import anywhere */
    assert_null(strstr(page, " src="));
    assert_null(strstr(page, "href="));
    assert_null(strstr(page, "url("));
    assert_null(strstr(page, "@import"));
    assert_null(strstr(page, " style=\""));
    free(csp);
    free(hs);
    free(hj);
    free(style);
    free(script);
    free(page);
    lg_result_free(r);
}

static void test_html_bucket_width(void **state)
{
    (void)state;
    assert_int_equal(lg_html_bucket_width(0), 1);
    assert_int_equal(lg_html_bucket_width(40), 1);
    assert_int_equal(lg_html_bucket_width(600), 1);
    assert_int_equal(lg_html_bucket_width(601), 2);
    assert_int_equal(lg_html_bucket_width(3600), 6);
    assert_int_equal(lg_html_bucket_width(3601), 7);
}

/* 40 points are drawn as they are; 3,600 as 600, each latency point the highest of
 * its 6 seconds (a one-second spike survives), requests/s their mean, errors their
 * sum. */
static void test_html_downsamples_long_series(void **state)
{
    (void)state;
    struct lg_result *r = result(40);
    char *page = lg_report_html(r);
    const char *ids[] = {"latency", "rps", "errors", "vus"};
    for (int i = 0; i < 4; i++) {
        char *svg = chart(page, ids[i], 0);
        assert_int_equal(attr_long(svg, "data-points"), 40);
        free(svg);
    }
    char *svg = chart(page, "latency", 0);
    assert_int_equal(points(svg, "p50"), 40);
    assert_int_equal(points(svg, "p95"), 40);
    assert_int_equal(points(svg, "p99"), 40);
    free(svg);
    svg = chart(page, "rps", 0);
    assert_int_equal(points(svg, "requests/s"), 40);
    assert_non_null(strstr(svg, "data-top=\"10\"")); /* 10 requests each second */
    free(svg);
    free(page);
    lg_result_free(r);

    r = result(3600);
    r->series[1234].p99_ms = 480.0; /* one slow second */
    r->series[2000].requests = 70;  /* and one busy one: (6 * 10 + 60) / 6 = 20/s */
    page = lg_report_html(r);
    for (int i = 0; i < 4; i++) {
        svg = chart(page, ids[i], 0);
        assert_int_equal(attr_long(svg, "data-points"), 600);
        free(svg);
    }
    svg = chart(page, "latency", 0);
    assert_int_equal(points(svg, "p99"), 600);
    assert_non_null(strstr(svg, "data-top=\"600\"")); /* the spike is the top */
    free(svg);
    svg = chart(page, "rps", 0);
    assert_int_equal(points(svg, "requests/s"), 600);
    assert_non_null(strstr(svg, "data-top=\"20\""));
    free(svg);
    /* errors: every 7th second had one, so a 6-second bucket holds 0 or 1 */
    svg = chart(page, "errors", 0);
    assert_int_equal(points(svg, "errors"), 600);
    assert_non_null(strstr(svg, "data-top=\"1\""));
    free(svg);
    assert_non_null(strstr(page, "one point per 6 s: the highest of its seconds"));
    free(page);
    lg_result_free(r);
}

/* Seconds without a timed request (none sent, or every one failed before a
 * response: percentiles 0) have no latency: a gap in the line (a new subpath), not
 * a zero; requests/s still draws every point. */
static void test_html_latency_gaps(void **state)
{
    (void)state;
    struct lg_result *r = result(10);
    r->series[3].requests = r->series[4].requests = 0;
    r->series[9].p50_ms = r->series[9].p95_ms = r->series[9].p99_ms = 0; /* all failed */
    r->series[7].requests = 0; /* 8 alone between two gaps: drawn as a dash */
    char *page = lg_report_html(r);
    char *svg = chart(page, "latency", 0);
    assert_int_equal(attr_long(svg, "data-points"), 10);
    assert_int_equal(points(svg, "p50"), 6);
    const char *d = strstr(svg, "data-series=\"p50\" d=\"");
    const char *end = strchr(d + 21, '"');
    char *path = lg_strndup(d + 21, (size_t)(end - d - 21));
    assert_int_equal(occurrences(path, "M"), 3);
    assert_int_equal(occurrences(path, "h5"), 1);
    free(path);
    free(svg);
    svg = chart(page, "rps", 0);
    assert_int_equal(points(svg, "requests/s"), 10);
    free(svg);
    free(page);
    lg_result_free(r);
}

/* Axis labels: round steps, no trailing zeros, as many decimals as the step has. */
static void test_html_axis_labels(void **state)
{
    (void)state;
    struct lg_result *r = result(3);
    for (size_t i = 0; i < 3; i++)
        r->series[i].requests = 1;
    r->series[1].p99_ms = 2000;
    char *page = lg_report_html(r);
    char *svg = chart(page, "rps", 0);
    const char *rps[] = {">0</text>", ">0.25</text>", ">0.5</text>", ">0.75</text>", ">1</text>"};
    for (size_t i = 0; i < sizeof(rps) / sizeof(*rps); i++)
        assert_non_null(strstr(svg, rps[i]));
    const char *t[] = {">0</text>", ">1s</text>", ">2s</text>", ">3s</text>"};
    for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
        assert_non_null(strstr(svg, t[i]));
    free(svg);
    svg = chart(page, "latency", 0);
    const char *ms[] = {">500ms</text>", ">1s</text>", ">1.5s</text>", ">2s</text>"};
    for (size_t i = 0; i < sizeof(ms) / sizeof(*ms); i++)
        assert_non_null(strstr(svg, ms[i]));
    free(svg);
    free(page);
    lg_result_free(r);
}

static void test_html_aborted_says_so_first(void **state)
{
    (void)state;
    struct lg_result *r = result(3);
    r->verdict = LG_VERDICT_ABORTED;
    r->abort_reason = lg_strdup("interrupted by SIGINT");
    char *page = lg_report_html(r);
    assert_non_null(strstr(page, "<title>loadgate: ABORTED \xc2\xb7 shop</title>"));
    const char *h = strstr(page, "<header class=\"aborted\" id=\"verdict\" "
                                 "data-verdict=\"ABORTED\"><div class=\"in\">\n<h1>\xe2\x9c\x97 "
                                 "ABORTED \xc2\xb7 loadgate \xc2\xb7 shop</h1>\n<p "
                                 "class=\"why\">Aborted: interrupted by SIGINT</p>");
    assert_non_null(h);
    assert_true(h < strstr(page, "<main>"));
    assert_null(strstr(page, "PASS"));
    free(page);
    lg_result_free(r);
}

/* No series point, a step with no time sample, no step at all: every chart is
 * there, empty, saying why. */
static void test_html_empty_result(void **state)
{
    (void)state;
    struct lg_result *r = result(0);
    lg_hist_free(r->steps[1].histogram);
    r->steps[1].histogram = NULL;
    r->steps[1].requests = 0;
    char *page = lg_report_html(r);
    const char *ids[] = {"latency", "rps", "errors", "vus"};
    for (int i = 0; i < 4; i++) {
        char *svg = chart(page, ids[i], 0);
        assert_int_equal(attr_long(svg, "data-points"), 0);
        assert_null(strstr(svg, "data-series"));
        assert_non_null(strstr(svg, "no time series"));
        free(svg);
    }
    char *svg = chart(page, "step-distribution", 1);
    assert_null(strstr(svg, "data-series"));
    assert_non_null(strstr(svg, ">no time sample<"));
    free(svg);
    svg = chart(page, "step-distribution", 0);
    assert_int_equal(points(svg, "latency"), 101);
    free(svg);
    free(page);

    set_steps(r, 0, "none", five_thousand);
    page = lg_report_html(r);
    svg = chart(page, "distribution", 0);
    assert_non_null(strstr(svg, ">no time sample<"));
    free(svg);
    assert_non_null(strstr(page, "<p>No step ran.</p>"));
    free(page);
    lg_result_free(r);
}

/* Non-finite and absurd values draw as gaps or clamp; nothing prints "nan" or "inf". */
static void test_html_nan_and_huge_values(void **state)
{
    (void)state;
    struct lg_result *r = result(5);
    r->series[1].p50_ms = NAN;
    r->series[2].p95_ms = INFINITY;
    r->series[3].p99_ms = 1e300;
    r->series[4].t_s = INT64_MAX;
    r->duration_s = NAN;
    r->rps = INFINITY;
    r->steps[0].latency_ms.p99 = NAN;
    r->steps[0].latency_ms.max = 1e300;
    r->thresholds[0].observed = NAN;
    char *page = lg_report_html(r);
    const char *bad[] = {"nan", "NaN", "inf", "Inf"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        /* only where a number would be: after a digit, a quote, '>' or ',' */
        const char *before[] = {"\"", ">", ",", "-", " "};
        for (size_t k = 0; k < sizeof(before) / sizeof(*before); k++) {
            char *s = lg_asprintf("%s%s", before[k], bad[i]);
            if (strstr(page, s))
                fail_msg("the page holds \"%s\"", s);
            free(s);
        }
    }
    char *svg = chart(page, "latency", 0);
    assert_int_equal(points(svg, "p50"), 4);
    assert_int_equal(points(svg, "p95"), 4);
    assert_int_equal(points(svg, "p99"), 5);
    free(svg);
    free(page);
    lg_result_free(r);
}

/* Latencies far below a microsecond (a hand-edited result.json; the engine's are
 * 1us or more) still give a chart with a positive scale and finite coordinates. */
static void test_html_tiny_values(void **state)
{
    (void)state;
    const double tiny[] = {5e-324, 1e-300, 1e-10};
    for (size_t k = 0; k < sizeof(tiny) / sizeof(*tiny); k++) {
        struct lg_result *r = result(3);
        for (size_t i = 0; i < r->n_series; i++)
            r->series[i].p50_ms = r->series[i].p95_ms = r->series[i].p99_ms = tiny[k];
        char *page = lg_report_html(r);
        char *svg = chart(page, "latency", 0);
        const char *top = strstr(svg, "data-top=\"");
        assert_non_null(top);
        double v = strtod(top + strlen("data-top=\""), NULL);
        if (!(v > 0))
            fail_msg("%g: data-top is %g", tiny[k], v);
        if (strstr(svg, "inf") || strstr(svg, "nan"))
            fail_msg("%g: the chart holds a non-finite coordinate", tiny[k]);
        assert_int_equal(points(svg, "p99"), 3);
        free(svg);
        free(page);
        lg_result_free(r);
    }
}

static void test_html_50_steps(void **state)
{
    (void)state;
    struct lg_result *r = result(30);
    set_steps(r, 50, "many", twenty_times);
    char *page = lg_report_html(r);
    assert_int_equal(occurrences(page, "data-chart=\"step-distribution\""), 50);
    assert_non_null(strstr(page, "data-step=\"49\""));
    assert_non_null(strstr(page, "many/step-49"));
    char *svg = chart(page, "step-distribution", 0); /* step-0 has no sample */
    assert_non_null(strstr(svg, ">no time sample<"));
    free(svg);
    free(page);
    lg_result_free(r);
}

/* The open model draws uncorrected curves where they differ from the corrected ones. */
static void test_html_open_model_uncorrected_where_different(void **state)
{
    (void)state;
    struct lg_result *r = result(10);
    r->schedule.open = true;
    r->schedule.scheduled = 100;
    r->schedule.started = 98;
    r->schedule.dropped = 2;
    for (size_t i = 0; i < 2; i++) {
        struct lg_result_step *s = &r->steps[i];
        s->has_uncorrected = true;
        s->histogram_uncorrected = lg_hist_new();
        lg_hist_merge(s->histogram_uncorrected, s->histogram);
    }
    lg_hist_record(r->steps[1].histogram, 900000); /* one wait of 0.9 s */
    char *page = lg_report_html(r);
    char *svg = chart(page, "step-distribution", 0);
    assert_int_equal(points(svg, "corrected"), 101);
    assert_int_equal(points(svg, "uncorrected"), -1);
    free(svg);
    svg = chart(page, "step-distribution", 1);
    assert_int_equal(points(svg, "corrected"), 101);
    assert_int_equal(points(svg, "uncorrected"), 101);
    free(svg);
    svg = chart(page, "distribution", 0);
    assert_int_equal(points(svg, "uncorrected"), 101);
    free(svg);
    assert_non_null(strstr(page, "uncorrected: the same"));
    assert_non_null(strstr(page, "<h2>Schedule and limits</h2>"));
    free(page);
    lg_result_free(r);
}

/* A histogram timed from lo to hi microseconds, one sample each. */
static struct lg_hist *hist_range(int64_t lo, int64_t hi)
{
    struct lg_hist *h = lg_hist_new();
    for (int64_t v = lo; v <= hi; v++)
        lg_hist_record(h, v);
    return h;
}

/* r judged against a baseline started at `started` (NULL: unknown) with every step
 * timed from 1 to 2,000 us merged, and its steps buy/cart (1 to 3,000 us) and
 * gone/step (a step the run lacks, as a hand-made result may have). */
static void with_baseline(struct lg_result *r, const char *started)
{
    struct lg_result_baseline *b = &r->baseline;
    *b = (struct lg_result_baseline){.has = true,
                                     .file = lg_strdup("accepted/result.json"),
                                     .started_at = started ? lg_strdup(started) : NULL,
                                     .budget = 0.1,
                                     .confidence = 0.99,
                                     .severity = lg_strdup("critical"),
                                     .histogram = hist_range(1, 2000)};
    b->n_steps = 2;
    b->steps = lg_calloc(2, sizeof(*b->steps));
    b->steps[0] =
        (struct lg_result_baseline_step){lg_strdup("buy"), lg_strdup("cart"), hist_range(1, 3000)};
    b->steps[1] =
        (struct lg_result_baseline_step){lg_strdup("gone"), lg_strdup("step"), hist_range(1, 10)};
}

/* The coordinate pairs of the series `name` in svg, as text. */
static char *path_d(const char *svg, const char *name)
{
    char *key = lg_asprintf("data-series=\"%s\" d=\"", name);
    const char *p = strstr(svg, key);
    assert_non_null(p);
    p += strlen(key);
    free(key);
    return lg_strndup(p, strcspn(p, "\""));
}

/* `run --baseline`: the baseline's curve overlays the distribution plots, overall
 * and on each step both runs have, with every one of its 101 points, beneath the
 * run's curve, labelled in the legend; a step the baseline lacks says so, and one
 * only the baseline has draws nothing. */
static void test_html_baseline_overlay(void **state)
{
    (void)state;
    struct lg_result *r = result(10);
    with_baseline(r, "2026-11-21T09:00:00Z");
    char *page = lg_report_html(r);
    assert_int_equal(occurrences(page, "data-series=\"baseline\""), 2);
    assert_int_equal(occurrences(page, "data-chart=\"step-distribution\""), 2);
    assert_null(strstr(page, "gone/step"));
    assert_int_equal(occurrences(page, "<span><i class=\"key base\"></i>baseline of "
                                       "2026-11-21T09:00:00Z (wide band)</span>"),
                     2);

    char *svg = chart(page, "distribution", 0);
    assert_int_equal(points(svg, "latency"), 101);
    assert_int_equal(points(svg, "baseline"), 101);
    /* drawn first, beneath the run's line */
    assert_true(strstr(svg, "data-series=\"baseline\"") < strstr(svg, "data-series=\"latency\""));
    assert_non_null(strstr(svg, "<path class=\"s base\" data-series=\"baseline\" d=\"M58.0,"));
    /* the scale holds both curves: the baseline reaches 2ms, the run 1ms */
    assert_non_null(strstr(svg, "data-top=\"2\""));
    char *d = path_d(svg, "baseline");
    /* 0%: the baseline's min (1us) at the bottom left; 99.999%: its max (2ms) at the top
     * right, the plot being 58..974 wide and 22..256 high */
    assert_memory_equal(d, "M58.0,255.9L", 12);
    assert_non_null(strstr(d, "L974.0,22.0"));
    assert_int_equal(strlen(strstr(d, "L974.0,22.0")), strlen("L974.0,22.0"));
    free(d);
    free(svg);

    svg = chart(page, "step-distribution", 0); /* buy/cart: in both */
    assert_int_equal(points(svg, "latency"), 101);
    assert_int_equal(points(svg, "baseline"), 101);
    assert_non_null(strstr(svg, "data-top=\"4\"")); /* 3,000us reads 3.001ms: buckets of 2us */
    free(svg);
    svg = chart(page, "step-distribution", 1); /* buy/pay: not in the baseline */
    assert_int_equal(points(svg, "latency"), 101);
    assert_int_equal(points(svg, "baseline"), -1);
    assert_null(strstr(svg, "key base"));
    free(svg);
    assert_int_equal(occurrences(page, "500 timed \xc2\xb7 not in the baseline"), 1);
    assert_int_equal(occurrences(page, "not in the baseline"), 1);
    free(page);
    lg_result_free(r);
}

/* No baseline, or one recorded before its histograms were: no overlay at all; a
 * baseline without a timed request has no curve to draw; neither has a step the run
 * did not time. The label is escaped. */
static void test_html_baseline_overlay_absent(void **state)
{
    (void)state;
    struct lg_result *r = result(10);
    char *page = lg_report_html(r);
    assert_null(strstr(page, "data-series=\"baseline\""));
    assert_null(strstr(page, "key base"));
    assert_null(strstr(page, "not in the baseline"));
    free(page);

    with_baseline(r, NULL);
    struct lg_hist *kept = r->baseline.histogram;
    r->baseline.histogram = NULL; /* an older result.json */
    page = lg_report_html(r);
    assert_null(strstr(page, "data-series=\"baseline\""));
    assert_null(strstr(page, "not in the baseline"));
    free(page);

    r->baseline.histogram = kept;
    lg_hist_reset(r->baseline.histogram); /* the baseline timed nothing */
    lg_hist_reset(r->steps[0].histogram); /* nor did the run's buy/cart */
    page = lg_report_html(r);
    assert_null(strstr(page, "data-series=\"baseline\""));
    char *svg = chart(page, "step-distribution", 0);
    assert_non_null(strstr(svg, ">no time sample<"));
    free(svg);
    free(page);

    free(r->baseline.started_at);
    r->baseline.started_at = lg_strdup("<b>\"&");
    lg_hist_record(r->baseline.histogram, 5);
    page = lg_report_html(r);
    assert_non_null(strstr(page, "<i class=\"key base\"></i>baseline of &lt;b&gt;&quot;&amp; "
                                 "(wide band)</span>"));
    assert_null(strstr(page, "<b>"));
    free(page);
    lg_result_free(r);
}

/* A one-hour result: 3,600 series points, 10 steps, open model. */
static void test_html_one_hour_page_is_small(void **state)
{
    (void)state;
    struct lg_result *r = result(3600);
    r->schedule.open = true;
    set_steps(r, 10, "soak", five_thousand);
    for (size_t i = 0; i < 10; i++) {
        struct lg_result_step *s = &r->steps[i];
        s->has_uncorrected = true;
        s->histogram_uncorrected = lg_hist_new();
        lg_hist_merge(s->histogram_uncorrected, s->histogram);
        lg_hist_record(s->histogram, 2000000);
    }
    for (size_t i = 0; i < 3600; i++) {
        r->series[i].p50_ms = 1.0 + (double)(i % 97) / 7.0;
        r->series[i].p95_ms = 20.0 + (double)(i % 89) / 3.0;
        r->series[i].p99_ms = 80.0 + (double)(i % 83);
        r->series[i].vus = (uint32_t)(i % 50);
    }
    char *page = lg_report_html(r);
    size_t len = strlen(page);
    print_message("one-hour page: %zu bytes\n", len);
    assert_true(len < ONE_HOUR_PAGE_MAX);
    free(page);
    lg_result_free(r);
}

/* The page depends on the result alone: rendering what result.json holds gives the
 * same bytes. */
static void test_html_same_bytes_from_result_json(void **state)
{
    (void)state;
    struct lg_result *r = result(50);
    r->verdict = LG_VERDICT_FAIL;
    with_baseline(r, "2026-11-21T09:00:00Z");
    char *page = lg_report_html(r), *json = lg_result_to_json(r);
    assert_non_null(strstr(page, "data-series=\"baseline\""));
    struct lg_result *back = NULL;
    char err[256] = "";
    assert_int_equal(lg_result_from_json(json, strlen(json), NULL, &back, err, sizeof(err)), 0);
    char *again = lg_report_html(back);
    assert_string_equal(page, again);
    free(again);
    free(page);
    free(json);
    lg_result_free(back);
    lg_result_free(r);
}

static void test_html_write(void **state)
{
    (void)state;
    struct lg_result *r = result(5);
    char path[] = "/tmp/lg-test-html-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(lg_report_html_file(r, path), 0);
    char *page = lg_report_html(r);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = lg_calloc(1, strlen(page) + 2);
    size_t n = fread(text, 1, strlen(page) + 1, f);
    fclose(f);
    unlink(path);
    assert_int_equal(n, strlen(page));
    assert_string_equal(text, page);
    assert_int_equal(lg_report_html_file(r, "/nonexistent-dir/report.html"), LG_EIO);
    free(text);
    free(page);
    lg_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escapes_hostile_strings),
        cmocka_unit_test(test_html_csp_forbids_loading_and_hashes_match),
        cmocka_unit_test(test_html_bucket_width),
        cmocka_unit_test(test_html_downsamples_long_series),
        cmocka_unit_test(test_html_latency_gaps),
        cmocka_unit_test(test_html_axis_labels),
        cmocka_unit_test(test_html_aborted_says_so_first),
        cmocka_unit_test(test_html_empty_result),
        cmocka_unit_test(test_html_nan_and_huge_values),
        cmocka_unit_test(test_html_tiny_values),
        cmocka_unit_test(test_html_50_steps),
        cmocka_unit_test(test_html_open_model_uncorrected_where_different),
        cmocka_unit_test(test_html_baseline_overlay),
        cmocka_unit_test(test_html_baseline_overlay_absent),
        cmocka_unit_test(test_html_one_hour_page_is_small),
        cmocka_unit_test(test_html_same_bytes_from_result_json),
        cmocka_unit_test(test_html_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
