/* slice: the arithmetic of `--segment K/N`. Striping (item i to slice i mod N)
 * rather than contiguous blocks: every prefix of a sequence is split as evenly as
 * it can be, so a ramp's first VUs, or a schedule's first arrivals, spread over
 * the segments from the start. */
#include "slice.h"

#include <stddef.h>

#include "errors.h"

/* Digits only, at most 4 of them (LG_SLICE_MAX has 4), into *v; returns the end. */
static const char *digits(const char *s, uint32_t *v)
{
    const char *p = s;
    uint32_t n = 0;
    while (*p >= '0' && *p <= '9' && p - s < 5)
        n = n * 10 + (uint32_t)(*p++ - '0');
    *v = n;
    return p == s || p - s > 4 ? NULL : p;
}

int lg_slice_parse(const char *s, struct lg_slice *out)
{
    uint32_t k, n;
    const char *p = s ? digits(s, &k) : NULL;
    if (!p || *p != '/' || !(p = digits(p + 1, &n)) || *p)
        return LG_ESYNTAX;
    if (k < 1 || n < 1 || k > n || n > LG_SLICE_MAX)
        return LG_ESYNTAX;
    *out = (struct lg_slice){.index = k - 1, .count = n};
    return LG_OK;
}

bool lg_slice_whole(struct lg_slice sl)
{
    return sl.count <= 1;
}

uint64_t lg_slice_share(struct lg_slice sl, uint64_t total)
{
    if (lg_slice_whole(sl))
        return total;
    return total / sl.count + (sl.index < total % sl.count ? 1 : 0);
}

uint64_t lg_slice_global(struct lg_slice sl, uint64_t l)
{
    return lg_slice_whole(sl) ? l : sl.index + l * sl.count;
}

bool lg_slice_has(struct lg_slice sl, uint64_t i)
{
    return lg_slice_whole(sl) || i % sl.count == sl.index;
}

double lg_slice_rate(struct lg_slice sl, double rate)
{
    return lg_slice_whole(sl) ? rate : rate / sl.count;
}
