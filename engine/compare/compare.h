/* compare: two results side by side (BASE, the accepted run, and NEW), per step and
 * overall, each judged metric given a status from confidence bounds rather than point
 * values, so that noise is not called a regression and too little data is said to be
 * too little (docs/compare.md). Plain data, no I/O: the command line reads the results
 * and renders the comparison. */
#ifndef LG_COMPARE_H
#define LG_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmpmetric.h" /* enum lg_cmp_metric, its names */
#include "result.h"

/* Ordered from best to worst: a row's status is the highest of its judged cells, the
 * comparison's the highest of its rows. */
enum lg_cmp_status {
    LG_CMP_NOT_JUDGED = 0, /* shown only */
    LG_CMP_IMPROVED,       /* better beyond the budget, at the confidence */
    LG_CMP_OK,             /* within the budget, at the confidence */
    LG_CMP_INCONCLUSIVE,   /* the samples allow both: too few to tell */
    LG_CMP_REGRESSION,     /* worse beyond the budget, at the confidence */
};

struct lg_compare_opts {
    double confidence;             /* in (0, 1); default 0.99 */
    double budget[LG_CMP_METRICS]; /* the relative worsening allowed, >= 0; default 0.10 */
    unsigned metrics;  /* judged, bits 1u << LG_CMP_*: default p95, p99 and error_rate; max
                          and rps are refused */
    double rate_floor; /* error_rate and checks: an absolute rise of the failed ratio that
                          is always allowed, so that 0 -> 0.05% is not judged on a budget
                          relative to 0; default 0.001 (0.1 percentage point) */
    bool allow_different_suite;
    /* Steps judged otherwise (the suite's per-step `regression:`), matched by scenario
     * and step name, the first match applying; borrowed, NULL with n_steps 0. Such a
     * step's row takes its budget (every metric) and judged set (0: none judged)
     * instead of the above. When some row is judged otherwise, the overall row, which
     * merges steps held to different budgets, is shown and not judged. */
    const struct lg_result_regset_step *steps;
    size_t n_steps;
};

/* Where the data puts a value with the confidence asked (lo <= value <= hi). has_lo or
 * has_hi false: the samples are too few to bound that side (lo then reads 0, hi
 * INFINITY). */
struct lg_cmp_bounds {
    bool has_lo, has_hi;
    double lo, hi;
};

struct lg_cmp_cell {
    /* has_*: the side has a value (false: no samples, no checks); the values in ms,
     * ratios 0..1 or per second. */
    bool has_base, has_new;
    double base, new;
    double abs_change; /* new - base; NAN without both */
    double rel_change; /* (new - base) / base; NAN without both or when base is 0 */
    bool has_bounds;   /* p50..p99, error_rate and checks */
    struct lg_cmp_bounds base_bounds, new_bounds;
    double budget;  /* the budget of its row for this metric */
    double p_value; /* error_rate and checks: Fisher's one-sided p-value for a rise in the
                       failed ratio (small: the rise is real); NAN otherwise */
    enum lg_cmp_status status;
};

struct lg_cmp_row {
    char *scenario, *step; /* both NULL for the overall row */
    uint64_t base_requests, new_requests;
    uint64_t base_samples, new_samples; /* in the latency histograms */
    struct lg_cmp_cell cells[LG_CMP_METRICS];
    /* own_opts: the row is judged otherwise than the comparison's opts: a step with
     * an entry of opts.steps that differs from them, or the overall row when there is
     * such a step (metrics 0: not judged). metrics: the judged set of such a row
     * (lg_cmp_cell_judged); a row built by hand with both zero follows opts. */
    bool own_opts;
    unsigned metrics;
    enum lg_cmp_status status;
};

/* A step (scenario and name), a scenario or a threshold (name only, scenario NULL). */
struct lg_cmp_name {
    char *scenario;
    char *name;
};

/* What one side has and the other has not. */
struct lg_cmp_one_side {
    struct lg_cmp_name *steps;
    size_t n_steps;
    struct lg_cmp_name *scenarios;
    size_t n_scenarios;
    struct lg_cmp_name *thresholds; /* by expression */
    size_t n_thresholds;
};

struct lg_comparison {
    struct lg_compare_opts opts; /* as applied to the overall row and every step without
                                    its own (steps NULL: the rows hold what applied) */
    bool different_suite;        /* allowed by opts */
    struct lg_cmp_row overall;   /* every step of each side: histograms merged, counts
                                    summed; requests/s is the run's */
    struct lg_cmp_row *rows;     /* the steps both sides have, in NEW's order */
    size_t n_rows;
    struct lg_cmp_one_side only_base, only_new;
    enum lg_cmp_status status; /* the worst row, overall included */
};

/* Fills opts with the defaults above. */
void lg_compare_opts_init(struct lg_compare_opts *opts);

/* The metric names, lg_cmp_metric_name and lg_cmp_metric_parse: cmpmetric.h. */

/* Sets opts from the regression settings a run recorded (s->has false: leaves opts
 * alone): the suite-level budget (every metric), judged set and confidence, and
 * opts->steps borrowing s->steps (s must outlive opts). */
void lg_compare_opts_from_regset(struct lg_compare_opts *opts, const struct lg_result_regset *s);
/* "not_judged", "improved", "ok", "inconclusive", "regression". */
const char *lg_cmp_status_name(enum lg_cmp_status s);

/* Compares NEW against BASE with opts (NULL: the defaults). Returns 0 and *out (owned by
 * the caller: lg_comparison_free), or LG_EINVAL with a message in err when the options are
 * invalid (a budget below 0, a confidence outside (0, 1), max or rps judged, at suite
 * level or in a step's entry), the suites
 * differ and opts do not allow it, or the histograms of one side cannot be merged (other
 * settings). Results of another schema never get this far: the reader refuses them. */
int lg_compare(const struct lg_result *base, const struct lg_result *new,
               const struct lg_compare_opts *opts, struct lg_comparison **out, char *err,
               size_t errlen);

/* Whether metric m of row is judged: in the row's own set (own_opts), else in c's. */
bool lg_cmp_cell_judged(const struct lg_comparison *c, const struct lg_cmp_row *row,
                        enum lg_cmp_metric m);

/* Frees the comparison and everything it owns. Accepts NULL. */
void lg_comparison_free(struct lg_comparison *c);

/* Judges one latency percentile from its bounds (exposed for the tests and the docs'
 * worked example): REGRESSION when NEW's lower bound exceeds BASE's upper bound times
 * (1 + budget); IMPROVED when NEW's upper bound times (1 + budget) is below BASE's lower
 * bound; OK when NEW's upper bound is at most BASE's lower bound times (1 + budget);
 * INCONCLUSIVE otherwise, a missing bound counting as 0 (lower) or infinity (upper). */
enum lg_cmp_status lg_cmp_judge_bounds(const struct lg_cmp_bounds *base,
                                       const struct lg_cmp_bounds *new, double budget);

/* Bounds on the p-th percentile (0 < p < 100) of h at the confidence, in the histogram's
 * unit: the lowest value equivalent to the bucket holding the lower rank, the highest of
 * the one holding the upper rank (lg_stats_quantile_ranks). An empty histogram has
 * neither. */
void lg_cmp_percentile_bounds(const struct lg_hist *h, double p, double confidence,
                              struct lg_cmp_bounds *out);

/* Judges a failed ratio (errors or failed checks, x of n on each side) as docs/compare.md
 * says: REGRESSION when NEW's ratio exceeds the allowance over BASE's (the larger of
 * base * (1 + budget) and base + floor) and Fisher's one-sided exact test finds the rise
 * at the confidence; OK when NEW's upper bound is within the allowance over BASE's lower
 * bound (Clopper-Pearson); IMPROVED when the allowance over NEW's upper bound is below
 * BASE's lower bound; INCONCLUSIVE otherwise or when either n is 0. *p_value (may be NULL)
 * gets the test's p-value, *base_b and *new_b (may be NULL) the bounds. */
enum lg_cmp_status lg_cmp_judge_ratio(uint64_t base_x, uint64_t base_n, uint64_t new_x,
                                      uint64_t new_n, double budget, double floor,
                                      double confidence, double *p_value,
                                      struct lg_cmp_bounds *base_b, struct lg_cmp_bounds *new_b);

#endif
