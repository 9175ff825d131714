/* parse: the small values users write in flags and files: durations, rates,
 * byte sizes and counts, each parsed whole or refused. */
#ifndef LG_PARSE_H
#define LG_PARSE_H

#include <stdint.h>

/* Parses a duration: a non-negative number followed by a unit, one of us, ms, s, m,
 * h ("500ms", "1.5s", "2m"). A bare number is refused unless `bare_unit_us` is
 * non-zero, in which case it is taken in that unit. Returns 0 and writes *out_us, or
 * LG_ESYNTAX. */
int lg_parse_duration_us(const char *s, int64_t bare_unit_us, int64_t *out_us);

/* The highest arrival rate loadgate accepts anywhere (flags and files). */
#define LG_MAX_RATE_PER_S 10000000

/* Parses an arrival rate: a non-negative decimal number (digits, an optional
 * fraction; no sign, exponent or spaces) then "/s", "/m", "/h" or nothing (per
 * second): "50/s", "3000/m", "0.5". Returns 0 and *out in iterations per second,
 * LG_ESYNTAX for anything else, or LG_ELIMIT above LG_MAX_RATE_PER_S. */
int lg_parse_rate_per_s(const char *s, double *out);

/* The largest byte size lg_parse_size accepts (1 TiB). */
#define LG_MAX_SIZE_BYTES (1ULL << 40)

/* Parses a byte size: a decimal integer (digits only) then an optional unit, one of
 * B, kB, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024): "8MiB",
 * "500kB", "1048576". Returns 0 and writes *out, LG_ESYNTAX for anything else, or
 * LG_ELIMIT above LG_MAX_SIZE_BYTES. */
int lg_parse_size(const char *s, uint64_t *out);

/* Parses a percentage: digits, an optional fraction, then '%' ("10%", "2.5%", "0%").
 * Returns 0 and *out as a fraction of 1 (0.1), or LG_ESYNTAX for anything else
 * ("10", "-5%", "%", "1e2%", " 5%"). */
int lg_parse_percent(const char *s, double *out);

/* Parses a non-negative decimal integer that fits in long long, the whole string. */
int lg_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* Parses an instant (`run --start-at`): RFC 3339 with a time zone
 * ("2026-12-06T14:00:00Z", "2026-12-06T15:00:00.250+01:00"; 't', 'z' and a space
 * for 'T' accepted, a leap second :60 refused) or Unix seconds with an optional
 * fraction ("1796565600", "1796565600.25"), from 1970 to 9999. Digits past the
 * millisecond are dropped. Returns 0 and *out_ms (Unix milliseconds), or LG_ESYNTAX. */
int lg_parse_instant_ms(const char *s, int64_t *out_ms);

#endif
