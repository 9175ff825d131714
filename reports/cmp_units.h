/* cmp_units: how the comparison reports (text, Markdown, JUnit) write a metric's
 * value, its change, its bounds and a row's name, so that they all show the same
 * figures. Internal to reports/. */
#ifndef LG_REPORT_CMP_UNITS_H
#define LG_REPORT_CMP_UNITS_H

#include <stddef.h>

#include "compare.h"

/* A value of metric m: "12.3ms", "0.52%" (error rate, check pass ratio), "1,234.5/s";
 * "-" when !has. Writes into buf (n bytes) and returns it. */
char *lg_cmp_fmt_value(enum lg_cmp_metric m, bool has, double v, char *buf, size_t n);

/* The absolute change, signed: "+3.01ms", "+1.90pt" (percentage points), "-12.0/s";
 * "-" when it is not a number. Writes into buf and returns it. */
char *lg_cmp_fmt_change(enum lg_cmp_metric m, double abs_change, char *buf, size_t n);

/* The relative change, signed with one decimal: "+30.4%"; "-" when not a number
 * (a side without the value, or a base of 0). Writes into buf and returns it. */
char *lg_cmp_fmt_rel(double rel_change, char *buf, size_t n);

/* Bounds as "10.1ms..10.4ms", a side the samples cannot bound as "?". Writes into
 * buf and returns it. */
char *lg_cmp_fmt_bounds(enum lg_cmp_metric m, const struct lg_cmp_bounds *b, char *buf, size_t n);

/* The confidence as people write it: "99%", "99.9%". Writes into buf and returns it. */
char *lg_cmp_fmt_percent(double v, char *buf, size_t n);

/* A row's name: "overall", or "SCENARIO/STEP" as the result has them (not cleaned or
 * escaped). A new string (caller frees). */
char *lg_cmp_row_label(const struct lg_cmp_row *row);

/* Whether the metric is judged by the comparison's suite-level options (a cell of a
 * row: lg_cmp_cell_judged, which a step's own settings may change). */
bool lg_cmp_judged(const struct lg_comparison *c, enum lg_cmp_metric m);

#endif
