/* outcome: turns what a run measured into its verdict and its result (the plain
 * data model that every report renders): evaluates each threshold and the rules
 * beside them (result.h LG_RULE_*): the strict default gate when there is no
 * threshold, the failures rule when no critical threshold judges failed requests,
 * the no-response rule always, and the smoke profile's rule. */
#ifndef LG_OUTCOME_H
#define LG_OUTCOME_H

#include "compare.h"
#include "model.h"
#include "result.h"
#include "run.h"

struct lg_outcome_info {
    const char *file;
    const char *env;           /* may be NULL */
    const char *profile;       /* may be NULL */
    const char *base_url;      /* may be NULL */
    uint32_t vus;              /* the closed model's VUs, or the open model's max_vus */
    enum lg_http_version http; /* asked for (LG_HTTP_DEFAULT: 1.1) */
    bool multiplex;
    const char *proxy;          /* host[:port] of the proxy in use, or NULL */
    const char *proxy_variable; /* the variable that named it */
    int64_t max_lateness_us;    /* open model */
    /* the environment's limits and what they capped (paced is filled from the
     * metrics); limits.has false: none */
    struct lg_result_limits limits;
};

/* Builds the result of a run (caller frees with lg_result_free). The verdict fails
 * when a critical threshold or a rule fails:
 * - no thresholds: the strict default gate (default_gate set): any failed request
 *   or check, unsent request, dropped iteration or spent unique feed fails;
 * - thresholds, none critical on error_rate: the same conditions fail (the
 *   failures rule), but for those a critical threshold judges: failed checks and
 *   the requests failed only by a check when one names `checks`, dropped
 *   iterations when one names `dropped`;
 * - always: a run in which no request got a response fails;
 * - with the profile LG_SMOKE_PROFILE (smoke_rule set): any failed check, failed
 *   request or unsent request fails.
 * Each rule that applied is in result->rules with a sentence saying what it found.
 * s's unique feeds are read to name one that ran out (result->feed_note). Its
 * numbers are rounded as result.json holds them (lg_result_settle). */
struct lg_result *lg_outcome_build(const struct lg_suite *s, const struct lg_threshold *th,
                                   size_t n_th, const struct lg_run_report *rep,
                                   const struct lg_outcome_info *info);

/* `run --baseline`: records in r the accepted run it was judged against (file as
 * given, base's start, the budget and confidence of c's options, the severity) and
 * every judged metric of c (overall first, then each step), base's latency histograms
 * (merged, and per step both runs have) for report.html's curves, and adds the rule
 * LG_RULE_BASELINE saying what it found. A regression fails the verdict when
 * `critical`; a warning only reports it; inconclusive never fails; an aborted run
 * stays aborted. Numbers are settled as result.json holds them. */
void lg_outcome_apply_baseline(struct lg_result *r, const struct lg_result *base,
                               const struct lg_comparison *c, const char *file, bool critical);

/* `run --baseline` and `merge --baseline`: compares r with base under the regression
 * settings rs (compare.h's options from them) and applies the comparison as
 * lg_outcome_apply_baseline does. Returns 0, or LG_EINVAL with a message in err when
 * the two cannot be compared (r is then unchanged). */
int lg_outcome_judge_baseline(struct lg_result *r, const struct lg_result *base,
                              const struct lg_result_regset *rs, const char *file, bool critical,
                              char *err, size_t errlen);

/* For a segment of a distributed run (`run --segment`; result.json writes these
 * for segment results only): adds to r what `loadgate merge` needs to judge the
 * merged run as the gate judges a run (mergedata.c, docs/merge.md): each step's
 * tags and cells (requests per status with their histograms), each second's
 * histogram (rep's metrics keep them, keep_second_hists), the open model's lag and
 * wait histograms, and started_unix_ms. What r already holds is kept. */
void lg_outcome_add_merge_data(struct lg_result *r, const struct lg_suite *s,
                               const struct lg_run_report *rep);

/* The process exit code for a verdict: 0 pass, 1 fail, 3 aborted. */
int lg_outcome_exit_code(enum lg_verdict v);

#endif
