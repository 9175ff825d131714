/* fmt: compact durations ("1.5s", "2m30s") and counts with thousands separators,
 * written into caller buffers so that reports format without allocating. */
#include "fmt.h"

#include <stdio.h>

char *lg_fmt_duration(int64_t us, char *buf, size_t n)
{
    if (us < 1000)
        snprintf(buf, n, "%lldus", (long long)us);
    else if (us < 1000000)
        snprintf(buf, n, "%.4gms", us / 1e3);
    else if (us < 60000000)
        snprintf(buf, n, "%.4gs", us / 1e6);
    else if (us % 60000000 == 0)
        snprintf(buf, n, "%lldm", (long long)(us / 60000000));
    else
        snprintf(buf, n, "%lldm%.3gs", (long long)(us / 60000000), (us % 60000000) / 1e6);
    return buf;
}

char *lg_fmt_count(uint64_t v, char *buf, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    if (n)
        buf[o < n ? o : n - 1] = '\0';
    return buf;
}
