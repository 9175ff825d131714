/* policy: what a run may do and how it is shaped, decided from the flags, the
 * profile and the environment before anything is sent (DESIGN.md section 1):
 * the load shape, the environment's limits, the production interlock, and the
 * refusals of a run that could not be measured. */
#ifndef LG_POLICY_H
#define LG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "result.h"
#include "run.h"
#include "util.h"

/* The load the command line asks for: a count or duration not given is -1, a
 * rate not given 0. */
struct lg_load_flags {
    long long vus;
    long long max_vus;
    long long iterations;
    double rate_per_s;
    int64_t duration_us;
    int64_t max_lateness_us;
};

/* Shapes the run into *o (open or closed model, VUs, stages, duration,
 * iterations, max_lateness, scenarios in turn for the smoke profile) from the
 * flags, which override the profile (prof may be NULL). Returns 0, or LG_EINVAL
 * with the reason in err (a flag that does not fit the model). o's other fields
 * are left alone; its stages point into prof. */
int lg_policy_load_shape(const struct lg_load_flags *a, const struct lg_profile *prof,
                         struct lg_run_opts *o, char *err, size_t errlen);

/* Caps *o by the environment's limits (env may be NULL: nothing to do), says so
 * on stderr, and records what it did in *lim. Capped rate stages are copied into
 * *stages_copy, which the caller frees. */
void lg_policy_apply_limits(const struct lg_environment *env, struct lg_run_opts *o,
                            struct lg_stage **stages_copy, struct lg_result_limits *lim);

/* The production interlock: NULL when the run may go on, else why it may not (a
 * protected environment without yes_production), which the caller frees. The
 * refusal is an abort: exit 3, nothing sent. */
char *lg_policy_protected_refusal(const struct lg_environment *env, bool yes_production);

/* The first step whose URL is a constant relative path (it needs a base URL), or
 * NULL. */
const struct lg_step *lg_policy_needs_base_url(const struct lg_suite *s);

/* The URL whose route the run reports (lg_proxy_for_url): base_url, else the
 * first step's constant URL rendered into b; NULL when neither is known before
 * the run. */
const char *lg_policy_route_url(const struct lg_suite *s, const char *base_url, struct lg_buf *b);

/* Refuses HTTP/2 over plain http:// (h2c) on a libcurl that breaks reused h2c
 * connections, when the base URL or a step's constant URL is http://. Returns 0,
 * or LG_EINVAL with the reason in err. */
int lg_policy_check_h2c(const struct lg_run_opts *o, const struct lg_suite *s, char *err,
                        size_t errlen);

#endif
