/* faults: parsing the injected-fault flags (ROUTE=VALUE or ROUTE=MIN..MAX) and
 * matching a request's path to its rule, the longest prefix winning. */
#include "faults.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int lg_fault_parse_route(const char *arg, int allow_range, struct lg_fault_route *out)
{
    const char *eq = arg ? strrchr(arg, '=') : NULL;
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(out->prefix))
        return LG_ESYNTAX;
    if (arg[0] != '/' && !(eq - arg == 1 && arg[0] == '*'))
        return LG_ESYNTAX;
    struct lg_fault_route r = {0};
    memcpy(r.prefix, arg, (size_t)(eq - arg));
    const char *dist = eq + 1, *dots = strstr(dist, "..");
    if (dots) {
        char lo[64];
        if (!allow_range || (size_t)(dots - dist) >= sizeof(lo))
            return LG_ESYNTAX;
        memcpy(lo, dist, (size_t)(dots - dist));
        lo[dots - dist] = '\0';
        if (lg_parse_duration_us(lo, 0, &r.lo_us) != 0 ||
            lg_parse_duration_us(dots + 2, 0, &r.hi_us) != 0 || r.hi_us < r.lo_us)
            return LG_ESYNTAX;
    } else {
        if (lg_parse_duration_us(dist, 0, &r.lo_us) != 0)
            return LG_ESYNTAX;
        r.hi_us = r.lo_us;
    }
    *out = r;
    return 0;
}

const struct lg_fault_route *lg_fault_match(const struct lg_fault_route *rules, size_t n,
                                            const char *path)
{
    const struct lg_fault_route *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rules[i].prefix, "*") == 0) {
            if (!best)
                best = &rules[i];
            continue;
        }
        size_t len = strlen(rules[i].prefix);
        if (strncmp(path, rules[i].prefix, len) == 0 && len > best_len) {
            best = &rules[i];
            best_len = len;
        }
    }
    return best;
}

static int64_t draw(const struct lg_fault_route *r, struct lg_rng *rng)
{
    if (!r)
        return 0;
    return r->lo_us == r->hi_us ? r->lo_us : lg_rng_range(rng, r->lo_us, r->hi_us);
}

int64_t lg_fault_delay_us(const struct lg_faults *f, const char *path, struct lg_rng *rng)
{
    return draw(lg_fault_match(f->latency, f->n_latency, path), rng) +
           draw(lg_fault_match(f->stall, f->n_stall, path), rng);
}

int lg_fault_header_missing(const struct lg_faults *f, const char *name)
{
    for (size_t i = 0; i < f->n_missing_headers; i++)
        if (strcasecmp(f->missing_headers[i], name) == 0)
            return 1;
    return 0;
}
