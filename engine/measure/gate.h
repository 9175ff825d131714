/* gate: evaluates thresholds (parsed by threshold.h) over merged metrics and
 * decides whether a broken abort threshold stops the run. A gate never passes
 * silently: a threshold with no samples fails. */
#ifndef LG_GATE_H
#define LG_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "model.h"
#include "threshold.h"

struct lg_gate_outcome {
    bool ok;                /* the threshold holds */
    bool no_samples;        /* the metric got no samples (then ok is false) */
    double observed;        /* in the metric's base unit (see struct lg_threshold) */
    char observed_text[48]; /* for humans: "412ms", "0.52%", "123.4/s", "no samples" */
    uint64_t samples;       /* what the value rests on: the selection's time samples
                               (pN, avg, min, max), requests (error_rate, rps, count,
                               rate), check evaluations (checks), iterations due
                               (dropped) */
    const char *samples_of; /* what `samples` counts, plural: "samples", "requests",
                               "iterations", "checks", "scheduled iterations" (static) */
};

/* Evaluates one threshold over merged metrics; duration_s is the span of the run
 * the metrics cover (for rps and rate). */
void lg_gate_eval(const struct lg_threshold *t, const struct lg_suite *s,
                  const struct lg_metrics *m, double duration_s, struct lg_gate_outcome *out);

/* Abort thresholds (abort: true) are evaluated during the run, once a second, over
 * everything measured so far. A broken one stops the run (exit 3) only when the
 * gate's verdict on it is no longer in doubt:
 *
 *  - certain: it is broken, and
 *    - it can only get worse as samples arrive: count, max, p100 and dropped never
 *      fall, min and p0 never rise, so `count(...) < K`, `count(...) == 0` once
 *      above, `max(latency) < X`, `dropped <= K`, `min(...) > X` are certain as
 *      soon as broken (broken the other way, e.g. `count(...) > K`, they never
 *      are: the run may still get there);
 *    - or a ratio at 0% or 100% that one sample broke for good
 *      (`error_rate == 0`, `error_rate <= 0%`, `checks == 100%`, `checks >= 1`);
 *    - or it rests on enough samples (`samples` above) that a few outliers cannot
 *      decide it: at least LG_ABORT_MIN_SAMPLES, and for pN and ratios enough that
 *      the tail deciding them holds LG_ABORT_TAIL_SAMPLES samples at the
 *      threshold: n * min(N, 100 - N) / 100 >= 10 for pN (p50 and p90: 100,
 *      p95: 200, p99: 1,000, p99.9: 10,000), n * min(X, 1 - X) >= 10 for
 *      error_rate or checks against X (error_rate < 5%: 200, < 1%: 1,000,
 *      checks > 99%: 1,000; at 0% or 100%, where one more sample could make it
 *      hold again, 100); avg, rps and rate(...) need 100;
 *  - or, when it sets abort_after, it has been broken at every evaluation over
 *    that much of the run, however few its samples.
 *
 * A threshold with no samples is not broken (it fails at the end), and a warning
 * never aborts (a suite refuses `severity: warning` with `abort: true`). */
#define LG_ABORT_MIN_SAMPLES 100
#define LG_ABORT_TAIL_SAMPLES 10

/* Whether outcome o of threshold t (broken, with samples) is certain by the rule
 * above; false when o holds or has no samples. */
bool lg_gate_certain(const struct lg_threshold *t, const struct lg_gate_outcome *o);

/* One abort threshold's state across the evaluations of a run; zero it first. */
struct lg_abort_watch {
    bool broken;             /* at the last evaluation */
    int64_t broken_since_us; /* span covered at the first of the evaluations since
                                which it has been broken */
};

enum lg_abort_cause {
    LG_ABORT_NONE = 0,
    LG_ABORT_CERTAIN,   /* certainly broken */
    LG_ABORT_PERSISTED, /* broken for abort_after */
};

/* Evaluates threshold t into *out over agg, an aggregate collected during the run
 * that covers its first covered_us microseconds (rates are divided by that span,
 * never by the clock, which is ahead of what was collected), updates *w, and says
 * whether the run must stop now by the rule above: LG_ABORT_NONE (also for a
 * threshold without abort, or a warning), or why it must. */
enum lg_abort_cause lg_gate_abort_due(const struct lg_threshold *t, const struct lg_suite *s,
                                      const struct lg_metrics *agg, int64_t covered_us,
                                      struct lg_abort_watch *w, struct lg_gate_outcome *out);

/* Formats a value of the threshold's metric for humans, as in observed_text. */
void lg_gate_format(const struct lg_threshold *t, double value, char *buf, size_t n);

#endif
