/* baseline: the rule of `run --baseline`: the run judged against the last accepted
 * one (compare.h), every judged metric recorded in the result, and the regressions
 * made part of the verdict (docs/gate.md). Inconclusive never fails the gate: most
 * runs are too small to vouch for everything, and the reports name each one. */
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "outcome.h"
#include "utf8.h"
#include "util.h"

static char *dup_or_null(const char *s)
{
    return s ? lg_strdup(s) : NULL;
}

/* A fraction as people write it: 0.1 -> "10%", 0.995 -> "99.5%". */
static void fmt_pct(struct lg_buf *b, double v)
{
    lg_buf_printf(b, "%.6g%%", v * 100.0);
}

static void add_regression(struct lg_result *r, const struct lg_cmp_row *row, enum lg_cmp_metric m)
{
    const struct lg_cmp_cell *c = &row->cells[m];
    r->regressions = lg_realloc(r->regressions, (r->n_regressions + 1) * sizeof(*r->regressions));
    struct lg_result_regression *g = &r->regressions[r->n_regressions++];
    *g = (struct lg_result_regression){
        .scenario = dup_or_null(row->scenario),
        .step = dup_or_null(row->step),
        .metric = lg_strdup(lg_cmp_metric_name(m)),
        .status = lg_strdup(lg_cmp_status_name(c->status)),
        .has_base = c->has_base,
        .has_new = c->has_new,
        .base = c->has_base ? c->base : 0,
        .new = c->has_new ? c->new : 0,
        .has_base_lo = c->base_bounds.has_lo,
        .has_base_hi = c->base_bounds.has_hi,
        .has_new_lo = c->new_bounds.has_lo,
        .has_new_hi = c->new_bounds.has_hi,
        .base_lo = c->base_bounds.has_lo ? c->base_bounds.lo : 0,
        .base_hi = c->base_bounds.has_hi ? c->base_bounds.hi : 0,
        .new_lo = c->new_bounds.has_lo ? c->new_bounds.lo : 0,
        .new_hi = c->new_bounds.has_hi ? c->new_bounds.hi : 0,
    };
}

static void add_row(struct lg_result *r, const struct lg_comparison *c,
                    const struct lg_cmp_row *row)
{
    for (int m = 0; m < LG_CMP_METRICS; m++)
        if (lg_cmp_cell_judged(c, row, (enum lg_cmp_metric)m))
            add_regression(r, row, (enum lg_cmp_metric)m);
}

/* "overall p95", "cmp/board p99" for each recorded metric of that status. */
static size_t list_status(struct lg_buf *b, const struct lg_result *r, const char *status)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_regressions; i++) {
        const struct lg_result_regression *g = &r->regressions[i];
        if (strcmp(g->status, status))
            continue;
        if (g->step)
            lg_buf_printf(b, "%s%s/%s %s", n ? ", " : "", g->scenario, g->step, g->metric);
        else
            lg_buf_printf(b, "%soverall %s", n ? ", " : "", g->metric);
        n++;
    }
    return n;
}

static size_t count_status(const struct lg_result *r, const char *status)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_regressions; i++)
        n += !strcmp(r->regressions[i].status, status);
    return n;
}

static bool same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* A copy of h with its own settings; an empty standard histogram for NULL. */
static struct lg_hist *hist_copy(const struct lg_hist *h)
{
    struct lg_hist *c = NULL;
    if (!h || lg_hist_init(h->lowest, h->highest, h->sigfigs, &c) != 0)
        return lg_hist_new();
    (void)lg_hist_merge(c, h);
    return c;
}

/* The baseline's histograms for report.html's curves: every step merged as compare
 * merges them (settings of the first step), and each step both runs have, matched by
 * scenario and name as compare matches them (its rows). */
static void keep_histograms(struct lg_result_baseline *b, const struct lg_result *base,
                            const struct lg_comparison *c)
{
    for (size_t i = 0; i < base->n_steps; i++) {
        const struct lg_hist *h = base->steps[i].histogram;
        if (!h)
            continue;
        if (!b->histogram)
            b->histogram = hist_copy(h);
        else
            (void)lg_hist_merge(b->histogram, h); /* lg_compare merged them already */
    }
    if (!b->histogram)
        b->histogram = lg_hist_new();
    b->steps = c->n_rows ? lg_calloc(c->n_rows, sizeof(*b->steps)) : NULL;
    for (size_t i = 0; i < c->n_rows; i++) {
        const struct lg_cmp_row *row = &c->rows[i];
        const struct lg_result_step *bs = NULL;
        for (size_t j = 0; j < base->n_steps && !bs; j++)
            if (same(base->steps[j].scenario, row->scenario) &&
                same(base->steps[j].name, row->step))
                bs = &base->steps[j];
        b->steps[b->n_steps++] = (struct lg_result_baseline_step){
            .scenario = lg_strdup(row->scenario ? row->scenario : ""),
            .step = lg_strdup(row->step ? row->step : ""),
            .histogram = hist_copy(bs ? bs->histogram : NULL),
        };
    }
}

void lg_outcome_apply_baseline(struct lg_result *r, const struct lg_result *base,
                               const struct lg_comparison *c, const char *file, bool critical)
{
    r->baseline = (struct lg_result_baseline){
        .has = true,
        .file = lg_strdup(file),
        .started_at = base->started_at && *base->started_at ? lg_strdup(base->started_at) : NULL,
        .budget = c->opts.budget[LG_CMP_P95],
        .confidence = c->opts.confidence,
        .severity = lg_strdup(critical ? "critical" : "warning"),
    };
    keep_histograms(&r->baseline, base, c);
    add_row(r, c, &c->overall);
    for (size_t i = 0; i < c->n_rows; i++)
        add_row(r, c, &c->rows[i]);
    lg_result_settle(r);

    size_t n_reg = count_status(r, "regression");
    size_t n_inc = count_status(r, "inconclusive");
    struct lg_buf b = {0};
    lg_buf_printf(&b, "judged against %s", file);
    if (r->baseline.started_at)
        lg_buf_printf(&b, " (%s)", r->baseline.started_at);
    lg_buf_puts(&b, ", budget ");
    fmt_pct(&b, r->baseline.budget);
    char *over = lg_result_regset_overrides(&r->regression);
    if (over)
        lg_buf_printf(&b, " (per-step overrides: %s; overall not judged)", over);
    free(over);
    lg_buf_puts(&b, " at ");
    fmt_pct(&b, r->baseline.confidence);
    lg_buf_puts(&b, " confidence: ");
    if (n_reg) {
        lg_buf_printf(&b, "%zu regression%s (", n_reg, n_reg == 1 ? "" : "s");
        list_status(&b, r, "regression");
        lg_buf_puts(&b, ")");
        if (!critical)
            lg_buf_puts(&b, ", reported only (severity warning)");
    } else if (!r->n_regressions) {
        /* every step `metrics: []` (the overall row then unjudged): a pass that
         * must not read as a vouched "no regression" */
        lg_buf_puts(&b, "nothing judged: the regression settings leave no metric to judge");
    } else {
        lg_buf_puts(&b, "no regression");
    }
    if (n_inc) {
        lg_buf_printf(&b, "; %zu inconclusive, too few samples to tell (", n_inc);
        list_status(&b, r, "inconclusive");
        lg_buf_puts(&b, "), which never fails the gate");
    }
    bool fails = critical && n_reg > 0;
    r->rules = lg_realloc(r->rules, (r->n_rules + 1) * sizeof(*r->rules));
    r->rules[r->n_rules++] =
        (struct lg_result_rule){lg_strdup(LG_RULE_BASELINE), !fails, lg_buf_take(&b)};
    lg_utf8_settle(&r->rules[r->n_rules - 1].text);
    if (fails && r->verdict == LG_VERDICT_PASS)
        r->verdict = LG_VERDICT_FAIL;
}

int lg_outcome_judge_baseline(struct lg_result *r, const struct lg_result *base,
                              const struct lg_result_regset *rs, const char *file, bool critical,
                              char *err, size_t errlen)
{
    struct lg_compare_opts opts;
    struct lg_comparison *c = NULL;
    lg_compare_opts_init(&opts);
    lg_compare_opts_from_regset(&opts, rs);
    if (lg_compare(base, r, &opts, &c, err, errlen))
        return LG_EINVAL;
    lg_outcome_apply_baseline(r, base, c, file, critical);
    lg_comparison_free(c);
    return 0;
}
