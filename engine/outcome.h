/* outcome: turns what a run measured into its verdict and its result (the plain
 * data model that every report renders): evaluates each threshold, or the strict
 * default gate when there is none. */
#ifndef LG_OUTCOME_H
#define LG_OUTCOME_H

#include "model.h"
#include "result.h"
#include "run.h"

struct lg_outcome_info {
    const char *file;
    const char *env;         /* may be NULL */
    const char *profile;     /* may be NULL */
    const char *base_url;    /* may be NULL */
    uint32_t vus;            /* the closed model's VUs, or the open model's max_vus */
    int64_t max_lateness_us; /* open model */
};

/* Builds the result of a run (caller frees with lg_result_free). */
struct lg_result *lg_outcome_build(const struct lg_suite *s, const struct lg_threshold *th,
                                   size_t n_th, const struct lg_run_report *rep,
                                   const struct lg_outcome_info *info);

/* The process exit code for a verdict: 0 pass, 1 fail, 3 aborted. */
int lg_outcome_exit_code(enum lg_verdict v);

#endif
