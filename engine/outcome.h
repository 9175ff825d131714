/* outcome: turns what a run measured into its verdict and its result (the plain
 * data model that every report renders): evaluates each threshold, or the strict
 * default gate when there is none, and the smoke profile's rule. */
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

/* The profile whose runs fail on any failed check or request (result smoke_rule). */
#define LG_SMOKE_PROFILE "smoke"

/* Builds the result of a run (caller frees with lg_result_free). With the profile
 * LG_SMOKE_PROFILE, any failed check or failed request fails the verdict even when
 * every threshold holds, and the result's smoke_rule is set. */
struct lg_result *lg_outcome_build(const struct lg_suite *s, const struct lg_threshold *th,
                                   size_t n_th, const struct lg_run_report *rep,
                                   const struct lg_outcome_info *info);

/* The process exit code for a verdict: 0 pass, 1 fail, 3 aborted. */
int lg_outcome_exit_code(enum lg_verdict v);

#endif
