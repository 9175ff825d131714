/* units: the duration, rate and observed-value formats shared by the text, Markdown
 * and HTML reports (see units.h). */
#include "units.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"
#include "util.h"

/* v in [0, 999.5) with 3 significant digits (2 decimals below 10, 1 below 100). */
static void fmt3(double v, const char *unit, char *buf, size_t n)
{
    int decimals = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
    snprintf(buf, n, "%.*f%s", decimals, v, unit);
}

char *lg_report_fmt_ms(double ms, char *buf, size_t n)
{
    double us = isfinite(ms) && ms > 0 ? ms * 1000.0 : 0.0;
    if (us < 999.5) {
        snprintf(buf, n, "%.0fus", us);
    } else if (us < 999.5e3) {
        fmt3(us / 1e3, "ms", buf, n);
    } else if (us < 59.95e6) {
        fmt3(us / 1e6, "s", buf, n);
    } else if (us < 3599.5e6) {
        long long s = llround(us / 1e6);
        snprintf(buf, n, "%lldm%02llds", s / 60, s % 60);
    } else if (us < 1e18) {
        long long m = llround(us / 60e6);
        snprintf(buf, n, "%lldh%02lldm", m / 60, m % 60);
    } else {
        /* beyond any run: llround would overflow */
        snprintf(buf, n, "%.3gh", us / 3600e6);
    }
    return buf;
}

char *lg_report_fmt_rate(double v, char *buf, size_t n)
{
    if (!isfinite(v) || v < 0)
        v = 0;
    if (v > 0 && v < 0.095) {
        snprintf(buf, n, "%.3f", v);
        return buf;
    }
    if (v >= 1e18) { /* beyond uint64_t */
        snprintf(buf, n, "%.3g", v);
        return buf;
    }
    double tenths = round(v * 10.0);
    char whole[32];
    lg_fmt_count((uint64_t)(tenths / 10.0), whole, sizeof(whole));
    snprintf(buf, n, "%s.%d", whole, (int)fmod(tenths, 10.0));
    return buf;
}

char *lg_report_observed(const struct lg_result_threshold *t)
{
    char buf[64];
    if (t->no_samples)
        return lg_strdup("no samples");
    if (t->observed_text && *t->observed_text)
        return lg_strdup(t->observed_text);
    const char *unit = t->unit ? t->unit : "";
    if (!strcmp(unit, "ms"))
        return lg_strdup(lg_report_fmt_ms(t->observed, buf, sizeof(buf)));
    if (!strcmp(unit, "ratio"))
        return lg_asprintf("%.2f%%", t->observed * 100.0);
    if (!strcmp(unit, "per_s"))
        return lg_asprintf("%s/s", lg_report_fmt_rate(t->observed, buf, sizeof(buf)));
    return lg_asprintf("%g", t->observed);
}

void lg_report_merged_line(const struct lg_result *r, FILE *f)
{
    const struct lg_result_merged *m = &r->merged;
    fputs("segment", f);
    fputs(m->n_segments == 1 ? " " : "s ", f);
    for (size_t i = 0; i < m->n_segments; i++)
        fprintf(f, "%s%u", i ? ", " : "", (unsigned)m->segments[i].index);
    fprintf(f, " of %u", (unsigned)m->count);
    if (!m->n_missing)
        return;
    fputs(" · MISSING ", f);
    for (size_t i = 0; i < m->n_missing; i++)
        fprintf(f, "%s%u", i ? ", " : "", (unsigned)m->missing[i]);
}

const char *lg_report_rule_label(const char *name)
{
    static const struct {
        const char *name, *label;
    } labels[] = {
        {LG_RULE_DEFAULT, "strict default gate"},  {LG_RULE_FAILURES, "failures rule"},
        {LG_RULE_NO_RESPONSE, "no-response rule"}, {LG_RULE_COMPLETION, "completion rule"},
        {LG_RULE_SMOKE, "smoke profile"},          {LG_RULE_BASELINE, "baseline"},
        {LG_RULE_PARTIAL, "partial merge"},        {LG_RULE_TOGETHER, "segments together"}};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (name && !strcmp(name, labels[i].name))
            return labels[i].label;
    return NULL;
}
