/* cmp_text: the comparison of two runs as `loadgate compare` prints it: the runs, the
 * options, one table per row (overall, then each step) and the verdict line. Column
 * widths follow the data, as in the run's summary. */
#include "comparison.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmp_units.h"
#include "fmt.h"
#include "units.h"
#include "utf8.h"
#include "util.h"

#define NCOLS 8

static const char *const col_names[NCOLS] = {"metric", "base",        "new",        "change",
                                             "rel",    "base bounds", "new bounds", "status"};

/* A copy safe to print on a terminal: control characters become '?', bytes that are
 * not well-formed UTF-8 U+FFFD. Caller frees. */
static char *clean(const char *s)
{
    char *c = lg_utf8_clean(s ? s : "");
    for (unsigned char *p = (unsigned char *)c; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
    return c;
}

static size_t dwidth(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        w += (*p & 0xc0) != 0x80;
    return w;
}

static const char *status_text(enum lg_cmp_status s)
{
    switch (s) {
    case LG_CMP_REGRESSION:
        return "REGRESSION";
    case LG_CMP_INCONCLUSIVE:
        return "INCONCLUSIVE";
    case LG_CMP_OK:
        return "ok";
    case LG_CMP_IMPROVED:
        return "improved";
    default:
        return "";
    }
}

static void side_line(FILE *f, const char *tag, const char *path, const struct lg_result *r)
{
    char n[32];
    char *p = clean(path), *suite = clean(r->suite && *r->suite ? r->suite : "(unnamed)");
    fprintf(f, "%s  %s: suite %s, %s, %s request%s", tag, p, suite, lg_verdict_name(r->verdict),
            lg_fmt_count(r->requests, n, sizeof(n)), r->requests == 1 ? "" : "s");
    if (r->started_at) {
        char *at = clean(r->started_at);
        fprintf(f, ", started %s", at);
        free(at);
    }
    fputc('\n', f);
    free(p);
    free(suite);
}

static void row_table(FILE *f, const struct lg_comparison *c, const struct lg_cmp_row *row)
{
    char *label = lg_cmp_row_label(row), *shown = clean(label);
    char a[32], b[32];
    fprintf(f, "\n%s: %s → %s requests\n", shown, lg_fmt_count(row->base_requests, a, sizeof(a)),
            lg_fmt_count(row->new_requests, b, sizeof(b)));
    free(label);
    free(shown);

    char cells[LG_CMP_METRICS][NCOLS][64];
    size_t width[NCOLS];
    for (int k = 0; k < NCOLS; k++)
        width[k] = strlen(col_names[k]);
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        const struct lg_cmp_cell *cl = &row->cells[m];
        bool judged = lg_cmp_cell_judged(c, row, (enum lg_cmp_metric)m);
        char(*r)[64] = cells[m];
        snprintf(r[0], 64, "%s", lg_cmp_metric_name((enum lg_cmp_metric)m));
        lg_cmp_fmt_value(m, cl->has_base, cl->base, r[1], 64);
        lg_cmp_fmt_value(m, cl->has_new, cl->new, r[2], 64);
        lg_cmp_fmt_change(m, cl->abs_change, r[3], 64);
        lg_cmp_fmt_rel(cl->rel_change, r[4], 64);
        if (judged && cl->has_bounds) {
            lg_cmp_fmt_bounds(m, &cl->base_bounds, r[5], 64);
            lg_cmp_fmt_bounds(m, &cl->new_bounds, r[6], 64);
        } else {
            r[5][0] = r[6][0] = '\0';
        }
        snprintf(r[7], 64, "%s", judged ? status_text(cl->status) : "");
        for (int k = 0; k < NCOLS; k++)
            if (dwidth(r[k]) > width[k])
                width[k] = dwidth(r[k]);
    }
    for (int m = -1; m < LG_CMP_METRICS; m++) {
        struct lg_buf line = {0};
        lg_buf_puts(&line, " ");
        for (int k = 0; k < NCOLS; k++) {
            const char *s = m < 0 ? col_names[k] : cells[m][k];
            size_t padn = width[k] - dwidth(s);
            bool left = k == 0 || k >= 5;
            lg_buf_puts(&line, "  ");
            for (size_t i = 0; !left && i < padn; i++)
                lg_buf_putc(&line, ' ');
            lg_buf_puts(&line, s);
            for (size_t i = 0; left && i < padn; i++)
                lg_buf_putc(&line, ' ');
        }
        while (line.len && line.data[line.len - 1] == ' ')
            line.len--;
        fwrite(line.data, 1, line.len, f);
        fputc('\n', f);
        lg_buf_free(&line);
    }
}

static void list_names(FILE *f, const char *what, const struct lg_cmp_name *v, size_t n)
{
    if (!n)
        return;
    fprintf(f, "  %s:", what);
    for (size_t i = 0; i < n; i++) {
        char *s =
            v[i].scenario ? lg_asprintf("%s/%s", v[i].scenario, v[i].name) : lg_strdup(v[i].name);
        char *shown = clean(s);
        fprintf(f, "%s %s", i ? "," : "", shown);
        free(shown);
        free(s);
    }
    fputc('\n', f);
}

static void one_side(FILE *f, const char *title, const struct lg_cmp_one_side *s)
{
    if (!s->n_steps && !s->n_scenarios && !s->n_thresholds)
        return;
    fprintf(f, "\n%s (not compared):\n", title);
    list_names(f, "steps", s->steps, s->n_steps);
    list_names(f, "scenarios", s->scenarios, s->n_scenarios);
    list_names(f, "thresholds", s->thresholds, s->n_thresholds);
}

void lg_cmp_report_text(const struct lg_cmp_doc *d, FILE *f)
{
    const struct lg_comparison *c = d->c;
    char conf[32], budget[32];
    side_line(f, "BASE", d->base_path, d->base);
    side_line(f, "NEW ", d->new_path, d->new);
    lg_cmp_fmt_percent(c->opts.confidence, conf, sizeof(conf));
    fputs("judged:", f);
    const char *sep = " ";
    for (int m = 0; m < LG_CMP_METRICS; m++) {
        if (!lg_cmp_judged(c, (enum lg_cmp_metric)m))
            continue;
        fprintf(f, "%s%s (budget %s)", sep, lg_cmp_metric_name((enum lg_cmp_metric)m),
                lg_cmp_fmt_percent(c->opts.budget[m], budget, sizeof(budget)));
        sep = ", ";
    }
    fprintf(f, " at %s confidence\n", conf);
    if (d->settings) {
        char *shown = clean(d->settings);
        fprintf(f, "settings: %s\n", shown);
        free(shown);
    }
    if (c->different_suite)
        fputs("note: the runs are of different suites (allowed by --allow-different-suite)\n", f);
    if (d->new->verdict != LG_VERDICT_PASS)
        fprintf(f, "note: NEW's own verdict is %s; compare judges only the change from BASE\n",
                lg_verdict_name(d->new->verdict));

    row_table(f, c, &c->overall);
    for (size_t i = 0; i < c->n_rows; i++)
        row_table(f, c, &c->rows[i]);
    one_side(f, "only in BASE", &c->only_base);
    one_side(f, "only in NEW", &c->only_new);

    fprintf(f,
            "\nbounds: where each run's true value lies at %s confidence (? = too few samples "
            "to bound that side)\n",
            conf);
    char *v = lg_cmp_verdict_line(d), *shown = clean(v);
    fprintf(f, "verdict: %s\n", shown);
    free(shown);
    free(v);
}
