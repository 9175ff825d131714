/* charts: the inline SVG charts of report.html, drawn from the result alone: latency
 * percentiles, requests/s, errors and active VUs over time (downsampled to at most
 * LG_HTML_MAX_POINTS points), and HdrHistogram-style percentile distributions.
 * Each series is one <path> whose coordinate pairs are its points. */
#include "html.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "hist.h"
#include "units.h"
#include "util.h"

/* Beyond any value a run measures; larger ones (a hand-made result) are clamped so
 * that every coordinate stays finite and printable. */
#define VALUE_CAP 1e12
#define TIME_CAP 1e9

enum unit { U_MS, U_RATE, U_COUNT };
static const char *const unit_names[] = {"ms", "per_s", "count"};

struct series {
    const char *name;  /* data-series, and the legend unless label is given */
    const char *cls;   /* CSS classes: colour, dash */
    double *y;         /* n values; NAN: none (a gap in the line) */
    const char *label; /* the legend's HTML, or NULL */
    bool under;        /* drawn before the others, beneath them */
};

struct chart {
    const char *id;    /* data-chart */
    const char *title; /* aria-label and <title> */
    bool pct;          /* x: decades of 1/(1-p) from 0 to 5; else seconds */
    const double *x;   /* n values */
    size_t n;
    struct series *s;
    size_t n_s;
    enum unit unit;
    int w, h;          /* viewBox */
    const char *empty; /* said in the frame when nothing can be drawn */
    const char *extra; /* more attributes for the <svg> (data-step), or NULL */
};

/* The margins of the plot inside the viewBox: labels left and below, the hover
 * read-out above. */
#define M_LEFT 58
#define M_RIGHT 14
#define M_RIGHT_PCT 26 /* room for half of "99.999%" centred on the last decade */
#define M_TOP 22
#define M_BOTTOM 24

size_t lg_html_bucket_width(size_t n)
{
    return n <= LG_HTML_MAX_POINTS ? 1 : (n + LG_HTML_MAX_POINTS - 1) / LG_HTML_MAX_POINTS;
}

static double clamp_value(double v)
{
    if (!isfinite(v))
        return NAN;
    return v < 0 ? 0 : v > VALUE_CAP ? VALUE_CAP : v;
}

/* A step of 1, 2, 2.5 or 5 times a power of ten at least raw (integers only for
 * counts, which have no 2.5). */
static double nice_step(double raw, bool integer)
{
    if (!(raw > 0))
        return 1;
    double p = pow(10, floor(log10(raw))), f = raw / p;
    if (!(p > 0)) /* raw too small for its power of ten to be a double */
        return 1;
    double m = f <= 1 ? 1 : f <= 2 ? 2 : (f <= 2.5 && !integer) ? 2.5 : f <= 5 ? 5 : 10;
    double step = m * p;
    return integer && step < 1 ? 1 : step;
}

/* Drops the trailing zeros of the first decimal number in a: an axis label reads
 * best as "50ms", "1.5s", "0.5". */
static void trim_zeros(char *a)
{
    char *dot = strchr(a, '.');
    if (!dot)
        return;
    char *end = dot + 1 + strspn(dot + 1, "0123456789"), *z = end;
    while (z > dot + 1 && z[-1] == '0')
        z--;
    if (z == dot + 1)
        z = dot;
    memmove(z, end, strlen(end) + 1);
}

static void put_value(struct lg_buf *b, double v, enum unit u, double step)
{
    char a[64];
    if (v == 0) {
        lg_buf_putc(b, '0');
        return;
    }
    if (u == U_MS) {
        lg_report_fmt_ms(v, a, sizeof(a));
    } else if (step != floor(step)) {
        /* as many decimals as the step has: 0.25 -> 2, 2.5 -> 1 */
        int d = 1;
        while (d < 6 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-6)
            d++;
        snprintf(a, sizeof(a), "%.*f", d, v);
    } else if (v < 1e15) {
        lg_fmt_count((uint64_t)llround(v), a, sizeof(a));
    } else {
        snprintf(a, sizeof(a), "%.3g", v);
    }
    if (u != U_COUNT)
        trim_zeros(a);
    lg_buf_puts(b, a);
}

/* Seconds as an axis label: "0", "45s", "2m", "1m30s", "1h", "1h30m". */
static void put_seconds(struct lg_buf *b, double t)
{
    long long s = llround(t);
    if (s == 0)
        lg_buf_putc(b, '0');
    else if (s < 60)
        lg_buf_printf(b, "%llds", s);
    else if (s < 3600)
        lg_buf_printf(b, s % 60 ? "%lldm%02llds" : "%lldm", s / 60, s % 60);
    else
        lg_buf_printf(b, s % 3600 / 60 ? "%lldh%02lldm" : "%lldh", s / 3600, s % 3600 / 60);
}

/* A step between time labels: a round number of seconds, minutes or hours giving
 * at most `most` labels over [0, tmax]. */
static double time_step(double tmax, int most)
{
    static const double steps[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                   600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++)
        if (tmax / steps[i] <= most)
            return steps[i];
    return nice_step(tmax / most, true);
}

static const char *const pct_labels[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};

static void draw(struct lg_buf *b, const struct chart *c)
{
    const double x0 = M_LEFT, x1 = c->w - (c->pct ? M_RIGHT_PCT : M_RIGHT), y0 = M_TOP,
                 y1 = c->h - M_BOTTOM;
    double xmax = c->pct ? 5 : 1, ymax = 0;
    bool any = false;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->pct && c->x[i] > xmax)
            xmax = c->x[i];
        for (size_t k = 0; k < c->n_s; k++)
            if (isfinite(c->s[k].y[i])) {
                any = true;
                ymax = c->s[k].y[i] > ymax ? c->s[k].y[i] : ymax;
            }
    }
    bool integer = c->unit == U_COUNT;
    double step = nice_step(ymax / 4, integer);
    double top = ymax > 0 ? ceil(ymax / step - 1e-9) * step : step;
    if (!(top > 0)) /* ymax a tiny fraction of the step: the slack above rounds it to 0 */
        top = step;
    int ticks = (int)llround(top / step);

    lg_buf_printf(b,
                  "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\" "
                  "data-chart=\"%s\" data-points=\"%zu\" data-x=\"%s\" data-unit=\"%s\" "
                  "data-top=\"%.6g\" data-xmax=\"%.6g\" data-plot=\"%.0f %.0f %.0f %.0f\"%s%s>"
                  "<title>%s</title>\n",
                  c->w, c->h, c->title, c->id, c->n, c->pct ? "pct" : "time", unit_names[c->unit],
                  top, xmax, x0, y0, x1, y1, c->extra ? " " : "", c->extra ? c->extra : "",
                  c->title);
    /* horizontal grid lines with the y labels */
    for (int i = 0; i <= ticks; i++) {
        double v = step * i, y = y1 - (v / top) * (y1 - y0);
        lg_buf_printf(b, "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>",
                      x0, x1, y, y);
        lg_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", x0 - 6, y + 4);
        put_value(b, v, c->unit, step);
        lg_buf_puts(b, "</text>\n");
    }
    /* x labels: percentiles at each decade, or round times */
    if (c->pct) {
        for (int d = 0; d <= 5; d++) {
            double x = x0 + d / 5.0 * (x1 - x0);
            lg_buf_printf(b,
                          "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\"/>"
                          "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\">%s</text>\n",
                          x, x, y0, y1, x, y1 + 16, d == 0 ? "start" : "middle", pct_labels[d]);
        }
    } else {
        double ts = time_step(xmax, (int)((x1 - x0) / 70));
        for (int i = 0; i * ts <= xmax + 1e-9; i++) {
            double x = x0 + i * ts / xmax * (x1 - x0);
            lg_buf_printf(b,
                          "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\"/>"
                          "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\">",
                          x, x, y1, y1 + 4, x, y1 + 16, i == 0 ? "start" : "middle");
            put_seconds(b, i * ts);
            lg_buf_puts(b, "</text>\n");
        }
    }
    lg_buf_printf(b, "<path class=\"axis\" d=\"M%.0f,%.0fV%.0fH%.0f\"/>\n", x0, y0, y1, x1);
    if (!any) {
        lg_buf_printf(
            b, "<text class=\"empty\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>",
            (x0 + x1) / 2, (y0 + y1) / 2, c->empty);
        lg_buf_puts(b, "</svg>\n");
        return;
    }
    for (size_t j = 0; j < 2 * c->n_s; j++) {
        /* the series drawn beneath the others first */
        const struct series *s = &c->s[j % c->n_s];
        if (s->under != (j < c->n_s))
            continue;
        lg_buf_printf(b, "<path class=\"s %s\" data-series=\"%s\" d=\"", s->cls, s->name);
        for (size_t i = 0; i < c->n; i++) {
            if (!isfinite(s->y[i]))
                continue;
            double x = x0 + c->x[i] / xmax * (x1 - x0), y = y1 - s->y[i] / top * (y1 - y0);
            bool first = i == 0 || !isfinite(s->y[i - 1]);
            bool last = i + 1 == c->n || !isfinite(s->y[i + 1]);
            /* a point alone between gaps: a short dash centred on it, or it would not show */
            if (first && last)
                lg_buf_printf(b, "M%.1f,%.1fh5", x - 2.5, y);
            else
                lg_buf_printf(b, "%c%.1f,%.1f", first ? 'M' : 'L', x, y);
        }
        lg_buf_puts(b, "\"/>\n");
    }
    lg_buf_puts(b, "</svg>\n");
}

/* A figure: caption (title, legend keys, a note) and the chart. */
static void figure(struct lg_buf *b, const struct chart *c, const char *caption_html,
                   const char *note)
{
    lg_buf_printf(b, "<figure>\n<figcaption><span class=\"t\">%s</span>", caption_html);
    for (size_t k = 0; k < c->n_s; k++)
        lg_buf_printf(b, "<span><i class=\"key %s\"></i>%s</span>", c->s[k].cls,
                      c->s[k].label ? c->s[k].label : c->s[k].name);
    if (note)
        lg_buf_printf(b, "<span class=\"note\">%s</span>", note);
    lg_buf_puts(b, "</figcaption>\n");
    draw(b, c);
    lg_buf_puts(b, "</figure>\n");
}

void lg_html_time_charts(struct lg_buf *b, const struct lg_result *r)
{
    size_t n = r->n_series, w = lg_html_bucket_width(n), nb = (n + w - 1) / w;
    double *x = lg_calloc(nb + 1, sizeof(double));
    double *v[6];
    for (int k = 0; k < 6; k++)
        v[k] = lg_calloc(nb + 1, sizeof(double));
    double *p50 = v[0], *p95 = v[1], *p99 = v[2], *rps = v[3], *err = v[4], *vus = v[5];
    for (size_t k = 0; k < nb; k++) {
        size_t lo = k * w, hi = lo + w < n ? lo + w : n;
        double t = (double)r->series[hi - 1].t_s + 1;
        x[k] = t < 0 ? 0 : t > TIME_CAP ? TIME_CAP : t;
        p50[k] = p95[k] = p99[k] = NAN;
        double requests = 0, errors = 0, users = 0;
        for (size_t i = lo; i < hi; i++) {
            const struct lg_result_point *p = &r->series[i];
            requests += (double)p->requests;
            errors += (double)p->errors;
            users = p->vus > users ? p->vus : users;
            /* A second without a timed request (none sent, or none answered: an
             * empty histogram gives 0, a real sample at least 1us) has no latency:
             * a gap in the line, not a zero. */
            if (!p->requests || !(p->p99_ms > 0))
                continue;
            double q[3] = {clamp_value(p->p50_ms), clamp_value(p->p95_ms), clamp_value(p->p99_ms)};
            double *o[3] = {&p50[k], &p95[k], &p99[k]};
            for (int j = 0; j < 3; j++)
                if (isfinite(q[j]) && !(*o[j] >= q[j]))
                    *o[j] = q[j];
        }
        rps[k] = clamp_value(requests / (double)(hi - lo));
        err[k] = clamp_value(errors);
        vus[k] = users;
    }

    char *note_lat, *note_rps, *note_err, *note_vus;
    if (w == 1) {
        note_lat = lg_strdup("each second's percentiles");
        note_rps = lg_strdup("per second");
        note_err = lg_strdup("failed requests per second");
        note_vus = lg_strdup("each second");
    } else {
        note_lat = lg_asprintf("one point per %zu s: the highest of its seconds' percentiles", w);
        note_rps = lg_asprintf("one point per %zu s: their mean", w);
        note_err = lg_asprintf("one point per %zu s: failed requests in them (sum)", w);
        note_vus = lg_asprintf("one point per %zu s: the most active", w);
    }
    const char *empty = "no time series: the run ended within its first second";
    struct series lat[] = {{"p50", "c1", p50, NULL, false},
                           {"p95", "c2", p95, NULL, false},
                           {"p99", "c3", p99, NULL, false}};
    struct chart c = {.id = "latency",
                      .title = "Latency percentiles over time",
                      .x = x,
                      .n = nb,
                      .s = lat,
                      .n_s = 3,
                      .unit = U_MS,
                      .w = 1000,
                      .h = 260,
                      .empty = empty};
    lg_buf_puts(b, "<div class=\"charts\">\n");
    figure(b, &c, "Latency over time", note_lat);
    struct series s_rps[] = {{"requests/s", "c1", rps, NULL, false}};
    c.id = "rps";
    c.title = "Requests per second over time";
    c.s = s_rps;
    c.n_s = 1;
    c.unit = U_RATE;
    c.h = 200;
    figure(b, &c, "Requests per second", note_rps);
    lg_buf_puts(b, "<div class=\"two\">\n");
    struct series s_err[] = {{"errors", "c3", err, NULL, false}};
    c.id = "errors";
    c.title = "Failed requests over time";
    c.s = s_err;
    c.unit = U_COUNT;
    c.w = 490;
    figure(b, &c, "Errors", note_err);
    struct series s_vus[] = {{"active VUs", "c4", vus, NULL, false}};
    c.id = "vus";
    c.title = "Active virtual users over time";
    c.s = s_vus;
    figure(b, &c, "Active VUs", note_vus);
    lg_buf_puts(b, "</div>\n</div>\n");

    free(note_lat);
    free(note_rps);
    free(note_err);
    free(note_vus);
    for (int k = 0; k < 6; k++)
        free(v[k]);
    free(x);
}

/* The value at each LG_HTML_DIST_POINTS percentile of h, in milliseconds. */
static void percentiles(const struct lg_hist *h, double *y)
{
    for (int k = 0; k < LG_HTML_DIST_POINTS; k++) {
        double d = k * 5.0 / (LG_HTML_DIST_POINTS - 1);
        double p = k == LG_HTML_DIST_POINTS - 1 ? 99.999 : 100.0 * (1.0 - pow(10, -d));
        y[k] = clamp_value((double)lg_hist_percentile(h, p) / 1e3);
    }
}

static bool same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool has_samples(const struct lg_hist *h)
{
    return h && h->total_count > 0;
}

/* The baseline's curve on a distribution chart (`run --baseline`): its histogram
 * (NULL: none on this chart) and the legend's HTML. */
struct overlay {
    const struct lg_hist *h;
    const char *label;
};

/* One distribution chart: corrected (h), uncorrected (u) when given and different
 * anywhere, and the baseline's curve when the run's is drawn and the baseline has
 * samples. title and note are HTML. */
static void distribution(struct lg_buf *b, const char *id, const char *extra, const char *title,
                         const char *note, const struct lg_hist *h, const struct lg_hist *u,
                         const struct overlay *base, bool open, int w, int height)
{
    double x[LG_HTML_DIST_POINTS], yc[LG_HTML_DIST_POINTS], yu[LG_HTML_DIST_POINTS],
        yb[LG_HTML_DIST_POINTS];
    for (int k = 0; k < LG_HTML_DIST_POINTS; k++)
        x[k] = k * 5.0 / (LG_HTML_DIST_POINTS - 1);
    bool timed = has_samples(h);
    if (timed)
        percentiles(h, yc);
    else
        for (int k = 0; k < LG_HTML_DIST_POINTS; k++)
            yc[k] = NAN;
    bool differ = false;
    if (timed && has_samples(u)) {
        percentiles(u, yu);
        for (int k = 0; k < LG_HTML_DIST_POINTS; k++)
            differ = differ || yu[k] != yc[k];
    }
    struct series s[3] = {{open ? "corrected" : "latency", "c1", yc, NULL, false}};
    size_t n_s = 1;
    if (differ)
        s[n_s++] = (struct series){"uncorrected", "c2 dash", yu, NULL, false};
    if (timed && base && has_samples(base->h)) {
        percentiles(base->h, yb);
        s[n_s++] = (struct series){"baseline", "base", yb, base->label, true};
    }
    struct chart c = {.id = id,
                      .title = "Latency by percentile",
                      .pct = true,
                      .x = x,
                      .n = LG_HTML_DIST_POINTS,
                      .s = s,
                      .n_s = n_s,
                      .unit = U_MS,
                      .w = w,
                      .h = height,
                      .empty = "no time sample",
                      .extra = extra};
    char *full =
        lg_asprintf("%s%s%s", note ? note : "", note ? " \xc2\xb7 " : "", "uncorrected: the same");
    if (!differ && timed && has_samples(u))
        note = full;
    figure(b, &c, title, note);
    free(full);
}

void lg_html_distribution_charts(struct lg_buf *b, const struct lg_result *r)
{
    struct lg_hist *all = lg_hist_new(), *all_u = lg_hist_new();
    bool any_u = false;
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        /* A histogram with other settings (a hand-made result) cannot be merged: the
         * overall curve then leaves it out rather than fail the page. */
        if (s->histogram)
            (void)lg_hist_merge(all, s->histogram);
        if (s->has_uncorrected && s->histogram_uncorrected) {
            (void)lg_hist_merge(all_u, s->histogram_uncorrected);
            any_u = true;
        }
    }
    bool open = r->schedule.open;
    /* The baseline's curves: in results of `run --baseline` that recorded them. */
    const struct lg_result_baseline *bl = &r->baseline;
    bool overlay = bl->has && bl->histogram;
    struct lg_buf label = {0};
    if (overlay) {
        lg_buf_puts(&label, "baseline");
        if (bl->started_at) {
            lg_buf_puts(&label, " of ");
            lg_html_esc(&label, bl->started_at);
        }
        lg_buf_puts(&label, " (wide band)");
    }
    struct overlay ov = {bl->histogram, label.data};
    char a[32];
    char *note =
        lg_asprintf("%s timed requests",
                    lg_fmt_count(has_samples(all) ? (uint64_t)all->total_count : 0, a, sizeof(a)));
    distribution(b, "distribution", NULL, "All steps", note, all, any_u ? all_u : NULL,
                 overlay ? &ov : NULL, open, 1000, 280);
    free(note);
    lg_hist_free(all);
    lg_hist_free(all_u);
    if (!r->n_steps) {
        lg_buf_free(&label);
        return;
    }
    lg_buf_puts(b, "<div class=\"multiples\">\n");
    struct lg_buf cap = {0};
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        lg_buf_reset(&cap);
        lg_html_esc(&cap, s->scenario);
        lg_buf_putc(&cap, '/');
        lg_html_esc(&cap, s->name);
        /* the baseline's step of the same scenario and name, as compare matches them */
        ov.h = NULL;
        for (size_t j = 0; overlay && j < bl->n_steps && !ov.h; j++)
            if (same(bl->steps[j].scenario, s->scenario) && same(bl->steps[j].step, s->name))
                ov.h = bl->steps[j].histogram;
        note = lg_asprintf(
            "%s timed%s",
            lg_fmt_count(has_samples(s->histogram) ? (uint64_t)s->histogram->total_count : 0, a,
                         sizeof(a)),
            overlay && !ov.h ? " \xc2\xb7 not in the baseline" : "");
        char *extra = lg_asprintf("data-step=\"%zu\"", i);
        distribution(b, "step-distribution", extra, cap.data, note, s->histogram,
                     s->has_uncorrected ? s->histogram_uncorrected : NULL,
                     overlay && ov.h ? &ov : NULL, open, 360, 180);
        free(extra);
        free(note);
    }
    lg_buf_free(&cap);
    lg_buf_free(&label);
    lg_buf_puts(b, "</div>\n");
}
