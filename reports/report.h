/* report: renders a result (result.h): result.json and the text summary. The
 * renderers read only the result, never the engine. */
#ifndef LG_REPORT_H
#define LG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "result.h"

/* Writes result.json to path atomically (a temporary file in the same directory,
 * then rename). Returns 0, or LG_EIO with errno set. */
int lg_result_write_json(const struct lg_result *r, const char *path);
/* Serialises to a new string ending in a newline (caller frees). Durations and rates
 * are written with at most 3 decimals (milliseconds: whole microseconds), the run's
 * duration_s with 6 (whole microseconds), other
 * numbers with 15 significant digits, non-finite numbers as 0, NULL names as ""
 * and NULL env/profile/base_url/abort_reason/schedule.note/feed_note as null;
 * "rules" follows "smoke_rule" (an empty array when there are none); a NULL
 * histogram is written as an empty one. "schedule" follows "config": in the closed
 * model it holds only {"model": "closed"}; in the open model every member of
 * struct lg_result_schedule, and the steps and scenarios with has_uncorrected also
 * carry their uncorrected figures (latency_uncorrected_ms after latency_ms,
 * iteration_uncorrected_ms after iteration_ms, histogram_uncorrected after
 * histogram). "limits" follows "schedule": null when limits.has is false, else
 * every member of struct lg_result_limits but `has` ("requests_paced" for paced),
 * with max_rate_per_s, max_vus and rate_asked_per_s null when 0. Each entry of a
 * step's checks.list carries "reasons": an array (empty
 * when there are none) of {"text", "count"}. After latency_ms (and
 * latency_uncorrected_ms) each step carries "ttfb_ms", "dns_ms", "connect_ms" and
 * "tls_ms": {"count", then the keys of latency_ms}, or null when its *_n is 0.
 * A result whose numbers already fit
 * that form (as every result the engine builds does) reads back exactly. */
char *lg_result_to_json(const struct lg_result *r);

/* The end-of-run terminal summary: a header counting finished and interrupted
 * iterations apart (and, when the environment had limits, a line saying them and
 * what they capped or paced), a per-step table (count, rps, p50/p90/p95/p99/max or "-" for a
 * step with no time sample, errors, unsent when some request could not be sent,
 * checks), the errors by class and the unsent count, libcurl's retries (made and
 * refused) when there were any, a spent feed's note, each threshold with its
 * observed value and a mark, each rule with its mark and sentence (older results:
 * the default gate and smoke lines), then the verdict. In the open model the
 * table's figures are the corrected ones; below it
 * come each step's uncorrected figures, one line on the schedule (due, started,
 * dropped, waits for a VU, the harness's lag) and, when the asked rate was not
 * kept or the engine left a note, that note. `color` adds ANSI colours. */
void lg_report_text(const struct lg_result *r, FILE *f, bool color);

/* Writes the text summary to path atomically (summary.txt). */
int lg_report_text_file(const struct lg_result *r, const char *path);

/* Writes summary.md to path atomically: GitHub-flavoured Markdown for a pull-request
 * comment or a job summary (docs/reports.md). The verdict (with the abort reason),
 * the run's shape, the thresholds and rules with marks and observed values, the
 * per-step table, failed checks with their reasons and counts, errors by class and
 * unsent reasons; every text from the suite or a server is escaped so that it stays
 * in its table cell and renders as text. Returns 0, or LG_EIO with errno set. */
int lg_report_markdown_file(const struct lg_result *r, const char *path);

/* Writes junit.xml to path atomically (docs/reports.md): suite "rules" (the case
 * "run", failed when aborted, then each rule), "thresholds" (a warning never
 * fails) and "checks: SCENARIO" (a case per check, its failure with the sampled
 * reasons), every string escaped for XML 1.0. Returns 0, or LG_EIO with errno set. */
int lg_report_junit_file(const struct lg_result *r, const char *path);
/* The same document as a new string (caller frees). */
char *lg_report_junit(const struct lg_result *r);

/* report.html as a new string (caller frees): one self-contained page (docs/reports.md)
 * with the verdict first (the abort reason when aborted), the run's metadata, the
 * gate, latency percentiles, requests/s, errors and active VUs over time
 * (downsampled to at most 600 points per chart), the percentile distribution
 * overall and per step, the per-step table with the request phases, failed checks,
 * errors and the open model's schedule. It loads nothing: its Content-Security-Policy
 * allows only its own style and script by their SHA-256. Built from the result
 * alone (no clock, no environment), so a result renders to the same bytes; every
 * text from the suite or a server is escaped. */
char *lg_report_html(const struct lg_result *r);
/* Writes lg_report_html's page to path atomically. Returns 0, or LG_EIO with errno set. */
int lg_report_html_file(const struct lg_result *r, const char *path);
/* The summary.md document (lg_report_markdown_file) as a new NUL-terminated
 * string, byte for byte what that function writes (caller frees). Used to append
 * the summary to $GITHUB_STEP_SUMMARY. Aborts when out of memory. */
char *lg_report_markdown(const struct lg_result *r);

#endif
