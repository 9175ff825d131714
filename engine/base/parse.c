/* parse: durations, rates, byte sizes and counts. Each parser takes the whole
 * string or refuses it, with no sign, exponent or space strtod would accept. */
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "util.h"

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

/* n digits exactly at *p into *v (advancing *p); false otherwise. */
static bool fixed_digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return true;
}

/* A fraction of a second after the '.' at *p: at least one digit; milliseconds. */
static bool fraction_ms(const char **p, int64_t *ms)
{
    const char *s = *p;
    int64_t v = 0;
    int n = 0;
    while (*s >= '0' && *s <= '9') {
        if (n < 3)
            v = v * 10 + (*s - '0');
        n++;
        s++;
    }
    if (n == 0)
        return false;
    for (int i = n; i < 3; i++)
        v *= 10;
    *p = s;
    *ms = v;
    return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil), without timegm's dependence on TZ or range. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int lg_parse_instant_ms(const char *s, int64_t *out_ms)
{
    if (!s || *s < '0' || *s > '9')
        return LG_ESYNTAX;
    const char *p = s;
    int64_t frac = 0;
    /* Unix seconds: digits only, then an optional fraction */
    size_t nd = strspn(s, "0123456789");
    if (s[nd] == '\0' || s[nd] == '.') {
        if (nd > 12) /* past year 9999 */
            return LG_ESYNTAX;
        int64_t secs = 0;
        for (size_t i = 0; i < nd; i++)
            secs = secs * 10 + (s[i] - '0');
        p = s + nd;
        if (*p == '.') {
            p++;
            if (!fraction_ms(&p, &frac) || *p)
                return LG_ESYNTAX;
        }
        if (secs > 253402300799LL) /* 9999-12-31T23:59:59Z */
            return LG_ESYNTAX;
        *out_ms = secs * 1000 + frac;
        return LG_OK;
    }
    int y, mo, d, h, mi, sec;
    if (!fixed_digits(&p, 4, &y) || *p++ != '-' || !fixed_digits(&p, 2, &mo) || *p++ != '-' ||
        !fixed_digits(&p, 2, &d))
        return LG_ESYNTAX;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return LG_ESYNTAX;
    p++;
    if (!fixed_digits(&p, 2, &h) || *p++ != ':' || !fixed_digits(&p, 2, &mi) || *p++ != ':' ||
        !fixed_digits(&p, 2, &sec))
        return LG_ESYNTAX;
    if (*p == '.') {
        p++;
        if (!fraction_ms(&p, &frac))
            return LG_ESYNTAX;
    }
    int off_min = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (!fixed_digits(&p, 2, &oh) || *p++ != ':' || !fixed_digits(&p, 2, &om) || oh > 23 ||
            om > 59)
            return LG_ESYNTAX;
        off_min = sign * (oh * 60 + om);
    } else {
        return LG_ESYNTAX; /* RFC 3339 requires a zone: a local time is ambiguous */
    }
    if (*p || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || sec > 59)
        return LG_ESYNTAX;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off_min * 60;
    if (t < 0)
        return LG_ESYNTAX;
    *out_ms = t * 1000 + frac;
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
    /* read as NUMBERe-2, so that the fraction is the double nearest to what was
     * written: 99.99 / 100 would give 0.99989999999999990 */
    char *e = lg_asprintf("%.*se-2", (int)(p - s), s);
    double v = strtod(e, NULL);
    free(e);
    if (!isfinite(v))
        return LG_ESYNTAX;
    *out = v;
    return LG_OK;
}
