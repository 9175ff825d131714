/* cmpmetric: the comparison's metric names and the ones that cannot be judged
 * (cmpmetric.h). */
#include "cmpmetric.h"

#include <stddef.h>
#include <string.h>

static const char *const metric_names[LG_CMP_METRICS] = {
    "p50", "p90", "p95", "p99", "max", "error_rate", "rps", "checks",
};

const char *lg_cmp_metric_name(enum lg_cmp_metric m)
{
    return (unsigned)m < LG_CMP_METRICS ? metric_names[m] : "?";
}

int lg_cmp_metric_parse(const char *name)
{
    for (int m = 0; m < LG_CMP_METRICS; m++)
        if (strcmp(name, metric_names[m]) == 0)
            return m;
    return -1;
}

const char *lg_cmp_metric_unjudgeable(enum lg_cmp_metric m)
{
    if (m == LG_CMP_MAX)
        return "max cannot be judged: a single sample has no confidence bounds (judge p99 "
               "instead)";
    if (m == LG_CMP_RPS)
        return "rps cannot be judged: a run has one figure, no samples to test (it follows "
               "latency in the closed model and the load shape in the open one)";
    return NULL;
}
