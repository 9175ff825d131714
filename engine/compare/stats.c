/* stats: binomial and hypergeometric tails summed exactly, relative to the mode so that
 * millions of samples neither underflow nor lose precision; order-statistic ranks for
 * percentile bounds, Clopper-Pearson bounds and Fisher's one-sided exact test on top. */
#include "stats.h"

#include "errors.h"

#include <math.h>
#include <stdbool.h>

/* What is left of a tail when a sum stops, relative to the total: far below anything a
 * confidence level can resolve. */
#define TAIL_EPS 1e-20
/* Above this standard deviation the exact sums (about 20 terms per unit of it) give way to
 * the normal approximation, whose error is then below 5e-6. */
#define SD_EXACT 1e5

/* A discrete unimodal distribution on smin..smax whose successive pmf ratios fall away from
 * the mode (binomial, hypergeometric), summed from the mode outwards with the mode's term
 * as 1 until the geometric bound on what is left drops below TAIL_EPS of the total. */
struct dist {
    double (*up)(const struct dist *d, int64_t i); /* pmf(i + 1) / pmf(i), smin <= i < smax */
    double a, b, c, e;                             /* the distribution's parameters */
    int64_t smin, smax, mode;
    bool normal; /* too wide to sum: mean and sd describe it */
    double mean, sd;
    int64_t lo, hi;    /* first and last term summed */
    double t_lo, t_hi; /* their terms, relative to the mode's */
    double total;      /* the sum of the terms lo..hi */
};

static double down(const struct dist *d, int64_t i) /* pmf(i - 1) / pmf(i) */
{
    return 1.0 / d->up(d, i - 1);
}

static void dist_sum(struct dist *d)
{
    if (d->sd > SD_EXACT) {
        d->normal = true;
        return;
    }
    if (d->mode < d->smin)
        d->mode = d->smin;
    if (d->mode > d->smax)
        d->mode = d->smax;
    double total = 1.0, t = 1.0;
    int64_t i = d->mode;
    while (i > d->smin) {
        double r = down(d, i);
        if (t * r == 0.0)
            break; /* underflow: what is left is below 1e-308 of the mode */
        t *= r;
        i--;
        total += t;
        if (r < 1.0 && t * r / (1.0 - r) < TAIL_EPS * total)
            break;
    }
    d->lo = i;
    d->t_lo = t;
    t = 1.0;
    i = d->mode;
    while (i < d->smax) {
        double r = d->up(d, i);
        if (t * r == 0.0)
            break;
        t *= r;
        i++;
        total += t;
        if (r < 1.0 && t * r / (1.0 - r) < TAIL_EPS * total)
            break;
    }
    d->hi = i;
    d->t_hi = t;
    d->total = total;
}

static double norm_cdf(double x)
{
    return 0.5 * erfc(-x / M_SQRT2);
}

/* The z with P(Z > z) = tail for a standard normal Z, 0 < tail < 0.5 (bisection on erfc:
 * exact to the last bits, and only needed for the widest distributions). */
static double norm_upper_quantile(double tail)
{
    double lo = 0.0, hi = 40.0;
    for (int k = 0; k < 200; k++) {
        double mid = 0.5 * (lo + hi);
        if (0.5 * erfc(mid / M_SQRT2) > tail)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* P(X <= k). */
static double dist_cdf(const struct dist *d, int64_t k)
{
    if (k < d->smin)
        return 0.0;
    if (k >= d->smax)
        return 1.0;
    if (d->normal)
        return norm_cdf(((double)k + 0.5 - d->mean) / d->sd);
    if (k < d->lo)
        return 0.0;
    if (k >= d->hi)
        return 1.0;
    double sum = 0.0;
    if (k < d->mode) {
        double t = d->t_lo;
        for (int64_t i = d->lo; i <= k; i++) {
            sum += t;
            t *= d->up(d, i);
        }
        return sum / d->total;
    }
    double t = d->t_hi;
    for (int64_t i = d->hi; i > k; i--) {
        sum += t;
        t *= down(d, i);
    }
    return 1.0 - sum / d->total;
}

/* P(X >= k), exact in the upper tail (no 1 - (nearly 1)). */
static double dist_sf(const struct dist *d, int64_t k)
{
    if (k <= d->smin)
        return 1.0;
    if (k > d->smax)
        return 0.0;
    if (d->normal)
        return norm_cdf((d->mean - ((double)k - 0.5)) / d->sd);
    if (k <= d->mode)
        return 1.0 - dist_cdf(d, k - 1);
    /* From the mode's term to k's, then k's tail until what is left is negligible: a
     * p-value far below what the total's sum resolves (1e-24) still comes out exact. */
    double t = 1.0;
    for (int64_t i = d->mode; i < k && t > 0.0; i++)
        t *= d->up(d, i);
    double sum = t;
    for (int64_t i = k; i < d->smax && t > 0.0; i++) {
        double r = d->up(d, i);
        t *= r;
        sum += t;
        if (r < 1.0 && t * r / (1.0 - r) < TAIL_EPS * sum)
            break;
    }
    return sum / d->total;
}

/* ---- binomial ---------------------------------------------------------------------------- */

static double binom_up(const struct dist *d, int64_t i) /* a = n, b = p, c = q */
{
    return (d->a - (double)i) * d->b / (((double)i + 1.0) * d->c);
}

static void binom_init(struct dist *d, int64_t n, double p)
{
    *d = (struct dist){.up = binom_up, .a = (double)n, .b = p, .c = 1.0 - p, .smin = 0, .smax = n};
    d->mean = (double)n * p;
    d->sd = sqrt((double)n * p * (1.0 - p));
    d->mode = (int64_t)floor(((double)n + 1.0) * p);
    dist_sum(d);
}

double lg_stats_binom_cdf(int64_t n, double p, int64_t k)
{
    if (n < 0 || !(p > 0.0 && p < 1.0))
        return NAN;
    struct dist d;
    binom_init(&d, n, p);
    return dist_cdf(&d, k);
}

int lg_stats_quantile_ranks(int64_t n, double p, double confidence, int64_t *lo, int64_t *hi)
{
    if (n < 0 || !(p > 0.0 && p < 1.0) || !(confidence > 0.0 && confidence < 1.0))
        return LG_EINVAL;
    if (n == 0) {
        *lo = 0;
        *hi = 1;
        return 0;
    }
    double tail = (1.0 - confidence) / 2.0;
    struct dist d;
    binom_init(&d, n, p);
    /* X(l) <= quantile unless fewer than l samples fall at or below it, which has
     * probability P(B <= l - 1) for B ~ Binomial(n, p) (at most that, for a distribution
     * with ties); so l is the highest rank with P(B <= l - 1) <= tail, that is the lowest
     * l with P(B <= l) > tail. Mirrored, u is one more than the lowest k with
     * P(B > k) <= tail. */
    int64_t l, u;
    if (d.normal) {
        double z = norm_upper_quantile(tail);
        l = (int64_t)floor(d.mean - 0.5 - z * d.sd) + 1;
        u = (int64_t)ceil(d.mean - 0.5 + z * d.sd) + 1;
    } else {
        double allowed = tail * d.total, cum = 0.0, t = d.t_lo;
        l = d.lo;
        while (l < d.hi && cum + t <= allowed) {
            cum += t;
            t *= binom_up(&d, l);
            l++;
        }
        cum = 0.0;
        t = d.t_hi;
        int64_t k = d.hi;
        while (k > d.lo && cum + t <= allowed) {
            cum += t;
            t *= down(&d, k);
            k--;
        }
        u = k + 1;
    }
    *lo = l < 0 ? 0 : l > n ? n : l;
    *hi = u < 1 ? 1 : u > n + 1 ? n + 1 : u;
    return 0;
}

/* ---- proportions ------------------------------------------------------------------------- */

/* The p where P(B >= x) (at_least) or P(B <= x) equals target, B ~ Binomial(n, p), by
 * bisection (the first rises with p, the second falls). */
static double bisect_p(uint64_t x, uint64_t n, double target, bool at_least)
{
    double lo = 0.0, hi = 1.0;
    for (int k = 0; k < 200 && hi - lo > 1e-15 * hi; k++) {
        double mid = 0.5 * (lo + hi);
        /* at_least: P(B >= x) rises with p; else P(B <= x) falls with p. */
        double f = at_least ? 1.0 - lg_stats_binom_cdf((int64_t)n, mid, (int64_t)x - 1)
                            : lg_stats_binom_cdf((int64_t)n, mid, (int64_t)x);
        bool below = at_least ? f < target : f > target;
        if (below)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

int lg_stats_proportion_bounds(uint64_t x, uint64_t n, double confidence, double *lo, double *hi)
{
    if (n == 0 || x > n || n > INT64_MAX || !(confidence > 0.0 && confidence < 1.0))
        return LG_EINVAL;
    double tail = (1.0 - confidence) / 2.0;
    /* The edges have closed forms: P(B = 0) = (1 - p)^n, P(B = n) = p^n. */
    *lo = x == 0 ? 0.0 : x == n ? exp(log(tail) / (double)n) : bisect_p(x, n, tail, true);
    *hi = x == n ? 1.0 : x == 0 ? -expm1(log(tail) / (double)n) : bisect_p(x, n, tail, false);
    return 0;
}

/* Hypergeometric: a = successes K, b = draws n_b, c = population N. */
static double hyper_up(const struct dist *d, int64_t i)
{
    double x = (double)i;
    return (d->a - x) * (d->b - x) / ((x + 1.0) * (d->c - d->a - d->b + x + 1.0));
}

double lg_stats_fisher_greater(uint64_t x_a, uint64_t n_a, uint64_t x_b, uint64_t n_b)
{
    if (n_a == 0 || n_b == 0 || x_a > n_a || x_b > n_b || n_a > INT64_MAX / 2 ||
        n_b > INT64_MAX / 2)
        return 1.0;
    int64_t k = (int64_t)(x_a + x_b), nb = (int64_t)n_b, N = (int64_t)(n_a + n_b);
    struct dist d = {.up = hyper_up, .a = (double)k, .b = (double)nb, .c = (double)N};
    d.smin = k - (int64_t)n_a > 0 ? k - (int64_t)n_a : 0;
    d.smax = k < nb ? k : nb;
    if (d.smin == d.smax)
        return 1.0; /* no margin to vary: the table says nothing */
    double fk = (double)k / (double)N, fb = (double)nb / (double)N;
    d.mean = (double)nb * fk;
    d.sd = sqrt((double)nb * fk * (1.0 - fk) * (1.0 - fb) * (double)N / ((double)N - 1.0));
    d.mode = (int64_t)floor(((double)nb + 1.0) * ((double)k + 1.0) / ((double)N + 2.0));
    dist_sum(&d);
    return dist_sf(&d, (int64_t)x_b);
}
