/* html: the parts of report.html shared by the page (html.c) and its charts
 * (charts.c): HTML escaping, the downsampling rule, and the chart sections. Private
 * to reports/; the public API is lg_report_html in report.h. */
#ifndef LG_REPORT_HTML_H
#define LG_REPORT_HTML_H

#include <stddef.h>

#include "buf.h"
#include "result.h"

/* The most points a chart over time draws; longer series are downsampled. */
#define LG_HTML_MAX_POINTS 600
/* The points of a percentile distribution curve: every 0.05 decade of 1/(1-p),
 * from 0% to 99.999%. */
#define LG_HTML_DIST_POINTS 101

/* Appends s as HTML text or (double- or single-quoted) attribute content: & < > "
 * and ' as references, control characters as spaces, bytes that are not
 * well-formed UTF-8 as U+FFFD. NULL appends nothing. */
void lg_html_esc(struct lg_buf *b, const char *s);

/* How many consecutive series points one drawn point stands for: 1 up to
 * LG_HTML_MAX_POINTS points, else ceil(n / LG_HTML_MAX_POINTS), so that a chart
 * draws ceil(n / width) points. */
size_t lg_html_bucket_width(size_t n);

/* Appends the charts over time (latency percentiles, requests/s, errors, active VUs),
 * each an inline <svg data-chart=NAME data-points=N> with a legend. */
void lg_html_time_charts(struct lg_buf *b, const struct lg_result *r);

/* Appends the percentile distribution plots: all steps merged, then one per step;
 * corrected and uncorrected where they differ. */
void lg_html_distribution_charts(struct lg_buf *b, const struct lg_result *r);

#endif
