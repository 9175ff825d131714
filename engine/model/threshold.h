/* threshold: the threshold grammar of DESIGN.md section 2 (AGG(METRIC{filters})
 * OP VALUE, or METRIC OP VALUE): parses an expression into the model's struct
 * lg_threshold and checks the names it mentions against the suite. */
#ifndef LG_THRESHOLD_H
#define LG_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>

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

/* What a threshold's value (and the observed value) measures. */
enum lg_value_kind {
    LG_VK_DURATION, /* microseconds */
    LG_VK_RATIO,    /* 0..1 */
    LG_VK_RATE,     /* per second */
    LG_VK_COUNT,
};
enum lg_value_kind lg_threshold_value_kind(const struct lg_threshold *t);

/* The unit of the threshold's value in result.json: "ms" (times; the threshold and
 * lg_gate_outcome hold microseconds, divide by 1000), "ratio" (error_rate, checks),
 * "per_s" (rps, rate(...)) or "count" (count(...), dropped). Static string. */
const char *lg_threshold_unit(const struct lg_threshold *t);

/* Whether the metric is a time (latency, ttfb, connect, tls, dns, iteration). */
bool lg_metric_is_time(enum lg_metric m);

/* Whether step st passes every scenario, step and tag filter of t (status is
 * judged per cell, not here). */
bool lg_threshold_selects_step(const struct lg_threshold *t, const struct lg_suite *s,
                               const struct lg_step *st);

/* t's filter of kind k, or NULL. */
const struct lg_filter *lg_threshold_filter(const struct lg_threshold *t, enum lg_filter_kind k);

#endif
