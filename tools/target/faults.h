/* faults: the target's injected faults, parsed from its flags. Per-route delays
 * (latency distributions and stalls, matched by the longest path prefix, "*" for
 * any route), shares of 500s and connection resets, a missing security header and a broken CORS
 * preflight. */
#ifndef LG_FAULTS_H
#define LG_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define LG_FAULT_MAX_ROUTES 32
#define LG_FAULT_MAX_HEADERS 8

/* One ROUTE=DIST rule: a delay drawn uniformly from [lo_us, hi_us]. */
struct lg_fault_route {
    char prefix[128]; /* a path prefix, or "*" */
    int64_t lo_us, hi_us;
};

struct lg_faults {
    struct lg_fault_route latency[LG_FAULT_MAX_ROUTES];
    size_t n_latency;
    struct lg_fault_route stall[LG_FAULT_MAX_ROUTES];
    size_t n_stall;
    double error_share, reset_share;
    int cors_broken;
    const char *missing_headers[LG_FAULT_MAX_HEADERS]; /* not owned */
    size_t n_missing_headers;
};

/* Parses "ROUTE=DIST" where DIST is a duration ("50ms") or, when allow_range, a
 * uniform range ("20ms..80ms"). Returns 0, or LG_ESYNTAX leaving *out alone. */
int lg_fault_parse_route(const char *arg, int allow_range, struct lg_fault_route *out);
/* The rule whose prefix is the longest one `path` starts with ("*" matching any
 * path, but ranking below every real prefix), or NULL. */
const struct lg_fault_route *lg_fault_match(const struct lg_fault_route *rules, size_t n,
                                            const char *path);
/* The delay for a request on `path`: its latency draw plus its stall, 0 if none. */
int64_t lg_fault_delay_us(const struct lg_faults *f, const char *path, struct lg_rng *rng);
/* 1 when the security header `name` is to be left out (case-insensitive). */
int lg_fault_header_missing(const struct lg_faults *f, const char *name);

#endif
