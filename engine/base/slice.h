/* slice: `run --segment K/N`, the K-th of N equal slices of a run's load, striped
 * as k6's execution segments are: of any sequence numbered 0, 1, 2, ... (global
 * VUs, iterations of a budget, open-model arrivals, unique feed rows) the slice
 * takes the items i with i mod N == K - 1, so the N slices are disjoint and their
 * union is exactly the whole. (Not `lg_segment`: schedule.h's piece of a ramp.) */
#ifndef LG_SLICE_H
#define LG_SLICE_H

#include <stdbool.h>
#include <stdint.h>

/* The most segments a run may be split into. */
#define LG_SLICE_MAX 1000

struct lg_slice {
    uint32_t index; /* 0-based: K - 1 */
    uint32_t count; /* N; 0 or 1: the whole run */
};

/* Parses "K/N": two decimal integers (digits only: no sign, space or leading '+'),
 * 1 <= K <= N <= LG_SLICE_MAX. Returns 0 and *out, or LG_ESYNTAX. */
int lg_slice_parse(const char *s, struct lg_slice *out);

/* True when the slice is the whole run (no --segment, or 1/1). */
bool lg_slice_whole(struct lg_slice sl);

/* How many of the items 0 .. total - 1 belong to the slice: floor(total / N) plus
 * one when index < total mod N. The shares of the N slices sum to total. */
uint64_t lg_slice_share(struct lg_slice sl, uint64_t total);

/* The global number of the slice's local item l (0-based): index + l * N. */
uint64_t lg_slice_global(struct lg_slice sl, uint64_t l);

/* Whether global item i belongs to the slice. */
bool lg_slice_has(struct lg_slice sl, uint64_t i);

/* The slice's part of a rate (max_rate / N). */
double lg_slice_rate(struct lg_slice sl, double rate);

#endif
