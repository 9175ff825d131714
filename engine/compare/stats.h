/* stats: the exact, distribution-free statistics behind comparing two runs: which order
 * statistics bound a percentile (binomial ranks), exact bounds on a proportion
 * (Clopper-Pearson), and Fisher's exact test for a rise in a proportion. docs/compare.md
 * explains them in plain words. */
#ifndef LG_STATS_H
#define LG_STATS_H

#include <stdint.h>

/* P(X <= k) for X ~ Binomial(n, p): exact (summed outward from the mode, relative to it, so
 * nothing under- or overflows) while the standard deviation sqrt(n p (1 - p)) is at most
 * 1e5, else the normal approximation with continuity correction (then off by less than
 * 5e-6, the Berry-Esseen bound). n >= 0, 0 < p < 1; k outside 0..n gives 0 or 1. */
double lg_stats_binom_cdf(int64_t n, double p, int64_t k);

/* The ranks of the order statistics that bound the p-quantile of the distribution n
 * independent samples come from, at the given confidence, two-sided with equal tails:
 * X(lo) <= quantile with probability at least 1 - (1 - confidence) / 2, quantile <= X(hi)
 * likewise, so both hold together with probability at least `confidence`, whatever the
 * distribution. Ranks count from 1 (the smallest sample). *lo = 0 when no sample is low
 * enough to be a lower bound, *hi = n + 1 when none is high enough to be an upper bound:
 * the data cannot bound the quantile on that side. Exactness as lg_stats_binom_cdf.
 * Returns 0, or LG_EINVAL when n < 0, p is not in (0, 1) or confidence not in (0, 1). */
int lg_stats_quantile_ranks(int64_t n, double p, double confidence, int64_t *lo, int64_t *hi);

/* Clopper-Pearson bounds on the proportion behind x successes in n trials: two-sided with
 * equal tails at the given confidence (each bound one-sided at 1 - (1 - confidence) / 2).
 * *lo is 0 when x is 0 and *hi is 1 when x is n. Returns 0, or LG_EINVAL when x > n, n = 0
 * or confidence is not in (0, 1). */
int lg_stats_proportion_bounds(uint64_t x, uint64_t n, double confidence, double *lo, double *hi);

/* Fisher's exact test, one-sided: the p-value of "the proportion behind x_b of n_b is no
 * higher than the one behind x_a of n_a", that is P(X >= x_b) for X hypergeometric (x_a +
 * x_b successes among n_a + n_b trials, n_b of them drawn). Small: the rise is real.
 * Exactness as lg_stats_binom_cdf. Returns 1 when either n is 0 or x > n (no evidence). */
double lg_stats_fisher_greater(uint64_t x_a, uint64_t n_a, uint64_t x_b, uint64_t n_b);

#endif
