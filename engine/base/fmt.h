/* fmt: durations and counts formatted for the terminal summary and messages.
 * Each writes into the caller's buffer and returns it. */
#ifndef LG_FMT_H
#define LG_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Formats a duration in microseconds compactly for humans ("250ms", "1.5s",
 * "2m30s", "812us") into buf; returns buf. */
char *lg_fmt_duration(int64_t us, char *buf, size_t n);

/* Formats a count with thousands separators ("1,234,567") into buf; returns buf. */
char *lg_fmt_count(uint64_t v, char *buf, size_t n);

#endif
