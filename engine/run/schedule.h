/* schedule: a load shape as a function of time: the arrival rate of the open model
 * (when is iteration i due?) or the VU count of the closed model, both as piecewise
 * linear stages (ramp ... to, hold). Pure arithmetic, shared read-only by workers. */
#ifndef LG_SCHEDULE_H
#define LG_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct lg_segment {
    int64_t t0_us, t1_us; /* [t0, t1) */
    double v0, v1;        /* value at t0 and (approached) at t1 */
    double a0;            /* arrivals due before t0 (integral of the rate) */
};

struct lg_schedule {
    struct lg_segment *segs;
    size_t n_segs;
    int64_t duration_us; /* end of the last segment */
    double peak;         /* largest value anywhere */
};

/* Builds a schedule that starts at `start` and follows the stages; with no stages,
 * the value stays `start` for duration_us. Never fails. Free with
 * lg_schedule_free. */
void lg_schedule_init(struct lg_schedule *s, double start, const struct lg_stage *stages,
                      size_t n_stages, int64_t duration_us);
void lg_schedule_free(struct lg_schedule *s);

/* The value (rate per second, or VUs) at t_us; 0 after the end. */
double lg_schedule_value(const struct lg_schedule *s, int64_t t_us);

/* The instant of arrival i (0-based), in microseconds from the start, for a rate
 * schedule: arrival i is due when the integral of the rate reaches i + 0.5 (a
 * constant 50/s gives 10ms, 30ms, 50ms, ...). Returns -1 when arrival i is not due
 * before the end. */
int64_t lg_schedule_arrival_us(const struct lg_schedule *s, uint64_t i);

/* How many arrivals are due before the end. */
uint64_t lg_schedule_arrivals(const struct lg_schedule *s);

#endif
