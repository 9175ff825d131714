/* cmp_markdown: the comparison of two runs as GitHub-flavoured Markdown for a
 * pull-request comment or a job summary: the verdict, the two runs, one table of every
 * row and metric, what one side only has. Every name is escaped to stay in its cell. */
#include "comparison.h"

#include <stdlib.h>
#include <string.h>

#include "cmp_units.h"
#include "escape.h"
#include "fmt.h"
#include "utf8.h"
#include "util.h"

#define MARK_OK "\xe2\x9c\x93"   /* ✓ */
#define MARK_FAIL "\xe2\x9c\x97" /* ✗ */
#define MARK_WARN "\xe2\x9a\xa0" /* ⚠ */
#define SEP " \xc2\xb7 "         /* " · " */

static const char *status_md(enum lg_cmp_status s)
{
    switch (s) {
    case LG_CMP_REGRESSION:
        return MARK_FAIL " **regression**";
    case LG_CMP_INCONCLUSIVE:
        return MARK_WARN " **inconclusive**";
    case LG_CMP_OK:
        return MARK_OK " ok";
    case LG_CMP_IMPROVED:
        return MARK_OK " improved";
    default:
        return "";
    }
}

static void side(FILE *f, const char *tag, const char *path, const struct lg_result *r)
{
    char n[32];
    fprintf(f, "- **%s:** `", tag);
    /* inside a code span nothing is read as Markdown but the backtick itself */
    char *clean = lg_utf8_clean(path ? path : "");
    for (const unsigned char *p = (const unsigned char *)clean; *p; p++)
        fputc(*p == '`' || *p < 0x20 || *p == 0x7f ? '?' : *p, f);
    free(clean);
    fputs("`" SEP "suite ", f);
    lg_esc_md(f, r->suite && *r->suite ? r->suite : "(unnamed)");
    fprintf(f, SEP "%s" SEP "%s request%s", lg_verdict_name(r->verdict),
            lg_fmt_count(r->requests, n, sizeof(n)), r->requests == 1 ? "" : "s");
    if (r->started_at) {
        fputs(SEP "started ", f);
        lg_esc_md(f, r->started_at);
    }
    fputc('\n', f);
}

static void row_lines(FILE *f, const struct lg_comparison *c, const struct lg_cmp_row *row)
{
    char *label = lg_cmp_row_label(row);
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        const struct lg_cmp_cell *cl = &row->cells[m];
        bool judged = lg_cmp_cell_judged(c, row, (enum lg_cmp_metric)m);
        char a[64], b[64], ch[64], rel[64];
        fputs("| ", f);
        if (m == 0) {
            if (row->step)
                lg_esc_md(f, label);
            else
                fputs("**overall**", f);
        }
        fprintf(f, " | %s | %s | %s | %s | %s |", lg_cmp_metric_name((enum lg_cmp_metric)m),
                lg_cmp_fmt_value(m, cl->has_base, cl->base, a, sizeof(a)),
                lg_cmp_fmt_value(m, cl->has_new, cl->new, b, sizeof(b)),
                lg_cmp_fmt_change(m, cl->abs_change, ch, sizeof(ch)),
                lg_cmp_fmt_rel(cl->rel_change, rel, sizeof(rel)));
        if (judged && cl->has_bounds)
            fprintf(f, " %s | %s | %s |\n", lg_cmp_fmt_bounds(m, &cl->base_bounds, a, sizeof(a)),
                    lg_cmp_fmt_bounds(m, &cl->new_bounds, b, sizeof(b)), status_md(cl->status));
        else
            fputs("  |  |  |\n", f);
    }
    free(label);
}

static void names(FILE *f, const char *what, const struct lg_cmp_name *v, size_t n)
{
    if (!n)
        return;
    fprintf(f, "  - %s: ", what);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        if (v[i].scenario) {
            lg_esc_md(f, v[i].scenario);
            fputc('/', f);
        }
        lg_esc_md(f, v[i].name);
    }
    fputc('\n', f);
}

static void one_side(FILE *f, const char *title, const struct lg_cmp_one_side *s)
{
    if (!s->n_steps && !s->n_scenarios && !s->n_thresholds)
        return;
    fprintf(f, "- **%s** (not compared)\n", title);
    names(f, "steps", s->steps, s->n_steps);
    names(f, "scenarios", s->scenarios, s->n_scenarios);
    names(f, "thresholds", s->thresholds, s->n_thresholds);
}

static void render(const struct lg_cmp_doc *d, FILE *f)
{
    const struct lg_comparison *c = d->c;
    bool failed = lg_cmp_doc_failed(d);
    const char *mark = failed ? MARK_FAIL : c->status == LG_CMP_INCONCLUSIVE ? MARK_WARN : MARK_OK;
    char *v = lg_cmp_verdict_line(d);
    fprintf(f, "## %s loadgate compare: ", mark);
    lg_esc_md(f, v);
    fputs("\n\n", f);
    free(v);
    side(f, "Base", d->base_path, d->base);
    side(f, "New", d->new_path, d->new);
    char conf[32], budget[32];
    fputs("- **Judged:** ", f);
    const char *sep = "";
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        if (!lg_cmp_judged(c, (enum lg_cmp_metric)m))
            continue;
        fprintf(f, "%s%s (budget %s)", sep, lg_cmp_metric_name((enum lg_cmp_metric)m),
                lg_cmp_fmt_percent(c->opts.budget[m], budget, sizeof(budget)));
        sep = ", ";
    }
    fprintf(f, " at %s confidence\n", lg_cmp_fmt_percent(c->opts.confidence, conf, sizeof(conf)));
    if (d->settings) {
        fputs("- **Settings:** ", f);
        lg_esc_md(f, d->settings);
        fputc('\n', f);
    }
    if (c->different_suite)
        fputs("- **Note:** the runs are of different suites\n", f);
    one_side(f, "Only in base", &c->only_base);
    one_side(f, "Only in new", &c->only_new);
    fprintf(f,
            "\n| Step | Metric | Base | New | Change | Rel. | Base %s bounds | New %s bounds | "
            "Status |\n",
            conf, conf);
    fputs("|---|---|--:|--:|--:|--:|---|---|---|\n", f);
    row_lines(f, c, &c->overall);
    for (size_t i = 0; i < c->n_rows; i++)
        row_lines(f, c, &c->rows[i]);
    fputs("\nBounds: where each run's true value lies at that confidence (? = too few samples "
          "to bound that side). Inconclusive: the runs are too small to tell.\n",
          f);
}

char *lg_cmp_report_markdown(const struct lg_cmp_doc *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        fprintf(stderr, "loadgate: out of memory writing the Markdown comparison\n");
        abort();
    }
    render(d, f);
    if (fclose(f) != 0 || !text) {
        fprintf(stderr, "loadgate: out of memory writing the Markdown comparison\n");
        abort();
    }
    return text;
}
