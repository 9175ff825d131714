/* cmp_junit: the comparison of two runs as JUnit XML for the test pane of CI systems:
 * a suite per row, a case per judged metric. A regression fails its case; an
 * inconclusive metric is a skipped case, which CI systems count and show apart from
 * the passed ones, so that "could not tell" never reads as a pass. */
#include "comparison.h"

#include <stdlib.h>
#include <string.h>

#include "cmp_units.h"
#include "escape.h"
#include "util.h"

/* The case's text: the figures and bounds that decided it. */
static char *case_text(const struct lg_comparison *c, enum lg_cmp_metric m,
                       const struct lg_cmp_cell *cl)
{
    char a[64], b[64], ch[64], rel[64], bb[160], nb[160], budget[32], conf[32];
    return lg_asprintf("base %s, new %s, change %s (%s); %s bounds: base %s, new %s; budget %s",
                       lg_cmp_fmt_value(m, cl->has_base, cl->base, a, sizeof(a)),
                       lg_cmp_fmt_value(m, cl->has_new, cl->new, b, sizeof(b)),
                       lg_cmp_fmt_change(m, cl->abs_change, ch, sizeof(ch)),
                       lg_cmp_fmt_rel(cl->rel_change, rel, sizeof(rel)),
                       lg_cmp_fmt_percent(c->opts.confidence, conf, sizeof(conf)),
                       lg_cmp_fmt_bounds(m, &cl->base_bounds, bb, sizeof(bb)),
                       lg_cmp_fmt_bounds(m, &cl->new_bounds, nb, sizeof(nb)),
                       lg_cmp_fmt_percent(cl->budget, budget, sizeof(budget)));
}

static void put_attr(struct lg_buf *b, const char *name, const char *value)
{
    lg_buf_printf(b, " %s=\"", name);
    lg_esc_xml(b, value);
    lg_buf_putc(b, '"');
}

/* One suite: the judged metrics of a row. Adds to the totals. */
static void put_row(struct lg_buf *out, const struct lg_cmp_doc *d, const struct lg_cmp_row *row,
                    size_t *tests, size_t *failures, size_t *skipped)
{
    const struct lg_comparison *c = d->c;
    struct lg_buf body = {0};
    char *label = lg_cmp_row_label(row);
    size_t n = 0, nf = 0, ns = 0;
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        const struct lg_cmp_cell *cl = &row->cells[m];
        if (!lg_cmp_cell_judged(c, row, (enum lg_cmp_metric)m))
            continue;
        n++;
        const char *name = lg_cmp_metric_name((enum lg_cmp_metric)m);
        char *text = case_text(c, (enum lg_cmp_metric)m, cl);
        lg_buf_puts(&body, "    <testcase");
        put_attr(&body, "name", name);
        put_attr(&body, "classname", label);
        bool fail = cl->status == LG_CMP_REGRESSION ||
                    (cl->status == LG_CMP_INCONCLUSIVE && d->fail_on_inconclusive);
        if (fail) {
            nf++;
            char *msg = lg_asprintf("%s %s: %s", name,
                                    cl->status == LG_CMP_REGRESSION
                                        ? "regressed beyond the budget"
                                        : "inconclusive (too few samples to tell), counted as "
                                          "a failure",
                                    text);
            lg_buf_puts(&body, ">\n      <failure");
            put_attr(&body, "message", msg);
            put_attr(&body, "type", lg_cmp_status_name(cl->status));
            lg_buf_puts(&body, "/>\n    </testcase>\n");
            free(msg);
        } else if (cl->status == LG_CMP_INCONCLUSIVE) {
            ns++;
            char *msg = lg_asprintf("%s inconclusive: too few samples to tell; %s", name, text);
            lg_buf_puts(&body, ">\n      <skipped");
            put_attr(&body, "message", msg);
            lg_buf_puts(&body, "/>\n    </testcase>\n");
            free(msg);
        } else {
            lg_buf_puts(&body, ">\n      <system-out>");
            lg_esc_xml(&body, lg_cmp_status_name(cl->status));
            lg_buf_puts(&body, ": ");
            lg_esc_xml(&body, text);
            lg_buf_puts(&body, "</system-out>\n    </testcase>\n");
        }
        free(text);
    }
    lg_buf_puts(out, "  <testsuite");
    put_attr(out, "name", label);
    lg_buf_printf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", n, nf,
                  ns);
    if (body.len)
        lg_buf_append(out, body.data, body.len);
    lg_buf_puts(out, "  </testsuite>\n");
    lg_buf_free(&body);
    free(label);
    *tests += n;
    *failures += nf;
    *skipped += ns;
}

/* The steps one side has and the other has not: skipped cases. */
static void put_one_side(struct lg_buf *out, const struct lg_comparison *c, size_t *tests,
                         size_t *skipped)
{
    size_t n = c->only_base.n_steps + c->only_new.n_steps;
    if (!n)
        return;
    lg_buf_printf(out,
                  "  <testsuite name=\"one side only\" tests=\"%zu\" failures=\"0\" errors=\"0\" "
                  "skipped=\"%zu\">\n",
                  n, n);
    for (int s = 0; s < 2; s++) {
        const struct lg_cmp_one_side *os = s == 0 ? &c->only_base : &c->only_new;
        for (size_t i = 0; i < os->n_steps; i++) {
            char *label = lg_asprintf("%s/%s", os->steps[i].scenario ? os->steps[i].scenario : "",
                                      os->steps[i].name);
            lg_buf_puts(out, "    <testcase");
            put_attr(out, "name", label);
            put_attr(out, "classname", "one side only");
            lg_buf_printf(out, ">\n      <skipped message=\"%s\"/>\n    </testcase>\n",
                          s == 0 ? "in BASE only: not compared" : "in NEW only: not compared");
            free(label);
        }
    }
    lg_buf_puts(out, "  </testsuite>\n");
    *tests += n;
    *skipped += n;
}

char *lg_cmp_report_junit(const struct lg_cmp_doc *d)
{
    const struct lg_comparison *c = d->c;
    struct lg_buf body = {0}, b = {0};
    size_t tests = 0, failures = 0, skipped = 0;
    put_row(&body, d, &c->overall, &tests, &failures, &skipped);
    for (size_t i = 0; i < c->n_rows; i++)
        put_row(&body, d, &c->rows[i], &tests, &failures, &skipped);
    put_one_side(&body, c, &tests, &skipped);
    lg_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    char *name = lg_asprintf("loadgate compare: %s", d->new->suite ? d->new->suite : "");
    put_attr(&b, "name", name);
    free(name);
    lg_buf_printf(&b, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", tests,
                  failures, skipped);
    lg_buf_append(&b, body.data, body.len);
    lg_buf_puts(&b, "</testsuites>\n");
    lg_buf_free(&body);
    return lg_buf_take(&b);
}
