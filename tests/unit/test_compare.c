/* Unit tests for compare and stats: order-statistic ranks, Clopper-Pearson bounds and
 * Fisher's test against independently computed values, percentile bounds read from known
 * histograms, the outcomes on synthetic runs, and the comparison model (matching, one-sided
 * steps, overall row, refusals).
 *
 * Reference values: ranks for n <= 5000 from exact rational binomial sums (Python
 * integers and fractions); ranks for larger n, the bounds and the p-values from mpmath at
 * 50 digits (incomplete beta, bisection; hypergeometric sums of exact binomials). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "compare.h"
#include "stats.h"
#include "util.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want))) {
        print_error("got %.15g, want %.15g (relative tolerance %g)\n", got, want, rel);
        fail();
    }
}

/* Latency in microseconds, log-normal: median median_us, log standard deviation sigma. */
static int64_t lognormal_us(struct lg_rng *r, double median_us, double sigma)
{
    double u1 = lg_rng_double(r), u2 = lg_rng_double(r);
    double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
    return (int64_t)llround(median_us * exp(sigma * z));
}

static struct lg_hist *lognormal_hist(uint64_t seed, int64_t n, double median_us, double sigma)
{
    struct lg_rng r;
    lg_rng_seed(&r, seed);
    struct lg_hist *h = lg_hist_new();
    for (int64_t i = 0; i < n; i++)
        lg_hist_record(h, lognormal_us(&r, median_us, sigma));
    return h;
}

/* A result with one step per (scenario, name, histogram, requests, errors). */
struct step_spec {
    const char *scenario, *name;
    struct lg_hist *hist; /* taken */
    uint64_t requests, errors, checks_passed, checks_failed;
};

static struct lg_result *make_result(const char *suite, const struct step_spec *steps, size_t n,
                                     double duration_s)
{
    struct lg_result *r = lg_calloc(1, sizeof(*r));
    r->suite = lg_strdup(suite);
    r->duration_s = duration_s;
    r->steps = lg_calloc(n ? n : 1, sizeof(*r->steps));
    r->n_steps = n;
    for (size_t i = 0; i < n; i++) {
        struct lg_result_step *s = &r->steps[i];
        s->scenario = lg_strdup(steps[i].scenario);
        s->name = lg_strdup(steps[i].name);
        s->histogram = steps[i].hist ? steps[i].hist : lg_hist_new();
        s->requests = steps[i].requests;
        s->errors = steps[i].errors;
        s->checks_passed = steps[i].checks_passed;
        s->checks_failed = steps[i].checks_failed;
        r->requests += s->requests;
        r->errors += s->errors;
    }
    r->rps = duration_s > 0 ? (double)r->requests / duration_s : 0.0;
    return r;
}

static void add_scenario(struct lg_result *r, const char *name)
{
    r->scenarios = lg_realloc(r->scenarios, (r->n_scenarios + 1) * sizeof(*r->scenarios));
    memset(&r->scenarios[r->n_scenarios], 0, sizeof(*r->scenarios));
    r->scenarios[r->n_scenarios++].name = lg_strdup(name);
}

static void add_threshold(struct lg_result *r, const char *expr)
{
    r->thresholds = lg_realloc(r->thresholds, (r->n_thresholds + 1) * sizeof(*r->thresholds));
    memset(&r->thresholds[r->n_thresholds], 0, sizeof(*r->thresholds));
    r->thresholds[r->n_thresholds].expr = lg_strdup(expr);
    r->thresholds[r->n_thresholds++].severity = lg_strdup("critical");
}

/* Compares two one-step results whose latency histograms are given (taken). */
static struct lg_comparison *compare_hists(struct lg_hist *base, struct lg_hist *new,
                                           const struct lg_compare_opts *opts)
{
    struct step_spec sb = {"s", "get", base, (uint64_t)base->total_count, 0, 0, 0};
    struct step_spec sn = {"s", "get", new, (uint64_t) new->total_count, 0, 0, 0};
    struct lg_result *rb = make_result("suite", &sb, 1, 10.0);
    struct lg_result *rn = make_result("suite", &sn, 1, 10.0);
    struct lg_comparison *c = NULL;
    char err[256] = "";
    assert_int_equal(lg_compare(rb, rn, opts, &c, err, sizeof(err)), 0);
    lg_result_free(rb);
    lg_result_free(rn);
    return c;
}

/* ---- stats ------------------------------------------------------------------------------- */

static void test_stats_binom_cdf(void **state)
{
    /* Binomial(10, 1/2): P(X <= 1) = 11/1024, P(X <= 8) = 1013/1024. */
    assert_close(lg_stats_binom_cdf(10, 0.5, 1), 11.0 / 1024.0, 1e-14);
    assert_close(lg_stats_binom_cdf(10, 0.5, 8), 1013.0 / 1024.0, 1e-14);
    assert_true(lg_stats_binom_cdf(10, 0.5, -1) == 0.0);
    assert_true(lg_stats_binom_cdf(10, 0.5, 10) == 1.0);
    /* P(X <= 0) = 0.95^10. */
    assert_close(lg_stats_binom_cdf(10, 0.95, 0), pow(0.05, 10), 1e-12);
    assert_close(lg_stats_binom_cdf(10, 0.95, 9), 1.0 - pow(0.95, 10), 1e-14);
}

static void test_stats_quantile_ranks_exact(void **state)
{
    static const struct {
        int64_t n;
        double p, c;
        int64_t lo, hi;
    } cases[] = {
        {10, 0.95, 0.99, 7, 11},     /* no upper bound: 0.95^10 > 0.005 */
        {10, 0.50, 0.99, 1, 10},     /* the median of 10: min .. max */
        {100, 0.50, 0.99, 37, 64},   /* */
        {103, 0.95, 0.99, 91, 104},  /* p95 needs 104 samples for an upper bound */
        {104, 0.95, 0.99, 92, 104},  /* */
        {527, 0.99, 0.99, 515, 528}, /* p99 needs 528 */
        {528, 0.99, 0.99, 516, 528}, /* */
        {1000, 0.95, 0.99, 931, 968},
        {5000, 0.95, 0.99, 4709, 4790},
        {5000, 0.99, 0.99, 4931, 4968},
        {5000, 0.50, 0.95, 2431, 2570},
        {1000000, 0.99, 0.99, 989743, 990256},
        {1000000000, 0.95, 0.99, 949982246, 950017753},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t lo = -1, hi = -1;
        assert_int_equal(lg_stats_quantile_ranks(cases[i].n, cases[i].p, cases[i].c, &lo, &hi), 0);
        if (lo != cases[i].lo || hi != cases[i].hi)
            print_error("n %lld p %g: got %lld..%lld\n", (long long)cases[i].n, cases[i].p,
                        (long long)lo, (long long)hi);
        assert_int_equal(lo, cases[i].lo);
        assert_int_equal(hi, cases[i].hi);
    }
}

/* Past a standard deviation of 1e5 the normal approximation takes over: mean 2.85e11,
 * sd 119373.4, z 2.5758293: 307486 ranks either side (continuity-corrected). */
static void test_stats_quantile_ranks_normal(void **state)
{
    int64_t lo, hi;
    assert_int_equal(lg_stats_quantile_ranks(300000000000LL, 0.95, 0.99, &lo, &hi), 0);
    assert_int_equal(lo, 284999692515LL);
    assert_int_equal(hi, 285000307486LL);
}

static void test_stats_quantile_ranks_edges(void **state)
{
    int64_t lo, hi;
    assert_int_equal(lg_stats_quantile_ranks(0, 0.95, 0.99, &lo, &hi), 0);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 1);
    assert_int_equal(lg_stats_quantile_ranks(1, 0.5, 0.99, &lo, &hi), 0);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 2);
    assert_int_equal(lg_stats_quantile_ranks(-1, 0.5, 0.99, &lo, &hi), LG_EINVAL);
    assert_int_equal(lg_stats_quantile_ranks(10, 1.0, 0.99, &lo, &hi), LG_EINVAL);
    assert_int_equal(lg_stats_quantile_ranks(10, 0.0, 0.99, &lo, &hi), LG_EINVAL);
    assert_int_equal(lg_stats_quantile_ranks(10, 0.5, 1.0, &lo, &hi), LG_EINVAL);
    assert_int_equal(lg_stats_quantile_ranks(10, NAN, 0.99, &lo, &hi), LG_EINVAL);
}

static void test_stats_proportion_bounds(void **state)
{
    static const struct {
        uint64_t x, n;
        double lo, hi;
    } cases[] = {
        {0, 50, 0.0, 0.100545083375},
        {1, 50, 0.000100245811524, 0.139404124561},
        {5, 5000, 0.000215648671564, 0.00282736352328},
        {100, 5000, 0.0152591641207, 0.0256778292327},
        {0, 5000, 0.0, 0.00105910222823},
        {0, 10000, 0.0, 0.000529691400606},
        {50, 50, 0.899454916625, 1.0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double lo = -1, hi = -1;
        assert_int_equal(lg_stats_proportion_bounds(cases[i].x, cases[i].n, 0.99, &lo, &hi), 0);
        if (cases[i].lo == 0.0)
            assert_true(lo == 0.0);
        else
            assert_close(lo, cases[i].lo, 1e-9);
        assert_close(hi, cases[i].hi, 1e-9);
    }
    double lo, hi;
    assert_int_equal(lg_stats_proportion_bounds(1, 0, 0.99, &lo, &hi), LG_EINVAL);
    assert_int_equal(lg_stats_proportion_bounds(3, 2, 0.99, &lo, &hi), LG_EINVAL);
}

static void test_stats_fisher_greater(void **state)
{
    assert_close(lg_stats_fisher_greater(5, 5000, 100, 5000), 1.59327307516e-24, 1e-9);
    assert_close(lg_stats_fisher_greater(0, 50, 1, 50), 0.5, 1e-12);
    assert_close(lg_stats_fisher_greater(0, 5000, 10, 5000), 0.00097217368098, 1e-9);
    assert_close(lg_stats_fisher_greater(0, 5000, 5, 5000), 0.0312187515641, 1e-9);
    assert_close(lg_stats_fisher_greater(3, 1000, 9, 1000), 0.0723930445923, 1e-9);
    assert_close(lg_stats_fisher_greater(10, 1000, 10, 1000), 0.588542238304, 1e-9);
    assert_close(lg_stats_fisher_greater(500, 100000, 580, 100000), 0.00794795063371, 1e-9);
    /* No errors at all, or nothing to compare: no evidence. */
    assert_true(lg_stats_fisher_greater(0, 100, 0, 100) == 1.0);
    assert_true(lg_stats_fisher_greater(0, 0, 1, 10) == 1.0);
}

/* ---- bounds from a histogram ------------------------------------------------------------- */

/* 1000 samples 10000, 10010, ... 19990 us: p95's ranks at 99% are 931 and 968, the samples
 * 19300 and 19670 us, in buckets 16 us wide (16384..32767): 19296..19311 and 19664..19679. */
static void test_compare_percentile_bounds_from_histogram(void **state)
{
    struct lg_hist *h = lg_hist_new();
    for (int i = 0; i < 1000; i++)
        lg_hist_record(h, 10000 + 10 * i);
    struct lg_cmp_bounds b;
    lg_cmp_percentile_bounds(h, 95.0, 0.99, &b);
    assert_true(b.has_lo && b.has_hi);
    assert_true(b.lo == 19296.0);
    assert_true(b.hi == 19679.0);
    /* Exact values below 2048 us: ranks 931 and 968 are the values themselves. */
    lg_hist_reset(h);
    for (int i = 1; i <= 1000; i++)
        lg_hist_record(h, 1000 + i);
    lg_cmp_percentile_bounds(h, 95.0, 0.99, &b);
    assert_true(b.lo == 1931.0 && b.hi == 1968.0);
    /* 100 samples cannot bound p99 from above (528 needed) */
    lg_hist_reset(h);
    for (int i = 1; i <= 100; i++)
        lg_hist_record(h, 1000 + i);
    lg_cmp_percentile_bounds(h, 99.0, 0.99, &b);
    assert_true(b.has_lo);
    assert_false(b.has_hi);
    assert_true(isinf(b.hi));
    lg_hist_free(h);
    lg_cmp_percentile_bounds(NULL, 99.0, 0.99, &b);
    assert_false(b.has_lo || b.has_hi);
}

static void test_compare_judge_bounds(void **state)
{
    struct lg_cmp_bounds base = {true, true, 100.0, 110.0};
    struct lg_cmp_bounds n = {true, true, 122.0, 130.0};
    /* 122 > 110 * 1.1 = 121 */
    assert_int_equal(lg_cmp_judge_bounds(&base, &n, 0.10), LG_CMP_REGRESSION);
    n = (struct lg_cmp_bounds){true, true, 120.0, 130.0};
    assert_int_equal(lg_cmp_judge_bounds(&base, &n, 0.10), LG_CMP_INCONCLUSIVE);
    n = (struct lg_cmp_bounds){true, true, 95.0, 110.0};
    assert_int_equal(lg_cmp_judge_bounds(&base, &n, 0.10), LG_CMP_OK); /* 110 <= 100 * 1.1 */
    assert_int_equal(lg_cmp_judge_bounds(&base, &n, 0.0), LG_CMP_INCONCLUSIVE);
    n = (struct lg_cmp_bounds){true, true, 80.0, 90.0};
    assert_int_equal(lg_cmp_judge_bounds(&base, &n, 0.10), LG_CMP_IMPROVED); /* 99 < 100 */
    /* No upper bound on BASE: a regression cannot be shown, however slow NEW is. */
    base.has_hi = false;
    n = (struct lg_cmp_bounds){true, true, 1000.0, 2000.0};
    assert_int_equal(lg_cmp_judge_bounds(&base, &n, 0.10), LG_CMP_INCONCLUSIVE);
    /* No upper bound on NEW: never ok. */
    base.has_hi = true;
    n = (struct lg_cmp_bounds){true, false, 50.0, INFINITY};
    assert_int_equal(lg_cmp_judge_bounds(&base, &n, 0.10), LG_CMP_INCONCLUSIVE);
}

/* ---- outcomes on synthetic runs (log-normal, median 20 ms, sigma 0.5) -------------------- */

/* 20,000 samples a side from one distribution: every judged metric ok (p95's bounds
 * 44.384..46.175 ms and 44.608..46.175 ms: 46.175 <= 44.384 * 1.1). With 5,000 a side p95
 * is still ok, but p99's bounds are too wide for a 10% budget, and 5,000 requests without
 * an error cannot vouch for an error rate within 0.1 percentage point (the bound is 0.106%):
 * inconclusive, not a silent pass. */
static void test_compare_same_distribution_is_ok(void **state)
{
    struct lg_comparison *c = compare_hists(lognormal_hist(1, 20000, 20000, 0.5),
                                            lognormal_hist(2, 20000, 20000, 0.5), NULL);
    assert_int_equal(c->n_rows, 1);
    const struct lg_cmp_cell *p95 = &c->rows[0].cells[LG_CMP_P95];
    assert_close(p95->base, 45.247, 1e-12);
    assert_close(p95->new, 45.407, 1e-12);
    assert_close(p95->base_bounds.lo, 44.384, 1e-12);
    assert_close(p95->base_bounds.hi, 46.175, 1e-12);
    assert_close(p95->new_bounds.lo, 44.608, 1e-12);
    assert_close(p95->new_bounds.hi, 46.175, 1e-12);
    assert_close(p95->abs_change, 0.160, 1e-9);
    assert_int_equal(p95->status, LG_CMP_OK);
    assert_int_equal(c->rows[0].cells[LG_CMP_P99].status, LG_CMP_OK);
    assert_int_equal(c->rows[0].cells[LG_CMP_ERROR_RATE].status, LG_CMP_OK);
    assert_int_equal(c->rows[0].cells[LG_CMP_P50].status, LG_CMP_NOT_JUDGED);
    assert_int_equal(c->rows[0].cells[LG_CMP_MAX].status, LG_CMP_NOT_JUDGED);
    assert_int_equal(c->rows[0].status, LG_CMP_OK);
    assert_int_equal(c->overall.status, LG_CMP_OK);
    assert_int_equal(c->status, LG_CMP_OK);
    lg_comparison_free(c);

    c = compare_hists(lognormal_hist(1, 5000, 20000, 0.5), lognormal_hist(2, 5000, 20000, 0.5),
                      NULL);
    assert_int_equal(c->rows[0].cells[LG_CMP_P95].status, LG_CMP_OK);
    assert_int_equal(c->rows[0].cells[LG_CMP_P99].status, LG_CMP_INCONCLUSIVE);
    assert_int_equal(c->rows[0].cells[LG_CMP_ERROR_RATE].status, LG_CMP_INCONCLUSIVE);
    assert_int_equal(c->status, LG_CMP_INCONCLUSIVE);
    lg_comparison_free(c);
}

/* 5,000 samples a side, NEW 30% slower: both percentiles judged regress. */
static void test_compare_shift_30_percent_is_regression(void **state)
{
    struct lg_comparison *c = compare_hists(lognormal_hist(1, 5000, 20000, 0.5),
                                            lognormal_hist(2, 5000, 26000, 0.5), NULL);
    assert_int_equal(c->rows[0].cells[LG_CMP_P95].status, LG_CMP_REGRESSION);
    assert_int_equal(c->rows[0].cells[LG_CMP_P99].status, LG_CMP_REGRESSION);
    assert_int_equal(c->rows[0].status, LG_CMP_REGRESSION);
    assert_int_equal(c->status, LG_CMP_REGRESSION);
    /* Turned around, the same data is an improvement. */
    lg_comparison_free(c);
    c = compare_hists(lognormal_hist(2, 5000, 26000, 0.5), lognormal_hist(1, 5000, 20000, 0.5),
                      NULL);
    assert_int_equal(c->rows[0].cells[LG_CMP_P95].status, LG_CMP_IMPROVED);
    lg_comparison_free(c);
}

/* 10 samples a side, NEW twice as slow: at 99% nothing can be shown. BASE's p90, p95 and
 * p99 have no upper bound (at least 44, 104 and 528 samples are needed), and p50's bounds
 * are the smallest and largest samples, which overlap for this spread. With a target whose
 * latency barely varies (10 ms against 20 ms), p50 does show the regression. */
static void test_compare_ten_samples_twice_slower(void **state)
{
    struct lg_compare_opts o;
    lg_compare_opts_init(&o);
    o.metrics |= 1u << LG_CMP_P50 | 1u << LG_CMP_P90;
    struct lg_comparison *c =
        compare_hists(lognormal_hist(1, 10, 20000, 0.5), lognormal_hist(2, 10, 40000, 0.5), &o);
    const struct lg_cmp_row *row = &c->rows[0];
    assert_int_equal(row->cells[LG_CMP_P50].status, LG_CMP_INCONCLUSIVE);
    assert_close(row->cells[LG_CMP_P50].base_bounds.hi, 61.279, 1e-12);
    assert_close(row->cells[LG_CMP_P50].new_bounds.lo, 24.032, 1e-12);
    for (int m = LG_CMP_P90; m <= LG_CMP_P99; m++) {
        assert_int_equal(row->cells[m].status, LG_CMP_INCONCLUSIVE);
        assert_false(row->cells[m].base_bounds.has_hi);
        assert_true(row->cells[m].new_bounds.has_lo);
    }
    assert_int_equal(row->cells[LG_CMP_ERROR_RATE].status, LG_CMP_INCONCLUSIVE);
    assert_int_equal(c->status, LG_CMP_INCONCLUSIVE);
    lg_comparison_free(c);

    struct lg_hist *b = lg_hist_new(), *n = lg_hist_new();
    for (int i = 0; i < 10; i++) {
        lg_hist_record(b, 10000 + 10 * i);
        lg_hist_record(n, 20000 + 20 * i);
    }
    c = compare_hists(b, n, &o);
    assert_int_equal(c->rows[0].cells[LG_CMP_P50].status, LG_CMP_REGRESSION);
    assert_int_equal(c->rows[0].cells[LG_CMP_P95].status, LG_CMP_INCONCLUSIVE);
    assert_int_equal(c->status, LG_CMP_REGRESSION);
    lg_comparison_free(c);
}

/* ---- error rate -------------------------------------------------------------------------- */

static void test_compare_error_rate(void **state)
{
    double p;
    struct lg_cmp_bounds bb, nb;
    /* 0.1% of 5,000 -> 2% of 5,000: beyond the budget and p = 1.6e-24. */
    assert_int_equal(lg_cmp_judge_ratio(5, 5000, 100, 5000, 0.10, 0.001, 0.99, &p, &bb, &nb),
                     LG_CMP_REGRESSION);
    assert_close(p, 1.59327307516e-24, 1e-9);
    assert_close(nb.lo, 0.0152591641207, 1e-9);
    /* 0 of 50 -> 1 of 50: p = 0.5, no regression; and 50 requests cannot vouch for less than
     * a 13.9% error rate: inconclusive. */
    assert_int_equal(lg_cmp_judge_ratio(0, 50, 1, 50, 0.10, 0.001, 0.99, &p, NULL, &nb),
                     LG_CMP_INCONCLUSIVE);
    assert_close(p, 0.5, 1e-12);
    assert_close(nb.hi, 0.139404124561, 1e-9);
    /* Nothing failed on either side: ok once the requests vouch for 0.1 percentage point
     * (5,296 needed at 99%). */
    assert_int_equal(lg_cmp_judge_ratio(0, 5000, 0, 5000, 0.10, 0.001, 0.99, NULL, NULL, NULL),
                     LG_CMP_INCONCLUSIVE);
    assert_int_equal(lg_cmp_judge_ratio(0, 5296, 0, 5296, 0.10, 0.001, 0.99, NULL, NULL, NULL),
                     LG_CMP_OK);
    assert_int_equal(lg_cmp_judge_ratio(0, 5295, 0, 5295, 0.10, 0.001, 0.99, NULL, NULL, NULL),
                     LG_CMP_INCONCLUSIVE);
    /* 0 -> 10 of 5,000 (0.2%): past the 0.1 point floor, p = 0.00097 */
    assert_int_equal(lg_cmp_judge_ratio(0, 5000, 10, 5000, 0.10, 0.001, 0.99, NULL, NULL, NULL),
                     LG_CMP_REGRESSION);
    /* 0 -> 5 of 5,000: p = 0.031, not shown at 99% */
    assert_int_equal(lg_cmp_judge_ratio(0, 5000, 5, 5000, 0.10, 0.001, 0.99, NULL, NULL, NULL),
                     LG_CMP_INCONCLUSIVE);
    /* 0 -> 40 of 100,000 (0.04%): significant, but within the floor */
    assert_true(lg_stats_fisher_greater(0, 100000, 40, 100000) < 0.01);
    assert_int_equal(lg_cmp_judge_ratio(0, 100000, 40, 100000, 0.10, 0.001, 0.99, NULL, NULL, NULL),
                     LG_CMP_OK);
    /* 0.5% -> 0.58% of 100,000: significant (p = 0.008) but within the allowance (0.6%) */
    assert_int_equal(
        lg_cmp_judge_ratio(500, 100000, 580, 100000, 0.10, 0.001, 0.99, NULL, NULL, NULL),
        LG_CMP_INCONCLUSIVE);
    /* 2% -> 0.1%: improved */
    assert_int_equal(lg_cmp_judge_ratio(100, 5000, 5, 5000, 0.10, 0.001, 0.99, NULL, NULL, NULL),
                     LG_CMP_IMPROVED);
    assert_int_equal(lg_cmp_judge_ratio(0, 0, 5, 5000, 0.10, 0.001, 0.99, NULL, NULL, NULL),
                     LG_CMP_INCONCLUSIVE);
}

/* ---- the comparison model ---------------------------------------------------------------- */

static struct lg_hist *constant_hist(int64_t us, int64_t n)
{
    struct lg_hist *h = lg_hist_new();
    lg_hist_record_n(h, us, n);
    return h;
}

static void test_compare_model_rows_and_one_side(void **state)
{
    struct step_spec sb[] = {
        {"browse", "home", constant_hist(10000, 1000), 1000, 5, 990, 10},
        {"browse", "search", constant_hist(30000, 500), 500, 0, 0, 0},
        {"buy", "pay", constant_hist(50000, 100), 100, 0, 0, 0},
    };
    struct step_spec sn[] = {
        {"buy", "cart", constant_hist(40000, 200), 200, 0, 0, 0},
        {"browse", "home", constant_hist(20000, 1000), 1000, 100, 900, 100},
        {"browse", "search", constant_hist(30000, 500), 500, 0, 0, 0},
    };
    struct lg_result *rb = make_result("shop", sb, 3, 10.0);
    struct lg_result *rn = make_result("shop", sn, 3, 20.0);
    add_scenario(rb, "browse");
    add_scenario(rb, "buy");
    add_scenario(rn, "browse");
    add_scenario(rn, "admin");
    add_threshold(rb, "p95 < 500ms");
    add_threshold(rn, "p95 < 500ms");
    add_threshold(rn, "error_rate < 1%");
    struct lg_comparison *c = NULL;
    char err[256] = "";
    assert_int_equal(lg_compare(rb, rn, NULL, &c, err, sizeof(err)), 0);

    /* Rows: the steps both have, in NEW's order. */
    assert_int_equal(c->n_rows, 2);
    assert_string_equal(c->rows[0].scenario, "browse");
    assert_string_equal(c->rows[0].step, "home");
    assert_string_equal(c->rows[1].step, "search");
    const struct lg_cmp_row *home = &c->rows[0];
    assert_int_equal(home->base_requests, 1000);
    assert_int_equal(home->new_samples, 1000);
    /* 10 ms -> 20 ms (both bucket tops: 10.007 and 20.015 ms) */
    assert_close(home->cells[LG_CMP_P95].base, 10.007, 1e-12);
    assert_close(home->cells[LG_CMP_P95].new, 20.015, 1e-12);
    assert_close(home->cells[LG_CMP_P95].rel_change, 20.015 / 10.007 - 1.0, 1e-12);
    assert_int_equal(home->cells[LG_CMP_P95].status, LG_CMP_REGRESSION);
    assert_int_equal(home->cells[LG_CMP_P99].status, LG_CMP_REGRESSION);
    /* 0.5% -> 10% */
    assert_close(home->cells[LG_CMP_ERROR_RATE].base, 0.005, 1e-15);
    assert_close(home->cells[LG_CMP_ERROR_RATE].new, 0.1, 1e-15);
    assert_close(home->cells[LG_CMP_ERROR_RATE].abs_change, 0.095, 1e-12);
    assert_true(home->cells[LG_CMP_ERROR_RATE].p_value < 1e-20);
    assert_int_equal(home->cells[LG_CMP_ERROR_RATE].status, LG_CMP_REGRESSION);
    /* requests/s from the run's duration: 100/s -> 50/s, shown and never judged */
    assert_close(home->cells[LG_CMP_RPS].base, 100.0, 1e-15);
    assert_close(home->cells[LG_CMP_RPS].new, 50.0, 1e-15);
    assert_close(home->cells[LG_CMP_RPS].rel_change, -0.5, 1e-15);
    assert_int_equal(home->cells[LG_CMP_RPS].status, LG_CMP_NOT_JUDGED);
    /* checks 99% -> 90%, shown (not judged by default) with the passed ratio's bounds */
    const struct lg_cmp_cell *ck = &home->cells[LG_CMP_CHECKS];
    assert_close(ck->base, 0.99, 1e-15);
    assert_close(ck->new, 0.9, 1e-15);
    assert_true(ck->new_bounds.lo < 0.9 && ck->new_bounds.hi > 0.9 && ck->new_bounds.hi < 1.0);
    assert_int_equal(ck->status, LG_CMP_NOT_JUDGED);
    assert_int_equal(home->status, LG_CMP_REGRESSION);
    /* max: shown, never judged */
    assert_close(home->cells[LG_CMP_MAX].new, 20.015, 1e-12);
    assert_int_equal(home->cells[LG_CMP_MAX].status, LG_CMP_NOT_JUDGED);
    assert_false(home->cells[LG_CMP_MAX].has_bounds);

    /* search is unchanged at a constant 30 ms: p95 ok (same bucket, 10% budget) */
    assert_int_equal(c->rows[1].cells[LG_CMP_P95].status, LG_CMP_OK);
    assert_true(isnan(c->rows[1].cells[LG_CMP_CHECKS].abs_change));
    assert_false(c->rows[1].cells[LG_CMP_CHECKS].has_new);

    /* Overall: every step of each side, counts summed, the run's requests/s. */
    assert_int_equal(c->overall.base_requests, 1600);
    assert_int_equal(c->overall.new_requests, 1700);
    assert_int_equal(c->overall.base_samples, 1600);
    assert_close(c->overall.cells[LG_CMP_ERROR_RATE].base, 5.0 / 1600.0, 1e-15);
    assert_close(c->overall.cells[LG_CMP_RPS].base, 160.0, 1e-15);
    assert_close(c->overall.cells[LG_CMP_RPS].new, 85.0, 1e-15);
    assert_null(c->overall.scenario);
    assert_int_equal(c->status, LG_CMP_REGRESSION);

    /* One side only. */
    assert_int_equal(c->only_base.n_steps, 1);
    assert_string_equal(c->only_base.steps[0].scenario, "buy");
    assert_string_equal(c->only_base.steps[0].name, "pay");
    assert_int_equal(c->only_new.n_steps, 1);
    assert_string_equal(c->only_new.steps[0].name, "cart");
    assert_int_equal(c->only_base.n_scenarios, 1);
    assert_string_equal(c->only_base.scenarios[0].name, "buy");
    assert_int_equal(c->only_new.n_scenarios, 1);
    assert_string_equal(c->only_new.scenarios[0].name, "admin");
    assert_int_equal(c->only_base.n_thresholds, 0);
    assert_int_equal(c->only_new.n_thresholds, 1);
    assert_string_equal(c->only_new.thresholds[0].name, "error_rate < 1%");
    lg_comparison_free(c);

    /* Judging checks too: 1% -> 10% failed is a regression. */
    struct lg_compare_opts o;
    lg_compare_opts_init(&o);
    o.metrics |= 1u << LG_CMP_CHECKS;
    assert_int_equal(lg_compare(rb, rn, &o, &c, err, sizeof(err)), 0);
    assert_int_equal(c->rows[0].cells[LG_CMP_CHECKS].status, LG_CMP_REGRESSION);
    lg_comparison_free(c);
    lg_result_free(rb);
    lg_result_free(rn);
}

/* Three steps at a constant 10 ms in BASE; in NEW, a and b at 13 ms (+30%), c unchanged. */
static void three_steps(struct lg_result **rb, struct lg_result **rn)
{
    struct step_spec sb[] = {
        {"s", "a", constant_hist(10000, 1000), 1000, 0, 0, 0},
        {"s", "b", constant_hist(10000, 1000), 1000, 0, 0, 0},
        {"s", "c", constant_hist(10000, 1000), 1000, 0, 0, 0},
    };
    struct step_spec sn[] = {
        {"s", "a", constant_hist(13000, 1000), 1000, 0, 0, 0},
        {"s", "b", constant_hist(13000, 1000), 1000, 0, 0, 0},
        {"s", "c", constant_hist(10000, 1000), 1000, 0, 0, 0},
    };
    *rb = make_result("suite", sb, 3, 10.0);
    *rn = make_result("suite", sn, 3, 10.0);
}

static void assert_latency(const struct lg_cmp_row *row, enum lg_cmp_status p95,
                           enum lg_cmp_status p99)
{
    assert_int_equal(row->cells[LG_CMP_P95].status, p95);
    assert_int_equal(row->cells[LG_CMP_P99].status, p99);
}

/* A step's own budget or judged set changes that step's statuses and no other; the
 * overall row, which merges steps held to different budgets, is then not judged. */
static void test_compare_step_opts_change_only_that_step(void **state)
{
    struct lg_result *rb, *rn;
    three_steps(&rb, &rn);
    struct lg_comparison *c = NULL;
    char err[256] = "";
    struct lg_compare_opts o;
    lg_compare_opts_init(&o);

    /* The suite's 10% alone: a and b regress, c is ok, and so is the overall row judged. */
    assert_int_equal(lg_compare(rb, rn, &o, &c, err, sizeof(err)), 0);
    assert_latency(&c->rows[0], LG_CMP_REGRESSION, LG_CMP_REGRESSION);
    assert_latency(&c->rows[1], LG_CMP_REGRESSION, LG_CMP_REGRESSION);
    assert_latency(&c->rows[2], LG_CMP_OK, LG_CMP_OK);
    assert_latency(&c->overall, LG_CMP_REGRESSION, LG_CMP_REGRESSION);
    assert_false(c->overall.own_opts);
    assert_true(lg_cmp_cell_judged(c, &c->overall, LG_CMP_P95));
    lg_comparison_free(c);

    /* b allowed 50%: ok there; a still regresses on the suite's 10%; c unchanged. */
    struct lg_result_regset_step steps[] = {
        {.scenario = "s", .step = "b", .budget = 0.5, .metrics = o.metrics},
    };
    o.steps = steps;
    o.n_steps = 1;
    assert_int_equal(lg_compare(rb, rn, &o, &c, err, sizeof(err)), 0);
    assert_latency(&c->rows[0], LG_CMP_REGRESSION, LG_CMP_REGRESSION);
    assert_latency(&c->rows[1], LG_CMP_OK, LG_CMP_OK);
    assert_latency(&c->rows[2], LG_CMP_OK, LG_CMP_OK);
    assert_true(c->rows[0].cells[LG_CMP_P95].budget == 0.1);
    assert_true(c->rows[1].cells[LG_CMP_P95].budget == 0.5);
    assert_true(c->rows[1].cells[LG_CMP_ERROR_RATE].budget == 0.5);
    assert_false(c->rows[0].own_opts);
    assert_true(c->rows[1].own_opts);
    assert_true(c->overall.own_opts);
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        assert_false(lg_cmp_cell_judged(c, &c->overall, (enum lg_cmp_metric)m));
        assert_int_equal(c->overall.cells[m].status, LG_CMP_NOT_JUDGED);
    }
    assert_int_equal(c->overall.status, LG_CMP_NOT_JUDGED);
    assert_int_equal(c->status, LG_CMP_REGRESSION); /* a's */
    assert_null(c->opts.steps);                     /* the rows hold what applied */
    lg_comparison_free(c);

    /* a and b both allowed 50% (b by the first entry naming it): no regression left. */
    struct lg_result_regset_step both[] = {
        {.scenario = "s", .step = "a", .budget = 0.5, .metrics = o.metrics},
        {.scenario = "s", .step = "b", .budget = 0.5, .metrics = o.metrics},
        {.scenario = "s", .step = "b", .budget = 0.0, .metrics = o.metrics},
    };
    o.steps = both;
    o.n_steps = 3;
    assert_int_equal(lg_compare(rb, rn, &o, &c, err, sizeof(err)), 0);
    assert_latency(&c->rows[0], LG_CMP_OK, LG_CMP_OK);
    assert_latency(&c->rows[1], LG_CMP_OK, LG_CMP_OK);
    assert_true(c->status < LG_CMP_REGRESSION);
    lg_comparison_free(c);

    /* a not judged (metrics: []): its row judges nothing; b judged on p99 alone. */
    struct lg_result_regset_step sets[] = {
        {.scenario = "s", .step = "a", .budget = 0.1, .metrics = 0},
        {.scenario = "s", .step = "b", .budget = 0.1, .metrics = 1u << LG_CMP_P99},
    };
    o.steps = sets;
    o.n_steps = 2;
    assert_int_equal(lg_compare(rb, rn, &o, &c, err, sizeof(err)), 0);
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        assert_false(lg_cmp_cell_judged(c, &c->rows[0], (enum lg_cmp_metric)m));
        assert_int_equal(c->rows[0].cells[m].status, LG_CMP_NOT_JUDGED);
    }
    assert_int_equal(c->rows[0].status, LG_CMP_NOT_JUDGED);
    assert_close(c->rows[0].cells[LG_CMP_P95].rel_change, 13.007 / 10.007 - 1.0, 1e-3);
    assert_latency(&c->rows[1], LG_CMP_NOT_JUDGED, LG_CMP_REGRESSION);
    assert_false(lg_cmp_cell_judged(c, &c->rows[1], LG_CMP_P95));
    assert_true(lg_cmp_cell_judged(c, &c->rows[1], LG_CMP_P99));
    assert_false(lg_cmp_cell_judged(c, &c->rows[1], LG_CMP_ERROR_RATE));
    assert_true(lg_cmp_cell_judged(c, &c->rows[2], LG_CMP_ERROR_RATE));
    lg_comparison_free(c);

    /* An entry equal to the suite's settings or naming no step of NEW changes nothing:
     * the overall row stays judged. */
    struct lg_result_regset_step same[] = {
        {.scenario = "s", .step = "c", .budget = 0.1, .metrics = o.metrics},
        {.scenario = "t", .step = "a", .budget = 0.5, .metrics = 0},
    };
    o.steps = same;
    o.n_steps = 2;
    assert_int_equal(lg_compare(rb, rn, &o, &c, err, sizeof(err)), 0);
    assert_latency(&c->rows[0], LG_CMP_REGRESSION, LG_CMP_REGRESSION);
    assert_false(c->rows[2].own_opts);
    assert_false(c->overall.own_opts);
    assert_latency(&c->overall, LG_CMP_REGRESSION, LG_CMP_REGRESSION);
    lg_comparison_free(c);
    c = NULL;

    /* A step's entry is checked like the suite-level settings. */
    struct lg_result_regset_step bad[] = {{.scenario = "s",
                                           .step = "b",
                                           .budget = 0.1,
                                           .metrics = 1u << LG_CMP_P95 | 1u << LG_CMP_MAX}};
    o.steps = bad;
    o.n_steps = 1;
    assert_int_equal(lg_compare(rb, rn, &o, &c, err, sizeof(err)), LG_EINVAL);
    assert_string_equal(err, "max cannot be judged: a single sample has no confidence bounds "
                             "(judge p99 instead) (step s/b)");
    bad[0] = (struct lg_result_regset_step){.scenario = "s", .step = "b", .budget = -0.1};
    assert_int_equal(lg_compare(rb, rn, &o, &c, err, sizeof(err)), LG_EINVAL);
    assert_string_equal(err, "budget must be 0 or more (step s/b)");
    assert_null(c);
    lg_result_free(rb);
    lg_result_free(rn);
}

/* A run's recorded settings become the options: the suite-level budget for every
 * metric, the judged set, the confidence, the steps borrowed; none leaves them. */
static void test_compare_opts_from_regset(void **state)
{
    struct lg_compare_opts o;
    lg_compare_opts_init(&o);
    struct lg_result_regset none = {0};
    lg_compare_opts_from_regset(&o, &none);
    assert_true(o.budget[LG_CMP_P95] == 0.1 && o.confidence == 0.99);
    assert_int_equal(o.metrics, LG_CMP_DEFAULT_METRICS);
    assert_null(o.steps);
    struct lg_result_regset_step steps[] = {{.scenario = "s", .step = "b", .budget = 0.5}};
    struct lg_result_regset rs = {.has = true,
                                  .budget = 0.25,
                                  .metrics = 1u << LG_CMP_P50,
                                  .confidence = 0.95,
                                  .steps = steps,
                                  .n_steps = 1};
    lg_compare_opts_from_regset(&o, &rs);
    for (int m = 0; m < LG_CMP_METRICS; m++)
        assert_true(o.budget[m] == 0.25);
    assert_int_equal(o.metrics, 1u << LG_CMP_P50);
    assert_true(o.confidence == 0.95);
    assert_ptr_equal(o.steps, steps);
    assert_int_equal(o.n_steps, 1);
    assert_true(o.rate_floor == 0.001);
}

static void test_compare_refusals(void **state)
{
    struct step_spec s = {"s", "get", NULL, 0, 0, 0, 0};
    struct lg_result *rb = make_result("one", &s, 1, 1.0);
    struct lg_result *rn = make_result("two", &s, 1, 1.0);
    struct lg_comparison *c = NULL;
    char err[256] = "";
    assert_int_equal(lg_compare(rb, rn, NULL, &c, err, sizeof(err)), LG_EINVAL);
    assert_string_equal(err, "the results are of different suites (\"one\" and \"two\"): compare "
                             "runs of one suite, or allow different suites");
    assert_null(c);
    struct lg_compare_opts o;
    lg_compare_opts_init(&o);
    o.allow_different_suite = true;
    assert_int_equal(lg_compare(rb, rn, &o, &c, err, sizeof(err)), 0);
    assert_true(c->different_suite);
    /* No samples on either side: nothing to judge, said as such. */
    assert_int_equal(c->rows[0].cells[LG_CMP_P95].status, LG_CMP_INCONCLUSIVE);
    assert_false(c->rows[0].cells[LG_CMP_P95].has_base);
    assert_int_equal(c->status, LG_CMP_INCONCLUSIVE);
    lg_comparison_free(c);
    c = NULL;

    o.metrics |= 1u << LG_CMP_MAX;
    assert_int_equal(lg_compare(rb, rb, &o, &c, err, sizeof(err)), LG_EINVAL);
    assert_string_equal(err, "max cannot be judged: a single sample has no confidence bounds "
                             "(judge p99 instead)");
    lg_compare_opts_init(&o);
    o.metrics |= 1u << LG_CMP_RPS;
    assert_int_equal(lg_compare(rb, rb, &o, &c, err, sizeof(err)), LG_EINVAL);
    lg_compare_opts_init(&o);
    o.budget[LG_CMP_P95] = -0.1;
    assert_int_equal(lg_compare(rb, rb, &o, &c, err, sizeof(err)), LG_EINVAL);
    assert_string_equal(err, "budget for p95 must be 0 or more");
    lg_compare_opts_init(&o);
    o.confidence = 1.0;
    assert_int_equal(lg_compare(rb, rb, &o, &c, err, sizeof(err)), LG_EINVAL);
    assert_null(c);
    lg_result_free(rb);
    lg_result_free(rn);
}

static void test_compare_names(void **state)
{
    assert_string_equal(lg_cmp_metric_name(LG_CMP_ERROR_RATE), "error_rate");
    assert_int_equal(lg_cmp_metric_parse("p99"), LG_CMP_P99);
    assert_int_equal(lg_cmp_metric_parse("checks"), LG_CMP_CHECKS);
    assert_int_equal(lg_cmp_metric_parse("p999"), -1);
    assert_string_equal(lg_cmp_status_name(LG_CMP_INCONCLUSIVE), "inconclusive");
    assert_string_equal(lg_cmp_status_name(LG_CMP_REGRESSION), "regression");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_binom_cdf),
        cmocka_unit_test(test_stats_quantile_ranks_exact),
        cmocka_unit_test(test_stats_quantile_ranks_normal),
        cmocka_unit_test(test_stats_quantile_ranks_edges),
        cmocka_unit_test(test_stats_proportion_bounds),
        cmocka_unit_test(test_stats_fisher_greater),
        cmocka_unit_test(test_compare_percentile_bounds_from_histogram),
        cmocka_unit_test(test_compare_judge_bounds),
        cmocka_unit_test(test_compare_same_distribution_is_ok),
        cmocka_unit_test(test_compare_shift_30_percent_is_regression),
        cmocka_unit_test(test_compare_ten_samples_twice_slower),
        cmocka_unit_test(test_compare_error_rate),
        cmocka_unit_test(test_compare_model_rows_and_one_side),
        cmocka_unit_test(test_compare_refusals),
        cmocka_unit_test(test_compare_step_opts_change_only_that_step),
        cmocka_unit_test(test_compare_opts_from_regset),
        cmocka_unit_test(test_compare_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
