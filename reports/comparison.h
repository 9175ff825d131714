/* comparison: renders a comparison of two runs (compare.h) for `loadgate compare`: a
 * text table for the terminal, GitHub-flavoured Markdown, JUnit XML and JSON (schema
 * loadgate.comparison/1, docs/compare.md). Like the other reports, they read only the
 * comparison and the two results, never the engine. */
#ifndef LG_REPORT_COMPARISON_H
#define LG_REPORT_COMPARISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "compare.h"
#include "result.h"

#define LG_COMPARISON_SCHEMA "loadgate.comparison/1"

/* What a comparison report shows: the comparison, the two results it came from and
 * how the command line named them (none owned). fail_on_inconclusive: inconclusive
 * metrics fail the comparison (JUnit failures, the verdict says so). */
struct lg_cmp_doc {
    const struct lg_comparison *c;
    const struct lg_result *base, *new;
    const char *base_path, *new_path;
    bool fail_on_inconclusive;
    /* The "settings:" line of the text and the Markdown (which budget, metrics and
     * confidence applied and where each came from), or NULL: no such line. */
    const char *settings;
};

/* How many judged cells (metric of a row, the overall row included) have each status,
 * indexed by enum lg_cmp_status (not_judged stays 0). */
struct lg_cmp_tally {
    size_t n[LG_CMP_REGRESSION + 1];
};
void lg_cmp_tally(const struct lg_comparison *c, struct lg_cmp_tally *out);

/* Whether the comparison fails the gate: a regression, or an inconclusive metric when
 * fail_on_inconclusive. */
bool lg_cmp_doc_failed(const struct lg_cmp_doc *d);

/* The one-line verdict, without a newline (caller frees): "no regression (6 ok)",
 * "regression: 2 (svc/slow p95, svc/slow p99)", and the inconclusive metrics counted
 * and named after either ("...; 3 INCONCLUSIVE, too few samples to tell: ..."), the
 * steps of one side only counted. Names are not escaped: the caller does that for its
 * format. */
char *lg_cmp_verdict_line(const struct lg_cmp_doc *d);

/* The comparison as text for a terminal: the two runs, the options, a table per row
 * (overall first, then the steps in NEW's order) with base, new, the change, the
 * judged metrics' bounds and status, what one side only has, then the verdict line.
 * Control characters in names are shown as '?', bytes that are not well-formed UTF-8
 * as U+FFFD. */
void lg_cmp_report_text(const struct lg_cmp_doc *d, FILE *f);

/* GitHub-flavoured Markdown (for a pull-request comment or a job summary), a new
 * string (caller frees): the verdict, one table of every row and metric, and what
 * one side only has. Every name is escaped to stay in its cell (lg_esc_md). Aborts when out of
 * memory. */
char *lg_cmp_report_markdown(const struct lg_cmp_doc *d);

/* JUnit XML, a new string (caller frees): a test suite per row, a test case per
 * judged metric; a regression is a failure, an inconclusive metric a skipped case
 * (a failure with fail_on_inconclusive), ok and improved pass. Steps of one side only
 * are skipped cases of the suite "one side only". */
char *lg_cmp_report_junit(const struct lg_cmp_doc *d);

/* JSON, schema loadgate.comparison/1 (docs/compare.md), a new string ending in a
 * newline (caller frees). */
char *lg_cmp_report_json(const struct lg_cmp_doc *d);

/* Each writes its document to path atomically. Returns 0, or LG_EIO with errno set. */
int lg_cmp_report_markdown_file(const struct lg_cmp_doc *d, const char *path);
int lg_cmp_report_junit_file(const struct lg_cmp_doc *d, const char *path);
int lg_cmp_report_json_file(const struct lg_cmp_doc *d, const char *path);

#endif
