/* config_regress: the `regression:` block of a suite (budget, metrics, confidence)
 * and of a step (budget, metrics): the budgets `run --baseline` and `compare` judge
 * with (docs/compare.md). Every bad value is reported where it is written. */
#include <string.h>

#include "cmpmetric.h"
#include "config_int.h"

static const char *const suite_keys[] = {"budget", "metrics", "confidence", NULL};
static const char *const step_keys[] = {"budget", "metrics", NULL};

static bool percent(const struct ynode *n, double *out)
{
    return n->type == YN_SCALAR && strlen(n->s) == n->len && lg_parse_percent(n->s, out) == 0;
}

static void parse_budget(struct ld *l, const struct ynode *v, struct lg_regression *r)
{
    double b;
    /* 100.0 (10000%) is --max-regression's own limit. */
    if (!percent(v, &b) || b > 100.0) {
        lg_cfg_err(l, v, "'budget' must be a percentage from 0%% (e.g. 10%%), got '%s'",
                   v->type == YN_SCALAR ? v->s : "a collection");
        return;
    }
    r->has_budget = true;
    r->budget = b;
}

static void parse_confidence(struct ld *l, const struct ynode *v, struct lg_regression *r)
{
    double c;
    if (!percent(v, &c) || !(c > 0.0 && c < 1.0)) {
        lg_cfg_err(l, v,
                   "'confidence' must be a percentage above 0%% and below 100%% (e.g. 99%%), "
                   "got '%s'",
                   v->type == YN_SCALAR ? v->s : "a collection");
        return;
    }
    r->has_confidence = true;
    r->confidence = c;
}

static void parse_metrics(struct ld *l, const struct ynode *v, bool step, struct lg_regression *r)
{
    if (!lg_cfg_is_seq(l, v, "metrics"))
        return;
    if (v->n == 0 && !step) {
        lg_cfg_err(l, v,
                   "'metrics' must list at least one metric (a step's 'metrics: []' leaves "
                   "that step unjudged)");
        return;
    }
    unsigned set = 0;
    bool ok = true;
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *e = v->kids[i];
        if (e->type != YN_SCALAR) {
            lg_cfg_err(l, e, "a metric must be a name such as p95");
            ok = false;
            continue;
        }
        const char *name = e->s;
        int m = lg_cmp_metric_parse(name);
        const char *why = m < 0 ? NULL : lg_cmp_metric_unjudgeable((enum lg_cmp_metric)m);
        if (m < 0)
            lg_cfg_err(l, e, "unknown metric '%s' (p50, p90, p95, p99, error_rate, checks)", name);
        else if (why)
            lg_cfg_err(l, e, "%s", why);
        else if (set & (1u << m))
            lg_cfg_err(l, e, "metric '%s' is listed twice", name);
        ok = ok && m >= 0 && !why && !(set & (1u << m));
        if (m >= 0)
            set |= 1u << m;
    }
    if (!ok)
        return;
    r->has_metrics = true;
    r->metrics = set;
}

void lg_cfg_parse_regression(struct ld *l, const struct ynode *n, bool step,
                             struct lg_regression *out)
{
    const char *where = step ? "a step's regression" : "regression";
    if (!lg_cfg_is_map(l, n, "regression"))
        return;
    struct lg_regression r = {.has = true};
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        if (!strcmp(k->s, "budget"))
            parse_budget(l, v, &r);
        else if (!strcmp(k->s, "metrics"))
            parse_metrics(l, v, step, &r);
        else if (!strcmp(k->s, "confidence") && !step)
            parse_confidence(l, v, &r);
        else if (!strcmp(k->s, "confidence"))
            lg_cfg_err(l, k,
                       "'confidence' is the suite's (one comparison has one): set it in the "
                       "suite's 'regression'");
        else
            lg_cfg_unknown_key(l, k, where, step ? step_keys : suite_keys);
    }
    *out = r;
}
