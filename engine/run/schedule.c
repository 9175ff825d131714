/* schedule: piecewise linear load shapes. The rate integrates to a piecewise
 * quadratic arrival count, so the instant of any arrival is a closed-form root of
 * its index alone: the run's one clock keeps no per-arrival state. */
#include "schedule.h"

#include <math.h>
#include <stdlib.h>

#include "util.h"

void lg_schedule_init(struct lg_schedule *s, double start, const struct lg_stage *stages,
                      size_t n_stages, int64_t duration_us)
{
    s->n_segs = n_stages ? n_stages : 1;
    s->segs = lg_calloc(s->n_segs, sizeof(*s->segs));
    s->peak = start;
    if (!n_stages) {
        s->segs[0] = (struct lg_segment){0, duration_us, start, start, 0};
        s->duration_us = duration_us;
        return;
    }
    int64_t t = 0;
    double v = start, a = 0;
    for (size_t i = 0; i < n_stages; i++) {
        double to = stages[i].hold ? v : stages[i].target;
        struct lg_segment *g = &s->segs[i];
        *g = (struct lg_segment){t, t + stages[i].duration_us, v, to, a};
        a += (v + to) / 2 * (double)stages[i].duration_us / 1e6;
        t = g->t1_us;
        v = to;
        if (v > s->peak)
            s->peak = v;
    }
    s->duration_us = t;
}

void lg_schedule_free(struct lg_schedule *s)
{
    free(s->segs);
    s->segs = NULL;
    s->n_segs = 0;
}

double lg_schedule_value(const struct lg_schedule *s, int64_t t_us)
{
    for (size_t i = 0; i < s->n_segs; i++) {
        const struct lg_segment *g = &s->segs[i];
        if (t_us >= g->t0_us && t_us < g->t1_us) {
            double f = (double)(t_us - g->t0_us) / (double)(g->t1_us - g->t0_us);
            return g->v0 + (g->v1 - g->v0) * f;
        }
    }
    return 0;
}

static double seg_arrivals(const struct lg_segment *g)
{
    return (g->v0 + g->v1) / 2 * (double)(g->t1_us - g->t0_us) / 1e6;
}

uint64_t lg_schedule_arrivals(const struct lg_schedule *s)
{
    const struct lg_segment *last = &s->segs[s->n_segs - 1];
    double total = last->a0 + seg_arrivals(last);
    /* arrival i is due when the integral reaches i + 0.5, strictly before the end */
    return total <= 0.5 ? 0 : (uint64_t)ceil(total - 0.5);
}

int64_t lg_schedule_arrival_us(const struct lg_schedule *s, uint64_t i)
{
    double want = (double)i + 0.5;
    /* segments are few: a binary search over a0 is not worth its code */
    for (size_t k = 0; k < s->n_segs; k++) {
        const struct lg_segment *g = &s->segs[k];
        double n = want - g->a0;
        if (n >= seg_arrivals(g))
            continue;
        double d = (double)(g->t1_us - g->t0_us) / 1e6;
        double slope = (g->v1 - g->v0) / d; /* rate change per second */
        /* solve slope/2 tau^2 + v0 tau = n for tau >= 0, in the form that stays
         * exact when slope is 0 and does not cancel when it is small */
        double disc = g->v0 * g->v0 + 2 * slope * n;
        double tau = 2 * n / (g->v0 + sqrt(disc > 0 ? disc : 0));
        return g->t0_us + (int64_t)llround(tau * 1e6);
    }
    return -1;
}
