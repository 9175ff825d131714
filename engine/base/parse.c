/* parse: durations, rates, byte sizes and counts. Each parser takes the whole
 * string or refuses it, with no sign, exponent or space strtod would accept. */
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

int lg_parse_duration_us(const char *s, int64_t bare_unit_us, int64_t *out_us)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return LG_ESYNTAX;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0)
        return LG_ESYNTAX;
    double unit;
    if (*end == '\0') {
        if (!bare_unit_us)
            return LG_ESYNTAX;
        unit = (double)bare_unit_us;
    } else if (!strcmp(end, "us")) {
        unit = 1;
    } else if (!strcmp(end, "ms")) {
        unit = 1e3;
    } else if (!strcmp(end, "s")) {
        unit = 1e6;
    } else if (!strcmp(end, "m")) {
        unit = 60e6;
    } else if (!strcmp(end, "h")) {
        unit = 3600e6;
    } else {
        return LG_ESYNTAX;
    }
    double us = v * unit;
    if (us > 9.0e15) /* about 285 years: refuse before int64 overflow */
        return LG_ESYNTAX;
    *out_us = (int64_t)llround(us);
    return LG_OK;
}

int lg_parse_rate_per_s(const char *s, double *out)
{
    /* [0-9]*(\.[0-9]*)? with at least one digit: strtod alone would also take a
     * sign, an exponent, spaces, "inf" and "nan" */
    const char *p = s;
    size_t digits = strspn(p, "0123456789");
    p += digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        digits += frac;
        p += 1 + frac;
    }
    double per = 0;
    if (!*p || !strcmp(p, "/s"))
        per = 1;
    else if (!strcmp(p, "/m"))
        per = 60;
    else if (!strcmp(p, "/h"))
        per = 3600;
    if (!digits || !per)
        return LG_ESYNTAX;
    double v = strtod(s, NULL) / per;
    if (!(v <= LG_MAX_RATE_PER_S))
        return LG_ELIMIT;
    *out = v;
    return LG_OK;
}

int lg_parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *name;
        uint64_t bytes;
    } units[] = {
        {"", 1},
        {"B", 1},
        {"kB", 1000},
        {"KB", 1000},
        {"MB", 1000000},
        {"GB", 1000000000},
        {"KiB", 1ULL << 10},
        {"MiB", 1ULL << 20},
        {"GiB", 1ULL << 30},
    };
    size_t digits = s ? strspn(s, "0123456789") : 0;
    if (digits == 0 || digits > 15) /* 15 digits cannot overflow once multiplied */
        return digits ? LG_ELIMIT : LG_ESYNTAX;
    uint64_t v = 0;
    for (size_t i = 0; i < digits; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(s + digits, units[i].name))
            continue;
        if (v > LG_MAX_SIZE_BYTES / units[i].bytes)
            return LG_ELIMIT;
        *out = v * units[i].bytes;
        return LG_OK;
    }
    return LG_ESYNTAX;
}

int lg_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!s || *s < '0' || *s > '9')
        return LG_ESYNTAX;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > max)
        return LG_ESYNTAX;
    *out = v;
    return LG_OK;
}

int lg_parse_percent(const char *s, double *out)
{
    const char *p = s;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        size_t frac = 0;
        while (*p >= '0' && *p <= '9')
            p++, frac++;
        if (!frac)
            return LG_ESYNTAX;
    }
    if (!digits || strcmp(p, "%") != 0)
        return LG_ESYNTAX;
    double v = strtod(s, NULL);
    if (!isfinite(v))
        return LG_ESYNTAX;
    *out = v / 100.0;
    return 0;
}
