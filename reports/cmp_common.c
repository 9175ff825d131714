/* cmp_common: what the comparison reports share: the figures' formats (cmp_units.h),
 * the count of judged metrics by status, the one-line verdict and the atomic writes
 * (comparison.h). */
#include "comparison.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "cmp_units.h"
#include "units.h"
#include "util.h"

static bool is_latency(enum lg_cmp_metric m)
{
    return m <= LG_CMP_MAX;
}

static bool is_ratio(enum lg_cmp_metric m)
{
    return m == LG_CMP_ERROR_RATE || m == LG_CMP_CHECKS;
}

char *lg_cmp_fmt_value(enum lg_cmp_metric m, bool has, double v, char *buf, size_t n)
{
    char r[64];
    if (!has || !isfinite(v))
        snprintf(buf, n, "-");
    else if (is_latency(m))
        lg_report_fmt_ms(v, buf, n);
    else if (is_ratio(m))
        snprintf(buf, n, "%.2f%%", v * 100.0);
    else
        snprintf(buf, n, "%s/s", lg_report_fmt_rate(v, r, sizeof(r)));
    return buf;
}

char *lg_cmp_fmt_change(enum lg_cmp_metric m, double abs_change, char *buf, size_t n)
{
    char r[64];
    if (!isfinite(abs_change)) {
        snprintf(buf, n, "-");
        return buf;
    }
    double a = fabs(abs_change);
    /* a change that rounds to nothing in its format reads "+0", never "-0" */
    bool zero = is_latency(m) ? a < 0.0005 : is_ratio(m) ? a * 100.0 < 0.005 : a < 0.05;
    const char *sign = abs_change < 0 && !zero ? "-" : "+";
    if (is_latency(m))
        snprintf(buf, n, "%s%s", sign, lg_report_fmt_ms(a, r, sizeof(r)));
    else if (is_ratio(m))
        snprintf(buf, n, "%s%.2fpt", sign, a * 100.0);
    else
        snprintf(buf, n, "%s%s/s", sign, lg_report_fmt_rate(a, r, sizeof(r)));
    return buf;
}

char *lg_cmp_fmt_rel(double rel_change, char *buf, size_t n)
{
    if (!isfinite(rel_change))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%+.1f%%", rel_change * 100.0);
    return buf;
}

char *lg_cmp_fmt_bounds(enum lg_cmp_metric m, const struct lg_cmp_bounds *b, char *buf, size_t n)
{
    char lo[64], hi[64];
    snprintf(buf, n, "%s..%s", b->has_lo ? lg_cmp_fmt_value(m, true, b->lo, lo, sizeof(lo)) : "?",
             b->has_hi ? lg_cmp_fmt_value(m, true, b->hi, hi, sizeof(hi)) : "?");
    return buf;
}

char *lg_cmp_fmt_percent(double v, char *buf, size_t n)
{
    /* Up to 4 decimals, trailing zeros dropped: 0.99 -> "99%", 0.999 -> "99.9%". */
    snprintf(buf, n, "%.4f", v * 100.0);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *end = buf + strlen(buf) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    size_t len = strlen(buf);
    if (len + 1 < n) {
        buf[len] = '%';
        buf[len + 1] = '\0';
    }
    return buf;
}

char *lg_cmp_row_label(const struct lg_cmp_row *row)
{
    if (!row->step)
        return lg_strdup("overall");
    return lg_asprintf("%s/%s", row->scenario ? row->scenario : "", row->step);
}

bool lg_cmp_judged(const struct lg_comparison *c, enum lg_cmp_metric m)
{
    return (c->opts.metrics & (1u << m)) != 0;
}

static void tally_row(const struct lg_comparison *c, const struct lg_cmp_row *row,
                      struct lg_cmp_tally *t)
{
    for (int m = 0; m < LG_CMP_METRICS; m++)
        if (lg_cmp_cell_judged(c, row, (enum lg_cmp_metric)m) &&
            row->cells[m].status != LG_CMP_NOT_JUDGED)
            t->n[row->cells[m].status]++;
}

void lg_cmp_tally(const struct lg_comparison *c, struct lg_cmp_tally *out)
{
    memset(out, 0, sizeof(*out));
    tally_row(c, &c->overall, out);
    for (size_t i = 0; i < c->n_rows; i++)
        tally_row(c, &c->rows[i], out);
}

bool lg_cmp_doc_failed(const struct lg_cmp_doc *d)
{
    return d->c->status == LG_CMP_REGRESSION ||
           (d->fail_on_inconclusive && d->c->status == LG_CMP_INCONCLUSIVE);
}

/* Appends " (ROW METRIC, ...)" for every judged cell with status s. */
static void name_cells(struct lg_buf *b, const struct lg_comparison *c, enum lg_cmp_status s)
{
    const char *sep = " (";
    for (size_t i = 0; i <= c->n_rows; i++) {
        const struct lg_cmp_row *row = i == 0 ? &c->overall : &c->rows[i - 1];
        char *label = lg_cmp_row_label(row);
        for (int m = 0; m < LG_CMP_METRICS; m++) {
            if (!lg_cmp_cell_judged(c, row, (enum lg_cmp_metric)m) || row->cells[m].status != s)
                continue;
            lg_buf_printf(b, "%s%s %s", sep, label, lg_cmp_metric_name((enum lg_cmp_metric)m));
            sep = ", ";
        }
        free(label);
    }
    lg_buf_puts(b, ")");
}

char *lg_cmp_verdict_line(const struct lg_cmp_doc *d)
{
    const struct lg_comparison *c = d->c;
    struct lg_cmp_tally t;
    lg_cmp_tally(c, &t);
    struct lg_buf b = {0};
    size_t reg = t.n[LG_CMP_REGRESSION], inc = t.n[LG_CMP_INCONCLUSIVE];
    if (reg) {
        lg_buf_printf(&b, "regression: %zu", reg);
        name_cells(&b, c, LG_CMP_REGRESSION);
    } else if (inc) {
        lg_buf_puts(&b, d->fail_on_inconclusive ? "inconclusive, counted as a failure"
                                                : "no regression shown, but not vouched for");
    } else {
        lg_buf_printf(&b, "no regression (%zu ok", t.n[LG_CMP_OK]);
        if (t.n[LG_CMP_IMPROVED])
            lg_buf_printf(&b, ", %zu improved", t.n[LG_CMP_IMPROVED]);
        lg_buf_puts(&b, ")");
    }
    if (inc) {
        lg_buf_printf(&b, "; %zu INCONCLUSIVE, too few samples to tell", inc);
        name_cells(&b, c, LG_CMP_INCONCLUSIVE);
    }
    size_t ob = c->only_base.n_steps, on = c->only_new.n_steps;
    if (ob)
        lg_buf_printf(&b, "; %zu step%s of BASE not in NEW (not compared)", ob, ob == 1 ? "" : "s");
    if (on)
        lg_buf_printf(&b, "; %zu step%s new in NEW (not compared)", on, on == 1 ? "" : "s");
    return lg_buf_take(&b);
}

static int write_doc(char *text, const char *path)
{
    int rc = lg_write_atomic(path, text, strlen(text));
    int e = errno;
    free(text);
    errno = e;
    return rc;
}

int lg_cmp_report_markdown_file(const struct lg_cmp_doc *d, const char *path)
{
    return write_doc(lg_cmp_report_markdown(d), path);
}

int lg_cmp_report_junit_file(const struct lg_cmp_doc *d, const char *path)
{
    return write_doc(lg_cmp_report_junit(d), path);
}

int lg_cmp_report_json_file(const struct lg_cmp_doc *d, const char *path)
{
    return write_doc(lg_cmp_report_json(d), path);
}
