/* config: loads suites and scenarios from YAML (libyaml) into the validated model
 * of model.h. Every problem in the input is collected with its FILE:LINE:COL, so a
 * user sees all of a file's mistakes at once. */
#ifndef LG_CONFIG_H
#define LG_CONFIG_H

#include <stdbool.h>

#include "diag.h"
#include "model.h"

struct lg_load_opts {
    const char *env;           /* environment to take vars from; NULL = none */
    const struct lg_var *vars; /* --var k=v, override every other source */
    size_t n_vars;
    bool for_run; /* a run follows: an env.NAME read by a template that
                     the run uses must be set (else it is an error) */
};

/* Loads path: a suite (top-level key `suite:`) or a single scenario (top-level
 * key `scenario:`), which becomes a suite of that one scenario. Scenario files of
 * a suite are resolved relative to the suite's directory. Variables take their
 * value from, lowest first: suite vars, scenario vars, the chosen environment's
 * vars, opts->vars. Returns 0 and *out, or LG_EINVAL after adding every problem
 * found to diags (then *out is untouched). Never exits or aborts on bad input;
 * aliases, anchors and nesting deeper than 64 levels are refused. */
int lg_config_load(const char *path, const struct lg_load_opts *opts, struct lg_suite **out,
                   struct lg_diags *diags);

#endif
