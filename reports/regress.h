/* regress: how the run's reports (summary.txt, summary.md, junit.xml, report.html)
 * write a metric judged against the baseline (`run --baseline`), with the figures of
 * `loadgate compare` (cmp_units.h), so that every report shows the same ones.
 * Internal to reports/. */
#ifndef LG_REPORT_REGRESS_H
#define LG_REPORT_REGRESS_H

#include <stdbool.h>

#include "result.h"

/* The figures of one judged metric, as text (not escaped or cleaned). */
struct lg_regress_cells {
    char base[64], new[64];       /* "109ms", "0.52%", "-" when the side has none */
    char change[64], rel[32];     /* "+32.6ms", "+29.9%", "-" */
    char base_b[160], new_b[160]; /* "109ms..110ms", a side not bounded "?" */
    char status[16];              /* "ok", "improved", "INCONCLUSIVE", "REGRESSION" */
};

void lg_regress_cells(const struct lg_result_regression *g, struct lg_regress_cells *out);

/* "overall", or "SCENARIO/STEP" (not escaped or cleaned). A new string (caller frees). */
char *lg_regress_label(const struct lg_result_regression *g);

bool lg_regress_is(const struct lg_result_regression *g, const char *status);

/* Whether the baseline's regressions fail the gate (severity critical). */
bool lg_regress_critical(const struct lg_result *r);

/* The heading's line: "judged against BASE (STARTED), budget 10% at 99% confidence,
 * severity critical" (not escaped). A new string (caller frees). */
char *lg_regress_rule_line(const struct lg_result *r);

#endif
