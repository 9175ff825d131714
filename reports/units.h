/* units: how the human-facing reports (summary.txt, summary.md, report.html) write
 * a duration, a rate and a threshold's observed value, so that all of them show the
 * same figure for the same value. */
#ifndef LG_REPORT_UNITS_H
#define LG_REPORT_UNITS_H

#include <stddef.h>
#include <stdio.h>

#include "result.h"

/* A duration in milliseconds, compactly with 3 significant digits: "812us",
 * "1.21ms", "20.1ms", "120ms", "1.20s", "12.3s", "2m05s", "1h02m" (a negative or
 * non-finite value reads as 0us). Writes into buf (n bytes) and returns it. */
char *lg_report_fmt_ms(double ms, char *buf, size_t n);

/* A rate with one decimal and thousands separators ("1,234.5"), or three decimals
 * below 0.1/s so that a slow run does not read as "0.0" ("0.008"); a negative or
 * non-finite value reads as 0. Writes into buf (n bytes) and returns it. */
char *lg_report_fmt_rate(double v, char *buf, size_t n);

/* A threshold's observed value for humans: "no samples" when it had none, else the
 * result's observed_text as it is (not escaped or cleaned: the caller does that for
 * its format), else the value in its unit ("412ms", "0.52%", "12.5/s", "3").
 * Returns a new string (caller frees). */
char *lg_report_observed(const struct lg_result_threshold *t);

/* How a rule of the gate is named for humans ("strict default gate", "failures
 * rule", ...), by its LG_RULE_* name; NULL for a name loadgate does not know (a
 * newer or hand-made result: the caller shows the name itself). */
const char *lg_report_rule_label(const char *name);

/* A merged result's segments (`loadgate merge`), for a summary line: "segments 1,
 * 2, 3 of 3", or "segments 1, 3 of 3 · MISSING 2" (no newline). Only for
 * r->merged.has. */
void lg_report_merged_line(const struct lg_result *r, FILE *f);

#endif
