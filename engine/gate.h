/* gate: thresholds. Parses the threshold grammar of DESIGN.md section 2
 * (AGG(METRIC{filters}) OP VALUE, or METRIC OP VALUE), checks that every name
 * exists in the suite, evaluates thresholds over merged metrics and decides the
 * verdict. A gate never passes silently: a threshold with no samples fails. */
#ifndef LG_GATE_H
#define LG_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "model.h"

/* Parses expr into *out (syntax only; names are checked by lg_threshold_resolve).
 * out->expr is a copy of expr; out->loc is left zeroed for the caller to fill; the
 * severity is critical and abort false. Returns 0, or LG_ESYNTAX with a message
 * in err and the 0-based byte offset of the problem in *err_off. On error *out
 * holds nothing to free. */
int lg_threshold_parse(const char *expr, struct lg_threshold *out, char *err, size_t errlen,
                       int *err_off);

/* Checks the threshold's names against the suite: scenario=, step= (a step name
 * in any scenario, or "SCENARIO.STEP"), tag.NAME= (some step has that tag with
 * that value). Returns 0, or LG_EINVAL with a message in err. */
int lg_threshold_resolve(const struct lg_threshold *t, const struct lg_suite *s, char *err,
                         size_t errlen);

struct lg_gate_outcome {
    bool ok;                /* the threshold holds */
    bool no_samples;        /* the metric got no samples (then ok is false) */
    double observed;        /* in the metric's base unit (see struct lg_threshold) */
    char observed_text[48]; /* for humans: "412ms", "0.52%", "123.4/s", "no samples" */
};

/* Evaluates one threshold over merged metrics; duration_s is the run's length
 * (for rps and rate). */
void lg_gate_eval(const struct lg_threshold *t, const struct lg_suite *s,
                  const struct lg_metrics *m, double duration_s, struct lg_gate_outcome *out);

/* Formats a value of the threshold's metric for humans, as in observed_text. */
void lg_gate_format(const struct lg_threshold *t, double value, char *buf, size_t n);

/* The unit of the threshold's value in result.json: "ms" (times; the threshold and
 * lg_gate_outcome hold microseconds, divide by 1000), "ratio" (error_rate, checks),
 * "per_s" (rps, rate(...)) or "count" (count(...), dropped). Static string. */
const char *lg_threshold_unit(const struct lg_threshold *t);

#endif
