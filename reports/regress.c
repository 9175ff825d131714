/* regress: the figures of a metric judged against the baseline, shared by the run's
 * reports (regress.h). */
#include "regress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmp_units.h"
#include "compare.h"
#include "util.h"

void lg_regress_cells(const struct lg_result_regression *g, struct lg_regress_cells *out)
{
    int mi = lg_cmp_metric_parse(g->metric ? g->metric : "");
    enum lg_cmp_metric m = mi < 0 ? LG_CMP_P95 : (enum lg_cmp_metric)mi;
    lg_cmp_fmt_value(m, g->has_base, g->base, out->base, sizeof(out->base));
    lg_cmp_fmt_value(m, g->has_new, g->new, out->new, sizeof(out->new));
    bool both = g->has_base && g->has_new;
    lg_cmp_fmt_change(m, both ? g->new - g->base : NAN, out->change, sizeof(out->change));
    lg_cmp_fmt_rel(both && g->base != 0 ? (g->new - g->base) / g->base : NAN, out->rel,
                   sizeof(out->rel));
    struct lg_cmp_bounds bb = {g->has_base_lo, g->has_base_hi, g->base_lo, g->base_hi};
    struct lg_cmp_bounds nb = {g->has_new_lo, g->has_new_hi, g->new_lo, g->new_hi};
    lg_cmp_fmt_bounds(m, &bb, out->base_b, sizeof(out->base_b));
    lg_cmp_fmt_bounds(m, &nb, out->new_b, sizeof(out->new_b));
    const char *st = g->status ? g->status : "";
    snprintf(out->status, sizeof(out->status), "%s",
             !strcmp(st, "regression")     ? "REGRESSION"
             : !strcmp(st, "inconclusive") ? "INCONCLUSIVE"
                                           : st);
}

char *lg_regress_label(const struct lg_result_regression *g)
{
    if (!g->step)
        return lg_strdup("overall");
    return lg_asprintf("%s/%s", g->scenario ? g->scenario : "", g->step);
}

bool lg_regress_is(const struct lg_result_regression *g, const char *status)
{
    return g->status && !strcmp(g->status, status);
}

bool lg_regress_critical(const struct lg_result *r)
{
    return !r->baseline.severity || strcmp(r->baseline.severity, "warning") != 0;
}

char *lg_regress_rule_line(const struct lg_result *r)
{
    const struct lg_result_baseline *b = &r->baseline;
    char budget[32], conf[32];
    lg_cmp_fmt_percent(b->budget, budget, sizeof(budget));
    lg_cmp_fmt_percent(b->confidence, conf, sizeof(conf));
    char *over = lg_result_regset_overrides(&r->regression);
    char *line = lg_asprintf(
        "judged against %s%s%s%s, budget %s%s%s%s at %s confidence, severity %s",
        b->file ? b->file : "", b->started_at ? " (" : "", b->started_at ? b->started_at : "",
        b->started_at ? ")" : "", budget, over ? " (per-step overrides: " : "", over ? over : "",
        over ? "; overall not judged)" : "", conf, lg_regress_critical(r) ? "critical" : "warning");
    free(over);
    return line;
}
