/* compare: builds struct lg_comparison from two results: steps matched by scenario and
 * name, an overall row from the merged histograms, each cell's values, changes and bounds,
 * and the status of the judged metrics (docs/compare.md has the reasoning). */
#include "compare.h"

#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double metric_percentile[LG_CMP_METRICS] = {50.0, 90.0, 95.0, 99.0};
static const char *const status_names[] = {"not_judged", "improved", "ok", "inconclusive",
                                           "regression"};

void lg_compare_opts_init(struct lg_compare_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->confidence = 0.99;
    for (int m = 0; m < LG_CMP_METRICS; m++)
        opts->budget[m] = 0.10;
    opts->metrics = LG_CMP_DEFAULT_METRICS;
    opts->rate_floor = 0.001;
}

void lg_compare_opts_from_regset(struct lg_compare_opts *opts, const struct lg_result_regset *s)
{
    if (!s->has)
        return;
    for (int m = 0; m < LG_CMP_METRICS; m++)
        opts->budget[m] = s->budget;
    opts->metrics = s->metrics;
    opts->confidence = s->confidence;
    opts->steps = s->steps;
    opts->n_steps = s->n_steps;
}

const char *lg_cmp_status_name(enum lg_cmp_status s)
{
    return (unsigned)s <= LG_CMP_REGRESSION ? status_names[s] : "?";
}

/* ---- judging ----------------------------------------------------------------------------- */

static const struct lg_cmp_bounds no_bounds = {.lo = 0.0, .hi = INFINITY};

enum lg_cmp_status lg_cmp_judge_bounds(const struct lg_cmp_bounds *base,
                                       const struct lg_cmp_bounds *new, double budget)
{
    double base_lo = base->has_lo ? base->lo : 0.0, base_hi = base->has_hi ? base->hi : INFINITY;
    double new_lo = new->has_lo ? new->lo : 0.0, new_hi = new->has_hi ? new->hi : INFINITY;
    double k = 1.0 + budget;
    /* Each bound misses with probability (1 - confidence) / 2, so a verdict resting on one
     * bound of each side is wrong with probability at most 1 - confidence. */
    if (new_lo > base_hi * k)
        return LG_CMP_REGRESSION;
    if (new_hi * k < base_lo)
        return LG_CMP_IMPROVED;
    if (new_hi <= base_lo * k)
        return LG_CMP_OK;
    return LG_CMP_INCONCLUSIVE;
}

void lg_cmp_percentile_bounds(const struct lg_hist *h, double p, double confidence,
                              struct lg_cmp_bounds *out)
{
    *out = no_bounds;
    int64_t l, u, lo, hi;
    if (!h || h->total_count == 0 ||
        lg_stats_quantile_ranks(h->total_count, p / 100.0, confidence, &l, &u) != 0)
        return;
    if (l >= 1 && lg_hist_rank_range(h, l, &lo, &hi) == 0) {
        out->has_lo = true;
        out->lo = (double)lo;
    }
    if (u <= h->total_count && lg_hist_rank_range(h, u, &lo, &hi) == 0) {
        out->has_hi = true;
        out->hi = (double)hi;
    }
}

/* The failed ratio a side may reach without regressing, from the other's. */
static double allowance(double ratio, double budget, double floor)
{
    return fmax(ratio * (1.0 + budget), ratio + floor);
}

static void ratio_bounds(uint64_t x, uint64_t n, double confidence, struct lg_cmp_bounds *b)
{
    *b = no_bounds;
    if (n > 0 && lg_stats_proportion_bounds(x, n, confidence, &b->lo, &b->hi) == 0)
        b->has_lo = b->has_hi = true;
}

enum lg_cmp_status lg_cmp_judge_ratio(uint64_t base_x, uint64_t base_n, uint64_t new_x,
                                      uint64_t new_n, double budget, double floor,
                                      double confidence, double *p_value,
                                      struct lg_cmp_bounds *base_b, struct lg_cmp_bounds *new_b)
{
    struct lg_cmp_bounds bb, nb;
    ratio_bounds(base_x, base_n, confidence, &bb);
    ratio_bounds(new_x, new_n, confidence, &nb);
    double p = lg_stats_fisher_greater(base_x, base_n, new_x, new_n);
    if (p_value)
        *p_value = p;
    if (base_b)
        *base_b = bb;
    if (new_b)
        *new_b = nb;
    if (base_n == 0 || new_n == 0 || base_x > base_n || new_x > new_n)
        return LG_CMP_INCONCLUSIVE;
    double base_r = (double)base_x / (double)base_n, new_r = (double)new_x / (double)new_n;
    /* A regression needs both: a rise beyond the budget, and one that chance (both runs
     * drawing from one failure rate) explains with probability at most 1 - confidence. */
    if (new_r > allowance(base_r, budget, floor) && p <= 1.0 - confidence)
        return LG_CMP_REGRESSION;
    if (allowance(nb.hi, budget, floor) < bb.lo)
        return LG_CMP_IMPROVED;
    if (nb.hi <= allowance(bb.lo, budget, floor))
        return LG_CMP_OK;
    return LG_CMP_INCONCLUSIVE;
}

/* ---- cells ------------------------------------------------------------------------------- */

/* One side of a row: what the cells are computed from. */
struct side {
    const struct lg_hist *hist; /* latency in microseconds; may be NULL */
    uint64_t requests, errors, checks_passed, checks_failed;
    double duration_s, rps; /* rps < 0: requests / duration_s */
};

static void set_values(struct lg_cmp_cell *c, bool has_base, double base, bool has_new, double new)
{
    c->has_base = has_base;
    c->has_new = has_new;
    c->base = has_base ? base : 0.0;
    c->new = has_new ? new : 0.0;
    c->abs_change = has_base && has_new ? new - base : NAN;
    c->rel_change = has_base && has_new && base != 0.0 ? (new - base) / base : NAN;
}

static void ms_bounds(struct lg_cmp_bounds *b)
{
    b->lo /= 1000.0;
    if (b->has_hi)
        b->hi /= 1000.0;
}

static double side_rps(const struct side *s)
{
    if (s->rps >= 0.0)
        return s->rps;
    return s->duration_s > 0.0 ? (double)s->requests / s->duration_s : 0.0;
}

static double ratio(uint64_t x, uint64_t n)
{
    return n ? (double)x / (double)n : 0.0;
}

/* Bounds on the passed ratio from bounds on the failed one. */
static struct lg_cmp_bounds passed_bounds(const struct lg_cmp_bounds *failed)
{
    struct lg_cmp_bounds b = no_bounds;
    if (failed->has_hi) {
        b.has_lo = true;
        b.lo = 1.0 - failed->hi;
    }
    if (failed->has_lo) {
        b.has_hi = true;
        b.hi = 1.0 - failed->lo;
    }
    return b;
}

static void fill_row(struct lg_cmp_row *row, const struct side *b, const struct side *n,
                     const struct lg_compare_opts *o)
{
    row->base_requests = b->requests;
    row->new_requests = n->requests;
    bool hb = b->hist && b->hist->total_count > 0, hn = n->hist && n->hist->total_count > 0;
    row->base_samples = hb ? (uint64_t)b->hist->total_count : 0;
    row->new_samples = hn ? (uint64_t)n->hist->total_count : 0;
    row->status = LG_CMP_NOT_JUDGED;
    row->metrics = o->metrics;
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        struct lg_cmp_cell *c = &row->cells[m];
        memset(c, 0, sizeof(*c));
        c->base_bounds = c->new_bounds = no_bounds;
        c->p_value = NAN;
        c->budget = o->budget[m];
        bool judged = o->metrics & (1u << m);
        switch (m) {
        case LG_CMP_P50:
        case LG_CMP_P90:
        case LG_CMP_P95:
        case LG_CMP_P99: {
            double p = metric_percentile[m];
            set_values(c, hb, hb ? (double)lg_hist_percentile(b->hist, p) / 1000.0 : 0.0, hn,
                       hn ? (double)lg_hist_percentile(n->hist, p) / 1000.0 : 0.0);
            c->has_bounds = true;
            lg_cmp_percentile_bounds(hb ? b->hist : NULL, p, o->confidence, &c->base_bounds);
            lg_cmp_percentile_bounds(hn ? n->hist : NULL, p, o->confidence, &c->new_bounds);
            ms_bounds(&c->base_bounds);
            ms_bounds(&c->new_bounds);
            if (judged)
                c->status = hb && hn
                                ? lg_cmp_judge_bounds(&c->base_bounds, &c->new_bounds, c->budget)
                                : LG_CMP_INCONCLUSIVE;
            break;
        }
        case LG_CMP_MAX:
            set_values(c, hb, hb ? (double)lg_hist_max(b->hist) / 1000.0 : 0.0, hn,
                       hn ? (double)lg_hist_max(n->hist) / 1000.0 : 0.0);
            break;
        case LG_CMP_ERROR_RATE: {
            set_values(c, b->requests > 0, ratio(b->errors, b->requests), n->requests > 0,
                       ratio(n->errors, n->requests));
            c->has_bounds = true;
            enum lg_cmp_status st = lg_cmp_judge_ratio(
                b->errors, b->requests, n->errors, n->requests, c->budget, o->rate_floor,
                o->confidence, &c->p_value, &c->base_bounds, &c->new_bounds);
            if (judged)
                c->status = st;
            break;
        }
        case LG_CMP_RPS:
            set_values(c, true, side_rps(b), true, side_rps(n));
            break;
        case LG_CMP_CHECKS: {
            uint64_t bt = b->checks_passed + b->checks_failed;
            uint64_t nt = n->checks_passed + n->checks_failed;
            set_values(c, bt > 0, ratio(b->checks_passed, bt), nt > 0, ratio(n->checks_passed, nt));
            c->has_bounds = true;
            struct lg_cmp_bounds fb, fn;
            enum lg_cmp_status fst =
                lg_cmp_judge_ratio(b->checks_failed, bt, n->checks_failed, nt, c->budget,
                                   o->rate_floor, o->confidence, &c->p_value, &fb, &fn);
            /* Judged on the failed ratio; shown as the passed one. */
            c->base_bounds = passed_bounds(&fb);
            c->new_bounds = passed_bounds(&fn);
            if (judged)
                c->status = fst;
            break;
        }
        }
        if (c->status > row->status)
            row->status = c->status;
    }
}

/* ---- matching ---------------------------------------------------------------------------- */

static bool same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static const struct lg_result_step *find_step(const struct lg_result *r,
                                              const struct lg_result_step *s)
{
    for (size_t i = 0; i < r->n_steps; i++)
        if (same(r->steps[i].scenario, s->scenario) && same(r->steps[i].name, s->name))
            return &r->steps[i];
    return NULL;
}

static void add_name(struct lg_cmp_name **v, size_t *n, const char *scenario, const char *name)
{
    *v = lg_realloc(*v, (*n + 1) * sizeof(**v));
    (*v)[*n].scenario = scenario ? lg_strdup(scenario) : NULL;
    (*v)[*n].name = lg_strdup(name ? name : "");
    (*n)++;
}

/* What `a` has and `b` has not. */
static void one_side(const struct lg_result *a, const struct lg_result *b,
                     struct lg_cmp_one_side *out)
{
    for (size_t i = 0; i < a->n_steps; i++)
        if (!find_step(b, &a->steps[i]))
            add_name(&out->steps, &out->n_steps, a->steps[i].scenario ? a->steps[i].scenario : "",
                     a->steps[i].name);
    for (size_t i = 0; i < a->n_scenarios; i++) {
        bool found = false;
        for (size_t j = 0; j < b->n_scenarios && !found; j++)
            found = same(a->scenarios[i].name, b->scenarios[j].name);
        if (!found)
            add_name(&out->scenarios, &out->n_scenarios, NULL, a->scenarios[i].name);
    }
    for (size_t i = 0; i < a->n_thresholds; i++) {
        bool found = false;
        for (size_t j = 0; j < b->n_thresholds && !found; j++)
            found = same(a->thresholds[i].expr, b->thresholds[j].expr);
        if (!found)
            add_name(&out->thresholds, &out->n_thresholds, NULL, a->thresholds[i].expr);
    }
}

static void step_side(const struct lg_result *r, const struct lg_result_step *s, struct side *out)
{
    *out = (struct side){.hist = s->histogram,
                         .requests = s->requests,
                         .errors = s->errors,
                         .checks_passed = s->checks_passed,
                         .checks_failed = s->checks_failed,
                         .duration_s = r->duration_s,
                         .rps = -1.0};
}

/* The whole run: every step's histogram merged into *merged (owned by the caller), counts
 * summed. Returns 0, or LG_EINVAL when two histograms have other settings. */
static int overall_side(const struct lg_result *r, struct side *out, struct lg_hist **merged)
{
    *out = (struct side){.duration_s = r->duration_s, .rps = r->rps};
    struct lg_hist *m = NULL;
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        out->requests += s->requests;
        out->errors += s->errors;
        out->checks_passed += s->checks_passed;
        out->checks_failed += s->checks_failed;
        if (!s->histogram)
            continue;
        if (!m && lg_hist_init(s->histogram->lowest, s->histogram->highest, s->histogram->sigfigs,
                               &m) != 0)
            return LG_EINVAL;
        int rc = lg_hist_merge(m, s->histogram);
        if (rc != 0) {
            lg_hist_free(m);
            return rc;
        }
    }
    out->hist = m;
    *merged = m;
    return 0;
}

/* ---- the comparison ---------------------------------------------------------------------- */

static int check_metrics(unsigned metrics, const char *where, char *err, size_t errlen)
{
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        const char *why = lg_cmp_metric_unjudgeable((enum lg_cmp_metric)m);
        if ((metrics & (1u << m)) && why) {
            snprintf(err, errlen, "%s%s", why, where);
            return LG_EINVAL;
        }
    }
    if (metrics >> LG_CMP_METRICS) {
        snprintf(err, errlen, "unknown metric in the judged set%s", where);
        return LG_EINVAL;
    }
    return 0;
}

static int check_opts(const struct lg_compare_opts *o, char *err, size_t errlen)
{
    if (!(o->confidence > 0.0 && o->confidence < 1.0)) {
        snprintf(err, errlen, "confidence %g is not between 0 and 1 (exclusive)", o->confidence);
        return LG_EINVAL;
    }
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        if (!(o->budget[m] >= 0.0 && isfinite(o->budget[m]))) {
            snprintf(err, errlen, "budget for %s must be 0 or more",
                     lg_cmp_metric_name((enum lg_cmp_metric)m));
            return LG_EINVAL;
        }
    }
    if (check_metrics(o->metrics, "", err, errlen))
        return LG_EINVAL;
    if (!(o->rate_floor >= 0.0 && o->rate_floor <= 1.0)) {
        snprintf(err, errlen, "rate floor %g is not between 0 and 1", o->rate_floor);
        return LG_EINVAL;
    }
    for (size_t i = 0; i < o->n_steps; i++) {
        const struct lg_result_regset_step *e = &o->steps[i];
        char where[256];
        snprintf(where, sizeof(where), " (step %.100s/%.100s)", e->scenario ? e->scenario : "",
                 e->step ? e->step : "");
        if (!(e->budget >= 0.0 && isfinite(e->budget))) {
            snprintf(err, errlen, "budget must be 0 or more%s", where);
            return LG_EINVAL;
        }
        if (check_metrics(e->metrics, where, err, errlen))
            return LG_EINVAL;
    }
    return 0;
}

/* The options of one step's row: opts, or its entry of opts->steps over them. Returns
 * whether that entry judges the row otherwise than opts. */
static bool step_opts(const struct lg_compare_opts *opts, const struct lg_result_step *s,
                      struct lg_compare_opts *out)
{
    *out = *opts;
    for (size_t i = 0; i < opts->n_steps; i++) {
        const struct lg_result_regset_step *e = &opts->steps[i];
        if (!same(e->scenario, s->scenario) || !same(e->step, s->name))
            continue;
        bool differs = e->metrics != opts->metrics;
        for (int m = 0; m < LG_CMP_METRICS; m++) {
            differs = differs || ((e->metrics & (1u << m)) && e->budget != opts->budget[m]);
            out->budget[m] = e->budget;
        }
        out->metrics = e->metrics;
        return differs;
    }
    return false;
}

int lg_compare(const struct lg_result *base, const struct lg_result *new,
               const struct lg_compare_opts *opts, struct lg_comparison **out, char *err,
               size_t errlen)
{
    struct lg_compare_opts defaults;
    if (!opts) {
        lg_compare_opts_init(&defaults);
        opts = &defaults;
    }
    int rc = check_opts(opts, err, errlen);
    if (rc)
        return rc;
    bool different_suite = !same(base->suite, new->suite);
    if (different_suite && !opts->allow_different_suite) {
        snprintf(err, errlen,
                 "the results are of different suites (\"%s\" and \"%s\"): compare runs of "
                 "one suite, or allow different suites",
                 base->suite ? base->suite : "", new->suite ? new->suite : "");
        return LG_EINVAL;
    }

    struct lg_hist *mb = NULL, *mn = NULL;
    struct side sb, sn, sb_all, sn_all;
    if (overall_side(base, &sb_all, &mb) != 0 || overall_side(new, &sn_all, &mn) != 0) {
        snprintf(err, errlen,
                 "the latency histograms of one result have different settings "
                 "and cannot be merged");
        lg_hist_free(mb);
        return LG_EINVAL;
    }
    struct lg_comparison *c = lg_calloc(1, sizeof(*c));
    c->opts = *opts;
    c->different_suite = different_suite;
    c->opts.steps = NULL;
    c->opts.n_steps = 0;

    bool own_opts = false;
    c->rows = lg_calloc(new->n_steps ? new->n_steps : 1, sizeof(*c->rows));
    for (size_t i = 0; i < new->n_steps; i++) {
        const struct lg_result_step *s = &new->steps[i], *bs = find_step(base, s);
        if (!bs)
            continue;
        struct lg_cmp_row *row = &c->rows[c->n_rows++];
        row->scenario = lg_strdup(s->scenario ? s->scenario : "");
        row->step = lg_strdup(s->name ? s->name : "");
        step_side(base, bs, &sb);
        step_side(new, s, &sn);
        struct lg_compare_opts ro;
        row->own_opts = step_opts(opts, s, &ro);
        own_opts = own_opts || row->own_opts;
        fill_row(row, &sb, &sn, &ro);
        if (row->status > c->status)
            c->status = row->status;
    }
    /* A step allowed 50% more would regress the overall row at the suite's 10%: no one
     * budget fits steps held to different ones. */
    struct lg_compare_opts oo = *opts;
    if (own_opts)
        oo.metrics = 0;
    fill_row(&c->overall, &sb_all, &sn_all, &oo);
    c->overall.own_opts = own_opts;
    if (c->overall.status > c->status)
        c->status = c->overall.status;
    lg_hist_free(mb);
    lg_hist_free(mn);
    one_side(base, new, &c->only_base);
    one_side(new, base, &c->only_new);
    *out = c;
    return 0;
}

bool lg_cmp_cell_judged(const struct lg_comparison *c, const struct lg_cmp_row *row,
                        enum lg_cmp_metric m)
{
    unsigned set = row->own_opts ? row->metrics : c->opts.metrics;
    return (unsigned)m < LG_CMP_METRICS && (set & (1u << m));
}

static void free_names(struct lg_cmp_name *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].scenario);
        free(v[i].name);
    }
    free(v);
}

static void free_one_side(struct lg_cmp_one_side *s)
{
    free_names(s->steps, s->n_steps);
    free_names(s->scenarios, s->n_scenarios);
    free_names(s->thresholds, s->n_thresholds);
}

void lg_comparison_free(struct lg_comparison *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_rows; i++) {
        free(c->rows[i].scenario);
        free(c->rows[i].step);
    }
    free(c->rows);
    free_one_side(&c->only_base);
    free_one_side(&c->only_new);
    free(c);
}
