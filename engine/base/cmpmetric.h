/* cmpmetric: the metrics a comparison of two runs shows and judges, by name. Shared by
 * the suite's `regression:` block (config), the result that records it (result) and
 * the comparison itself (compare.h), so that every one spells and refuses them alike. */
#ifndef LG_CMPMETRIC_H
#define LG_CMPMETRIC_H

/* The metrics of a row, in the order they are shown. */
enum lg_cmp_metric {
    LG_CMP_P50 = 0,
    LG_CMP_P90,
    LG_CMP_P95,
    LG_CMP_P99,
    LG_CMP_MAX,        /* shown, never judged: one sample has no confidence bounds */
    LG_CMP_ERROR_RATE, /* failed requests / requests */
    LG_CMP_RPS,        /* shown, never judged: one figure per run, no samples to test */
    LG_CMP_CHECKS,     /* passed checks / checks; judged on the failed ratio */
    LG_CMP_METRICS     /* how many */
};

/* The judged set when nothing says otherwise: p95, p99 and error_rate (bits 1u << m). */
#define LG_CMP_DEFAULT_METRICS (1u << LG_CMP_P95 | 1u << LG_CMP_P99 | 1u << LG_CMP_ERROR_RATE)

/* "p50", "p90", "p95", "p99", "max", "error_rate", "rps", "checks"; "?" out of range. */
const char *lg_cmp_metric_name(enum lg_cmp_metric m);
/* The metric of that name, or -1. */
int lg_cmp_metric_parse(const char *name);
/* Why m cannot be judged (max, rps): a sentence starting with the metric's name, for
 * messages; NULL when it can. */
const char *lg_cmp_metric_unjudgeable(enum lg_cmp_metric m);

#endif
