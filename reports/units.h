/* units: how the human-facing summaries (summary.txt, summary.md) write a
 * duration, so that both show the same figure for the same value. */
#ifndef LG_REPORT_UNITS_H
#define LG_REPORT_UNITS_H

#include <stddef.h>

/* A duration in milliseconds, compactly with 3 significant digits: "812us",
 * "1.21ms", "20.1ms", "120ms", "1.20s", "12.3s", "2m05s", "1h02m" (a negative or
 * non-finite value reads as 0us). Writes into buf (n bytes) and returns it. */
char *lg_report_fmt_ms(double ms, char *buf, size_t n);

#endif
