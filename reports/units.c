/* units: the duration format shared by the text and Markdown summaries (see
 * units.h). */
#include "units.h"

#include <math.h>
#include <stdio.h>

/* v in [0, 999.5) with 3 significant digits (2 decimals below 10, 1 below 100). */
static void fmt3(double v, const char *unit, char *buf, size_t n)
{
    int decimals = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
    snprintf(buf, n, "%.*f%s", decimals, v, unit);
}

char *lg_report_fmt_ms(double ms, char *buf, size_t n)
{
    double us = isfinite(ms) && ms > 0 ? ms * 1000.0 : 0.0;
    if (us < 999.5) {
        snprintf(buf, n, "%.0fus", us);
    } else if (us < 999.5e3) {
        fmt3(us / 1e3, "ms", buf, n);
    } else if (us < 59.95e6) {
        fmt3(us / 1e6, "s", buf, n);
    } else if (us < 3599.5e6) {
        long long s = llround(us / 1e6);
        snprintf(buf, n, "%lldm%02llds", s / 60, s % 60);
    } else {
        long long m = llround(us / 60e6);
        snprintf(buf, n, "%lldh%02lldm", m / 60, m % 60);
    }
    return buf;
}
