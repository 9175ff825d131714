/* result: the outcome of a run as plain data (schema loadgate.result/1). The engine
 * builds it at the end of a run; reports render it (report.h); the reader rebuilds
 * it from result.json so that `loadgate report`, `compare` and `merge` need no engine. */
#ifndef LG_RESULT_H
#define LG_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmpmetric.h"
#include "hist.h"

#define LG_RESULT_SCHEMA "loadgate.result/1"

enum lg_verdict { LG_VERDICT_PASS = 0, LG_VERDICT_FAIL, LG_VERDICT_ABORTED };

/* A name with a count: status codes ("200") and error classes ("timeout"). */
struct lg_count {
    char *name;
    uint64_t count;
};

struct lg_result_check {
    char *label;
    uint64_t passed, failed;
    /* Why it failed: up to 3 distinct reasons (name: the reason, count: how many
     * failures gave it), most frequent first; secrets already hidden. Failures
     * whose reason was not kept are in `failed` only, so the counts may sum to
     * less. NULL / 0 when it never failed (or the result predates reasons). */
    struct lg_count *reasons;
    size_t n_reasons;
};

/* Latency figures in milliseconds, from the histogram. */
struct lg_latency_ms {
    double min, p50, p90, p95, p99, p999, max, mean;
};

/* A step's tag (segment results only). */
struct lg_result_tag {
    char *name, *value;
};

/* A step's requests that ended with one status (0: no response), with their
 * histograms V2-encoded (hist.h; NULL: no sample). Segment results only. */
struct lg_result_cell {
    int status;
    uint64_t requests, errors;
    struct lg_count *error_classes; /* non-zero classes only */
    size_t n_error_classes;
    char *latency, *latency_uncorrected, *ttfb, *dns, *connect, *tls;
};

struct lg_result_step {
    char *scenario;
    char *name;
    uint64_t requests, errors;
    uint64_t unsent; /* requests that could not be sent: not in requests or errors */
    struct lg_count *unsent_reasons; /* why, by lg_unsent_name; non-zero only */
    size_t n_unsent_reasons;
    uint64_t retries;         /* extra sends by libcurl after a reused connection closed
                                 unanswered (idempotent methods; not in requests) */
    uint64_t retries_refused; /* such re-sends refused (other methods): each of these
                                 requests failed, class "reset" */
    struct lg_count *status;  /* by status code, ascending; "0" = no response */
    size_t n_status;
    struct lg_count *error_classes; /* non-zero classes only */
    size_t n_error_classes;
    /* Responses by the HTTP version they came in ("HTTP/1.1", "HTTP/2"), in that
     * order; none in results written before protocols were recorded. */
    struct lg_count *protocols;
    size_t n_protocols;
    struct lg_latency_ms latency_ms;
    struct lg_hist *histogram; /* latency in microseconds (owned) */
    /* The phases of a request, summarised from their histograms: time to first
     * byte over the timed requests (as latency_ms); DNS lookup, TCP connect and TLS
     * handshake over the connections opened (a reused connection has none). *_n:
     * how many samples each summary holds; 0: none, the figures are then 0 and the
     * reports show "-" (also in results written before they were recorded). */
    struct lg_latency_ms ttfb_ms, dns_ms, connect_ms, tls_ms;
    uint64_t ttfb_n, dns_n, connect_n, tls_n;
    uint64_t checks_passed, checks_failed;
    struct lg_result_check *checks;
    size_t n_checks;
    /* Open model only: latency_ms and histogram above are corrected for coordinated
     * omission (measured from the scheduled instant); these are the uncorrected
     * figures, measured from the actual start. */
    bool has_uncorrected;
    struct lg_latency_ms latency_uncorrected_ms;
    struct lg_hist *histogram_uncorrected; /* microseconds (owned, may be NULL) */
    /* Segment results only (`run --segment`; none elsewhere): what `loadgate merge`
     * needs to judge thresholds on merged data as the run would have: the step's
     * tags (tag filters) and its requests per status (status filters), each with
     * its own histograms. */
    struct lg_result_tag *tags;
    size_t n_tags;
    struct lg_result_cell *cells; /* ascending status */
    size_t n_cells;
};

struct lg_result_scenario {
    char *name;
    uint64_t iterations;             /* finished */
    uint64_t iterations_failed;      /* failed, finished or interrupted */
    uint64_t iterations_interrupted; /* cut short by the end of the run */
    struct lg_latency_ms iteration_ms;
    struct lg_hist *histogram; /* iteration duration in microseconds (owned) */
    /* Open model only, as in struct lg_result_step: iteration_ms and histogram are
     * measured from the scheduled instant, these from the actual start. */
    bool has_uncorrected;
    struct lg_latency_ms iteration_uncorrected_ms;
    struct lg_hist *histogram_uncorrected; /* microseconds (owned, may be NULL) */
};

struct lg_result_threshold {
    char *expr;
    char *severity; /* "critical" or "warning" */
    bool ok;
    bool no_samples;
    bool abort;
    double observed;     /* in `unit`: milliseconds for times, a ratio 0..1 for
                            error_rate and checks, per second for rps and rate,
                            a count otherwise */
    char *unit;          /* "ms", "ratio", "per_s" or "count" */
    char *observed_text; /* for humans: "412ms", "0.52%", "no samples" */
};

/* A rule of the gate besides the thresholds, as it applied to the run (names below). */
struct lg_result_rule {
    char *name; /* LG_RULE_* */
    bool ok;    /* false: the rule failed the gate */
    char *text; /* for humans, what the rule is and what it found: "no critical threshold
                   names error_rate or checks, so any failed request fails the gate:
                   12 of 12 requests failed (connect 12)" */
};

/* No threshold at all: no request, check or iteration may fail, no step be left
 * unsent, no iteration dropped, no unique feed run out. */
#define LG_RULE_DEFAULT "default"
/* Thresholds, but no critical one names error_rate: the default gate's conditions
 * still apply, so failed requests never pass unseen. A critical threshold on
 * `checks` takes over the failed checks (and the requests failed only by a check),
 * one on `dropped` the dropped iterations. */
#define LG_RULE_FAILURES "failures"
/* Always: a run in which no request got a response fails. */
#define LG_RULE_NO_RESPONSE "no_response"
/* The smoke profile: any failed check, failed request or unsent step fails. */
#define LG_RULE_SMOKE "smoke"
/* With `run --baseline`: the run judged against an accepted one (docs/compare.md);
 * fails the gate when a judged metric regressed and the severity is critical. */
#define LG_RULE_BASELINE "baseline"
/* When the end of the run interrupted iterations: at least one must have finished,
 * or no journey was verified end to end (an `until` still polling, a journey longer
 * than the run). */
#define LG_RULE_COMPLETION "completion"
/* `loadgate merge --allow-partial` with segments missing: the merged data lacks their
 * share of the load, so the gate fails (docs/merge.md). */
#define LG_RULE_PARTIAL "partial"
/* `loadgate merge` of segments whose starts lie further apart than LG_MERGE_SPREAD_S
 * or a tenth of the shortest segment: the whole load never ran at once, so the gate
 * fails (docs/merge.md). */
#define LG_RULE_TOGETHER "together"
#define LG_MERGE_SPREAD_S 2.0

/* A step of the baseline: its latency histogram in microseconds (owned). */
struct lg_result_baseline_step {
    char *scenario, *step;
    struct lg_hist *histogram;
};

/* `run --baseline`: the accepted run this one was judged against. has false: none
 * (every other member zero). */
struct lg_result_baseline {
    bool has;
    char *file;       /* as given on the command line */
    char *started_at; /* the baseline's own start, or NULL */
    double budget;    /* the worsening allowed, a fraction (0.1 = 10%) */
    double confidence;
    char *severity; /* "critical" or "warning" */
    /* The baseline's latency histograms in microseconds (owned), so that report.html
     * can draw its curve from the result alone: every step of the baseline merged
     * (NULL in results written before they were recorded), and one per step both
     * runs have, in the run's order. */
    struct lg_hist *histogram;
    struct lg_result_baseline_step *steps;
    size_t n_steps;
};

/* One judged metric of one row of that comparison. */
struct lg_result_regression {
    char *scenario, *step; /* both NULL for the overall row */
    char *metric;          /* "p95", "error_rate", ... (compare.h's names) */
    char *status;          /* "ok", "improved", "inconclusive", "regression" */
    /* milliseconds for percentiles, a ratio 0..1 for error_rate and checks; has_*
     * false: that side has no value (no sample) */
    bool has_base, has_new;
    double base, new;
    /* the confidence bounds; has_* false: the samples cannot bound that side */
    bool has_base_lo, has_base_hi, has_new_lo, has_new_hi;
    double base_lo, base_hi, new_lo, new_hi;
};

/* Where a regression setting came from (result.json "from"): the run's flag, the
 * suite's `regression:` block, or the default. */
enum lg_regset_from { LG_REGSET_DEFAULT = 0, LG_REGSET_SUITE, LG_REGSET_FLAG };
/* "default", "suite", "flag". */
const char *lg_regset_from_name(enum lg_regset_from f);

/* A step judged otherwise than the suite-level settings (its own `regression:`): what
 * applies to it, in full. */
struct lg_result_regset_step {
    char *scenario, *step;
    double budget;    /* the worsening allowed on this step, a fraction */
    unsigned metrics; /* judged, bits 1u << LG_CMP_* (cmpmetric.h); 0: not judged */
};

/* The regression settings of the run (docs/compare.md): the suite's `regression:`
 * block with the run's --max-regression, --metrics and --confidence over it. has
 * false: the suite has none and no flag was given (the defaults; result.json null). */
struct lg_result_regset {
    bool has;
    double budget;    /* the suite-level budget, a fraction */
    unsigned metrics; /* the suite-level judged set, bits 1u << LG_CMP_*, never 0 */
    double confidence;
    enum lg_regset_from budget_from, metrics_from, confidence_from;
    struct lg_result_regset_step *steps; /* those still judged otherwise (a flag
                                            overrides every step), in suite order */
    size_t n_steps;
};

/* Frees what s owns and zeroes it (has false). */
void lg_result_regset_clear(struct lg_result_regset *s);

/* The steps judged otherwise, for the baseline rule's text: "cmp/board 50%; cmp/noisy
 * not judged; cmp/x 25% on p99, error_rate" (a budget or metrics shown only where
 * they differ from the suite-level ones), or NULL when there is none. A new string
 * (caller frees); names not escaped. */
char *lg_result_regset_overrides(const struct lg_result_regset *s);

struct lg_result_point {
    int64_t t_s;
    uint64_t requests, errors;
    uint32_t vus;
    double p50_ms, p95_ms, p99_ms;
    /* The second's latency histogram, V2-encoded (hist.h), so that `merge` can align
     * segments' seconds and compute exact percentiles over them; written in segment
     * results only (NULL: none). Owned. */
    char *histogram;
};

/* How iterations were started. In the closed model (open false) a fixed number of
 * VUs loop and every other member is zero. In the open model iterations are due at
 * scheduled instants and a pool of at most max_vus VUs serves them. */
struct lg_result_schedule {
    bool open;
    double peak_rate_per_s; /* the highest arrival rate asked for */
    uint32_t max_vus;
    double max_lateness_s;        /* an iteration later than this is dropped */
    uint64_t scheduled;           /* iterations due during the run */
    uint64_t started;             /* iterations started */
    uint64_t dropped;             /* could not start within max_lateness_s */
    struct lg_latency_ms lag_ms;  /* the harness's own scheduling lag: how late it
                                     dispatched a due iteration that had a free VU */
    struct lg_latency_ms wait_ms; /* how long iterations waited for a free VU */
    uint64_t waited;              /* how many iterations had to wait */
    bool sustained;               /* the asked rate was kept */
    /* A plain sentence for humans set by the engine, or NULL: "could not keep the
     * asked rate: 1,234 of 20,000 iterations dropped (no free VU within 10s); raise
     * max_vus" (owned). */
    char *note;
    /* Segment results of the open model only: the lag and wait histograms,
     * V2-encoded (NULL: none), so that `merge` keeps them exact. Owned. */
    char *lag_histogram, *wait_histogram;
};

/* The environment's `limits` and what they did to the run. has is false when the
 * environment set none (every other member is then zero). */
struct lg_result_limits {
    bool has;
    double max_rate_per_s;   /* requests per second in every model; 0: no cap */
    uint32_t max_vus;        /* 0: no cap */
    uint32_t vus_asked;      /* the VUs the flags and profile asked for (the peak of VU
                                stages, or the open model's max_vus) */
    bool vus_capped;         /* vus_asked was above max_vus */
    double rate_asked_per_s; /* open model: the highest arrival rate asked; else 0 */
    bool rate_capped;        /* open model: the arrivals were capped at max_rate */
    uint64_t paced;          /* requests that waited for max_rate before going out */
};

/* One segment a merged result was made from. */
struct lg_result_merged_segment {
    uint32_t index;          /* K of K/N */
    char *file;              /* its result.json as given to merge */
    enum lg_verdict verdict; /* its own verdict, on its data alone */
    char *abort_reason;      /* NULL unless it aborted */
    int64_t started_unix_ms;
    double duration_s;
    uint64_t requests;
};

/* `loadgate merge`: has false for a single run's result. */
struct lg_result_merged {
    bool has;
    uint32_t count;                            /* N of K/N */
    struct lg_result_merged_segment *segments; /* ascending index */
    size_t n_segments;
    uint32_t *missing; /* the indexes not merged (--allow-partial), ascending */
    size_t n_missing;
};

struct lg_result {
    enum lg_verdict verdict;
    char *suite;        /* suite (or single scenario) name */
    char *file;         /* the file that was run */
    char *env;          /* may be NULL */
    char *profile;      /* may be NULL */
    char *base_url;     /* may be NULL */
    char *started_at;   /* ISO 8601 UTC, e.g. "2026-11-22T10:00:00Z" */
    char *abort_reason; /* NULL unless aborted: "interrupted by SIGINT", "abort threshold ..." */
    bool default_gate;  /* no thresholds were given: the strict default gate applied */
    bool smoke_rule;    /* the smoke profile's rule applied: every failed check or
                           request fails the gate, whatever the thresholds say */
    /* The rules that applied besides the thresholds, in the order they are shown;
     * none in results written before rules were recorded (then default_gate and
     * smoke_rule are all there is). */
    struct lg_result_rule *rules;
    size_t n_rules;
    /* The loadgate that ran ("0.1.0"); NULL in results written before it was recorded. */
    char *loadgate_version;
    uint32_t vus;
    /* The HTTP version asked for: "1.1" or "2" (NULL in results written before it
     * was recorded); multiplex: VUs shared HTTP/2 connections. */
    char *http;
    bool multiplex;
    /* The proxy the requests went through, from the environment (NULL: none):
     * host[:port] only, never credentials; proxy_variable names the variable
     * ("https_proxy"). */
    char *proxy;
    char *proxy_variable;
    double duration_s;
    struct lg_result_schedule schedule;
    struct lg_result_limits limits;
    /* totals (iterations, iterations_failed, iterations_interrupted and the retries
     * as in the steps and scenarios) */
    uint64_t requests, errors, iterations, iterations_failed, dropped_iterations;
    uint64_t unsent; /* requests that could not be sent (not in requests) */
    struct lg_count *unsent_reasons;
    size_t n_unsent_reasons;
    uint64_t feed_exhausted; /* VUs stopped early because a unique CSV feed ran out */
    char *feed_note;         /* a sentence saying which feed ran out, or NULL */
    uint64_t iterations_interrupted;
    uint64_t retries, retries_refused;
    uint64_t checks_passed, checks_failed;
    uint64_t connections; /* TCP connections opened (0 in older results) */
    double rps;
    struct lg_count *error_classes;
    size_t n_error_classes;
    struct lg_result_step *steps;
    size_t n_steps;
    struct lg_result_scenario *scenarios;
    size_t n_scenarios;
    struct lg_result_threshold *thresholds;
    size_t n_thresholds;
    struct lg_result_point *series;
    size_t n_series;
    /* `run --baseline` (none in results written before it existed): the accepted run
     * and every judged metric, per step both runs have and overall, in the order
     * compare shows them (overall first). */
    struct lg_result_baseline baseline;
    struct lg_result_regression *regressions;
    size_t n_regressions;
    /* `run --segment K/N` (docs/segments.md): has_segment false for a whole run
     * (result.json "segment": null, or absent in older results); else segment_index
     * is K (1-based, as written) and segment_count N, 1 <= K <= N <= 1000. */
    bool has_segment;
    uint32_t segment_index, segment_count;
    /* "sha256:" and 64 lowercase hex digits: the resolved configuration's identity,
     * equal for every segment of one run; NULL in older results. */
    char *config_hash;
    /* The wall-clock instant (Unix ms) of the run's t = 0 (series t 0); 0 in older
     * results. */
    int64_t started_unix_ms;
    /* `loadgate merge`: the segments this result was merged from (merged.has false:
     * a single run's result). */
    struct lg_result_merged merged;
    /* The regression settings of the run ("regression"; has false in results written
     * before it was recorded, and when the suite has no `regression:` block and no
     * flag set one). */
    struct lg_result_regset regression;
};

const char *lg_verdict_name(enum lg_verdict v); /* "pass", "fail", "aborted" */

/* The precision result.json holds its numbers in (reports/json.c writes them so):
 * lg_result_round(v, 3) rounds to 3 decimals (milliseconds to the microsecond,
 * rates to a thousandth), lg_result_round(v, 6) to 6 (duration_s, to the
 * microsecond), lg_result_sig15(v) to 15 significant digits (any other number).
 * Non-finite values become 0. Each is idempotent, and a value they return is read
 * back from result.json as the same double. */
double lg_result_round(double v, int decimals);
double lg_result_sig15(double v);

/* Rounds every number of r to the precision result.json holds it in (above), and
 * makes every string well-formed UTF-8 as result.json holds it (a stray byte
 * becomes U+FFFD), so that the engine's result and the one read back from its
 * result.json are equal: every report rendered from either is the same bytes
 * (`loadgate report`). */
void lg_result_settle(struct lg_result *r);

/* Fills a struct lg_latency_ms from a histogram of microseconds. */
void lg_latency_from_hist(const struct lg_hist *h, struct lg_latency_ms *out);

/* Frees everything the result owns, and the struct. Accepts NULL. */
void lg_result_free(struct lg_result *r);

/* Reads result.json. Returns 0 and *out, or LG_ESYNTAX/LG_EIO with a message in err. */
int lg_result_read_json(const char *path, struct lg_result **out, char *err, size_t errlen);

/* Like lg_result_read_json, from len bytes of JSON text in memory; `name` (NULL:
 * "result.json") starts every message. Messages name the file and the key:
 * "NAME: missing key 'totals'", "NAME: steps[1].latency_ms.p95: expected a number",
 * "NAME:LINE:COL: invalid JSON: ...". Keys outside DESIGN.md's required set may be
 * absent (zero, false, or "" for names; NULL for env, profile, base_url,
 * abort_reason and feed_note; no rules; no reasons for a check without "reasons",
 * whose entries each need "text" and "count"; no limits when "limits" is absent or
 * null, and a member of it that is absent or null reads as 0). A result without "schedule" (written
 * before the open model) is a closed-model one; with it, "model" ("open" or
 * "closed") is required, and in the open model so is every other key of the
 * schedule but "note". Uncorrected figures are read only in the open model
 * (elsewhere they are ignored like any unknown key); a step or scenario with either
 * of its two uncorrected keys needs both. A step's "ttfb_ms", "dns_ms", "connect_ms"
 * and "tls_ms" may be absent or null (no sample: *_n 0); an object needs "count" and
 * the keys of latency_ms. *out is written only on success and owned
 * by the caller (lg_result_free). */
int lg_result_from_json(const char *text, size_t len, const char *name, struct lg_result **out,
                        char *err, size_t errlen);

#endif
