/* html: report.html, one self-contained page for a person looking at a run: the
 * verdict first, the run's metadata, the gate, charts drawn as inline SVG
 * (charts.c), the per-step table, failed checks, errors and the open model's
 * schedule. It loads nothing: a Content-Security-Policy allows only its own style
 * and hover script by their hashes, and it reads the same with JavaScript off. */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "atomicfile.h"
#include "fmt.h"
#include "html.h"
#include "regress.h"
#include "units.h"
#include "url.h"
#include "utf8.h"
#include "util.h"

#define MARK_OK "\xe2\x9c\x93"   /* ✓ */
#define MARK_FAIL "\xe2\x9c\x97" /* ✗ */
#define SEP " \xc2\xb7 "         /* " · " */
#define TIMES "\xc3\x97"         /* × */
#define DASH "-"

static const char style[] =
    ":root{--fg:#1d2330;--muted:#5b6475;--line:#dde1e8;--pass:#1a7f37;--fail:#cf222e;"
    "--abort:#a04100}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu "
    "Sans',sans-serif;color:var(--fg);background:#f4f5f7}\n"
    "header{color:#fff;padding:14px 0}\n"
    "header.pass{background:var(--pass)}header.fail{background:var(--fail)}"
    "header.aborted{background:var(--abort)}\n"
    ".in{max-width:1180px;margin:0 auto;padding:0 24px}\n"
    "header h1{margin:0;font-size:26px;letter-spacing:.5px}\n"
    "header .why{margin:6px 0 0;font-size:17px;font-weight:600}\n"
    "header .sub{margin:4px 0 0;opacity:.92}\n"
    "main{max-width:1180px;margin:0 auto;padding:6px 24px 32px}\n"
    "section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px "
    "16px;margin:12px 0}\n"
    "h2{font-size:16px;margin:0 0 8px}\n"
    "h3{font-size:14px;margin:12px 0 6px}\n"
    "table{border-collapse:collapse;width:100%;font-size:13px}\n"
    "th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;"
    "vertical-align:top}\n"
    "table.narrow{width:auto;min-width:50%}\n"
    "table.steps{font-size:12.5px}table.steps th,table.steps td{padding:3px 5px}\n"
    ".nw{white-space:nowrap}\n"
    "th{color:var(--muted);font-weight:600;white-space:nowrap}\n"
    "th.g{text-align:center;border-bottom:2px solid var(--line)}\n"
    ".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".m{width:1.6em;text-align:center;font-weight:700}\n"
    ".ok{color:var(--pass)}.bad{color:var(--fail)}.warn{color:#9a6700}\n"
    ".wrap{overflow-x:auto}\n"
    "dl{display:grid;grid-template-columns:repeat(3,max-content 1fr);gap:3px 18px;margin:0}\n"
    "dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}\n"
    "figure{margin:0 0 14px}\n"
    "figcaption{display:flex;flex-wrap:wrap;gap:2px 14px;align-items:baseline;font-size:13px;"
    "margin-bottom:2px}\n"
    "figcaption .t{font-weight:600}figcaption .note{color:var(--muted)}\n"
    ".key{display:inline-block;width:16px;height:3px;vertical-align:middle;margin-right:5px}\n"
    ".two{display:grid;grid-template-columns:1fr 1fr;gap:16px}\n"
    ".multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));"
    "gap:4px 16px}\n"
    "svg.chart{width:100%;height:auto;display:block}\n"
    "svg.chart text{font-size:11px;fill:var(--muted)}\n"
    "svg.chart .empty{font-size:13px;fill:#8a93a3}\n"
    ".grid{stroke:#eceef2}.axis{stroke:#9aa3b2;fill:none}\n"
    "path.s{fill:none;stroke-width:1.6;stroke-linejoin:round;stroke-linecap:round}\n"
    ".c1{stroke:#2f6fdb}.c2{stroke:#e08a00}.c3{stroke:#cf222e}.c4{stroke:#6e40c9}\n"
    ".key.c1{background:#2f6fdb}.key.c2{background:#e08a00}.key.c3{background:#cf222e}"
    ".key.c4{background:#6e40c9}\n"
    "path.dash{stroke-dasharray:6 4}"
    ".key.dash{background:repeating-linear-gradient(90deg,#e08a00 0 6px,transparent 6px "
    "9px)}\n"
    /* the baseline: a wide pale band beneath the run's lines, told apart by its width
     * and lightness rather than its hue (and dashes are the uncorrected curve's) */
    "path.base{stroke:#5b6475;stroke-width:7;stroke-opacity:.3}"
    ".key.base{height:7px;background:#5b6475;opacity:.3}\n"
    ".guide{stroke:#5b6475;stroke-dasharray:3 3;visibility:hidden}\n"
    "svg.chart .readout{fill:var(--fg);font-weight:600;visibility:hidden}\n"
    "svg.hover .guide,svg.hover .readout{visibility:visible}\n"
    "footer{color:var(--muted);font-size:12px;margin-top:8px}\n"
    "@media (max-width:1000px){dl{grid-template-columns:repeat(2,max-content 1fr)}}\n"
    "@media (max-width:700px){.two{grid-template-columns:1fr}"
    "dl{grid-template-columns:max-content 1fr}}\n";

/* Hover details: a guide line and a read-out of each series' value at the nearest
 * point, read back from the path's coordinates and the chart's data attributes. The
 * page says everything without it. */
static const char script[] =
    "(function(){\n"
    "function fms(v){if(v<1)return Math.round(v*1000)+'us';var u='ms';"
    "if(v>=1000){v/=1000;u='s';}return(v<10?v.toFixed(2):v<100?v.toFixed(1):v.toFixed(0))+u;}\n"
    "function fmt(v,u){if(u==='ms')return fms(v);if(u==='per_s')return(v<10?v.toFixed(2):"
    "v.toFixed(1))+'/s';return String(Math.round(v));}\n"
    "function fx(x,k){if(k==='pct'){var p=100*(1-Math.pow(10,-x));"
    "return(p<90?p.toFixed(0):p.toFixed(Math.min(3,Math.ceil(x-1))))+'%';}"
    "var s=Math.round(x);return'at '+(s<60?s+'s':Math.floor(s/60)+'m'+('0'+s%60).slice(-2)+'s');}\n"
    "function setup(svg){\n"
    "var pl=svg.getAttribute('data-plot').split(' ').map(Number),top=+svg.getAttribute("
    "'data-top'),xmax=+svg.getAttribute('data-xmax'),unit=svg.getAttribute('data-unit'),"
    "kind=svg.getAttribute('data-x');\n"
    "var ser=[].map.call(svg.querySelectorAll('path[data-series]'),function(p){"
    "return{n:p.getAttribute('data-series'),p:(p.getAttribute('d').match(/[0-9.]+,[0-9.]+/g)"
    "||[]).map(function(s){var a=s.split(',');return[+a[0],+a[1]];})};});\n"
    "if(!ser.length)return;\n"
    "var ns='http://www.w3.org/2000/svg',g=document.createElementNS(ns,'line'),"
    "t=document.createElementNS(ns,'text');\n"
    "g.setAttribute('class','guide');g.setAttribute('y1',pl[1]);g.setAttribute('y2',pl[3]);\n"
    "t.setAttribute('class','readout');t.setAttribute('x',pl[2]);t.setAttribute('y',pl[1]-8);"
    "t.setAttribute('text-anchor','end');svg.appendChild(g);svg.appendChild(t);\n"
    "svg.addEventListener('mousemove',function(e){var m=svg.getScreenCTM();if(!m)return;"
    "var q=svg.createSVGPoint();q.x=e.clientX;q.y=e.clientY;q=q.matrixTransform(m.inverse());\n"
    "if(q.x<pl[0]||q.x>pl[2]){svg.classList.remove('hover');return;}\n"
    "var out=[],gx=null;ser.forEach(function(s){var b=null;s.p.forEach(function(c){"
    "if(!b||Math.abs(c[0]-q.x)<Math.abs(b[0]-q.x))b=c;});if(!b)return;if(gx===null)gx=b[0];"
    "out.push(s.n+' '+fmt((pl[3]-b[1])/(pl[3]-pl[1])*top,unit));});\n"
    "var xv=(gx-pl[0])/(pl[2]-pl[0])*xmax;t.textContent=fx(xv,kind)+'   '+out.join('   ');\n"
    "g.setAttribute('x1',gx);g.setAttribute('x2',gx);svg.classList.add('hover');});\n"
    "svg.addEventListener('mouseleave',function(){svg.classList.remove('hover');});}\n"
    "var c=document.querySelectorAll('svg[data-chart]');for(var i=0;i<c.length;i++)setup(c[i]);"
    "\n})();\n";

void lg_html_esc(struct lg_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&':
                lg_buf_puts(b, "&amp;");
                break;
            case '<':
                lg_buf_puts(b, "&lt;");
                break;
            case '>':
                lg_buf_puts(b, "&gt;");
                break;
            case '"':
                lg_buf_puts(b, "&quot;");
                break;
            case '\'':
                lg_buf_puts(b, "&#39;");
                break;
            default:
                lg_buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
            }
            p++;
            continue;
        }
        size_t n = lg_utf8_seq(p);
        if (n) {
            lg_buf_append(b, p, n);
            p += n;
        } else {
            lg_buf_puts(b, "\xef\xbf\xbd");
            p++;
        }
    }
}

/* 'sha256-BASE64' of text, as a Content-Security-Policy source names it. */
static void csp_hash(const char *text, char out[64])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(text, strlen(text), md, &len, EVP_sha256(), NULL)) {
        fprintf(stderr, "loadgate: SHA-256 is not available\n");
        abort();
    }
    unsigned char b64[48];
    EVP_EncodeBlock(b64, md, (int)len);
    snprintf(out, 64, "'sha256-%s'", (const char *)b64);
}

static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

static void put_count(struct lg_buf *b, uint64_t v)
{
    char a[32];
    lg_buf_puts(b, lg_fmt_count(v, a, sizeof(a)));
}

static void put_ms(struct lg_buf *b, double ms)
{
    char a[32];
    lg_buf_puts(b, lg_report_fmt_ms(ms, a, sizeof(a)));
}

static void put_rate(struct lg_buf *b, double v)
{
    char a[48];
    lg_buf_puts(b, lg_report_fmt_rate(v, a, sizeof(a)));
}

static const char *verdict_name(enum lg_verdict v)
{
    return v == LG_VERDICT_PASS      ? "PASS"
           : v == LG_VERDICT_FAIL    ? "FAIL"
           : v == LG_VERDICT_ABORTED ? "ABORTED"
                                     : "UNKNOWN";
}

static void put_rule_label(struct lg_buf *b, const struct lg_result_rule *u)
{
    const char *label = lg_report_rule_label(u->name);
    if (label) {
        lg_buf_puts(b, label);
    } else {
        lg_html_esc(b, u->name);
        lg_buf_puts(b, " rule");
    }
}

static bool is_warning(const struct lg_result_threshold *t)
{
    return t->severity && !strcmp(t->severity, "warning");
}

static void put_step(struct lg_buf *b, const struct lg_result_step *s)
{
    lg_html_esc(b, s->scenario);
    lg_buf_putc(b, '/');
    lg_html_esc(b, s->name);
}

/* The verdict, loud: a coloured banner; when aborted, the reason; when failed, what
 * failed the gate. */
static void head_banner(struct lg_buf *b, const struct lg_result *r)
{
    const char *cls = r->verdict == LG_VERDICT_PASS   ? "pass"
                      : r->verdict == LG_VERDICT_FAIL ? "fail"
                                                      : "aborted";
    lg_buf_printf(b, "<header class=\"%s\" id=\"verdict\" data-verdict=\"%s\"><div class=\"in\">\n",
                  cls, verdict_name(r->verdict));
    lg_buf_printf(b, "<h1>%s %s" SEP "loadgate" SEP,
                  r->verdict == LG_VERDICT_PASS ? MARK_OK : MARK_FAIL, verdict_name(r->verdict));
    lg_html_esc(b, r->suite && *r->suite ? r->suite : "(unnamed)");
    lg_buf_puts(b, "</h1>\n");
    if (r->verdict == LG_VERDICT_ABORTED) {
        lg_buf_puts(b, "<p class=\"why\">Aborted: ");
        lg_html_esc(b,
                    r->abort_reason && *r->abort_reason ? r->abort_reason : "no reason recorded");
        lg_buf_puts(b, "</p>\n<p class=\"sub\">The figures cover the run until it stopped; "
                       "this run must not count as passed.</p>\n");
    } else if (r->verdict != LG_VERDICT_PASS) {
        struct lg_buf why = {0};
        size_t n = 0;
        for (size_t i = 0; i < r->n_thresholds; i++) {
            const struct lg_result_threshold *t = &r->thresholds[i];
            if (t->ok || is_warning(t))
                continue;
            char *o = lg_report_observed(t);
            lg_buf_puts(&why, n++ ? SEP : "");
            lg_html_esc(&why, t->expr);
            lg_buf_puts(&why, " (observed ");
            lg_html_esc(&why, o);
            lg_buf_putc(&why, ')');
            free(o);
        }
        for (size_t i = 0; i < r->n_rules; i++)
            if (!r->rules[i].ok) {
                lg_buf_puts(&why, n++ ? SEP : "");
                put_rule_label(&why, &r->rules[i]);
            }
        if (n)
            lg_buf_printf(b, "<p class=\"why\">Failed: %s</p>\n", why.data);
        lg_buf_free(&why);
    }
    char a[32], c[32];
    lg_buf_printf(b, "<p class=\"sub\">%s request%s in %s", lg_fmt_count(r->requests, a, sizeof(a)),
                  plural(r->requests), lg_report_fmt_ms(r->duration_s * 1000.0, c, sizeof(c)));
    lg_buf_printf(b, SEP "%s failed", lg_fmt_count(r->errors, a, sizeof(a)));
    if (r->started_at && *r->started_at) {
        lg_buf_puts(b, SEP "started ");
        lg_html_esc(b, r->started_at);
    }
    lg_buf_puts(b, "</p>\n</div></header>\n");
}

static void dt(struct lg_buf *b, const char *term)
{
    lg_buf_printf(b, "<dt>%s</dt><dd>", term);
}

/* Suite, file, environment, profile, base URL (its password hidden even if the
 * result still held one), protocol, model, timing and the loadgate that ran. */
static void metadata(struct lg_buf *b, const struct lg_result *r)
{
    const struct lg_result_schedule *sc = &r->schedule;
    lg_buf_puts(b, "<section id=\"run\"><h2>Run</h2><dl>\n");
    dt(b, "Suite");
    lg_html_esc(b, r->suite && *r->suite ? r->suite : "(unnamed)");
    lg_buf_puts(b, "</dd>");
    dt(b, "File");
    lg_html_esc(b, r->file && *r->file ? r->file : DASH);
    lg_buf_puts(b, "</dd>\n");
    dt(b, "Environment");
    lg_html_esc(b, r->env ? r->env : "(none)");
    lg_buf_puts(b, "</dd>");
    dt(b, "Profile");
    lg_html_esc(b, r->profile ? r->profile : "(none)");
    lg_buf_puts(b, "</dd>\n");
    dt(b, "Base URL");
    char *url = r->base_url && *r->base_url ? lg_url_redact(r->base_url) : NULL;
    lg_html_esc(b, url ? url : DASH);
    free(url);
    lg_buf_puts(b, "</dd>");
    dt(b, "Protocol");
    if (r->http) {
        lg_buf_puts(b, !strcmp(r->http, "2") ? "HTTP/2" : "HTTP/1.1");
        lg_buf_puts(b, r->multiplex ? ", multiplexed" : "");
        lg_buf_printf(b, SEP);
        put_count(b, r->connections);
        lg_buf_printf(b, " connection%s opened", plural(r->connections));
    } else {
        lg_buf_puts(b, DASH);
    }
    if (r->proxy) {
        lg_buf_puts(b, SEP "via proxy ");
        lg_html_esc(b, r->proxy);
        if (r->proxy_variable) {
            lg_buf_puts(b, " (");
            lg_html_esc(b, r->proxy_variable);
            lg_buf_putc(b, ')');
        }
    }
    lg_buf_puts(b, "</dd>\n");
    dt(b, "Model");
    if (sc->open) {
        lg_buf_puts(b, "open, up to ");
        put_rate(b, sc->peak_rate_per_s);
        lg_buf_puts(b, " iterations/s, at most ");
        put_count(b, sc->max_vus);
        lg_buf_printf(b, " VU%s", plural(sc->max_vus));
    } else {
        lg_buf_puts(b, "closed, ");
        put_count(b, r->vus);
        lg_buf_printf(b, " VU%s", plural(r->vus));
    }
    lg_buf_puts(b, "</dd>");
    dt(b, "Started");
    lg_html_esc(b, r->started_at && *r->started_at ? r->started_at : DASH);
    lg_buf_puts(b, "</dd>\n");
    if (r->merged.has) { /* `loadgate merge`: the segments, and those missing */
        char *line = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&line, &len);
        if (f) {
            lg_report_merged_line(r, f);
            fclose(f);
        }
        dt(b, "Merged from");
        lg_html_esc(b, line ? line : "");
        lg_buf_puts(b, "</dd>\n");
        free(line);
    }
    dt(b, "Duration");
    put_ms(b, r->duration_s * 1000.0);
    lg_buf_puts(b, "</dd>");
    dt(b, "Requests");
    put_count(b, r->requests);
    lg_buf_puts(b, " (");
    put_rate(b, r->rps);
    lg_buf_puts(b, "/s)" SEP);
    put_count(b, r->errors);
    lg_buf_puts(b, " failed");
    if (r->unsent) {
        lg_buf_puts(b, SEP);
        put_count(b, r->unsent);
        lg_buf_puts(b, " unsent");
    }
    lg_buf_puts(b, "</dd>\n");
    dt(b, "Iterations");
    put_count(b, r->iterations);
    lg_buf_puts(b, " finished");
    if (r->iterations_interrupted) {
        lg_buf_puts(b, " + ");
        put_count(b, r->iterations_interrupted);
        lg_buf_puts(b, " interrupted");
    }
    if (r->iterations_failed) {
        lg_buf_puts(b, " (");
        put_count(b, r->iterations_failed);
        lg_buf_puts(b, " failed)");
    }
    lg_buf_puts(b, "</dd>");
    dt(b, "Checks");
    put_count(b, r->checks_passed);
    lg_buf_puts(b, " passed" SEP);
    put_count(b, r->checks_failed);
    lg_buf_puts(b, " failed</dd>\n");
    if (r->feed_note) {
        dt(b, "Feed");
        lg_html_esc(b, r->feed_note);
        lg_buf_puts(b, "</dd>");
    }
    dt(b, "loadgate");
    lg_html_esc(b, r->loadgate_version ? r->loadgate_version : "(version not recorded)");
    lg_buf_puts(b, "</dd>\n</dl></section>\n");
}

/* Each threshold and rule with its mark: ✓, ✗, or ! for a broken warning (which
 * never fails the run). */
static void gate(struct lg_buf *b, const struct lg_result *r)
{
    lg_buf_puts(b, "<section id=\"gate\"><h2>Gate</h2>\n");
    if (!r->n_thresholds && !r->n_rules) {
        lg_buf_printf(b, "<p>%s</p></section>\n",
                      r->smoke_rule     ? "The smoke profile's rule (every check and request must "
                                          "pass) applied."
                      : r->default_gate ? "No thresholds given: the strict default gate applied."
                                        : "No thresholds and no rules recorded.");
        return;
    }
    lg_buf_puts(b, "<table><thead><tr><th class=\"m\"></th><th>threshold or rule</th>"
                   "<th>severity</th><th>observed</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < r->n_thresholds; i++) {
        const struct lg_result_threshold *t = &r->thresholds[i];
        bool warning = is_warning(t);
        char *o = lg_report_observed(t);
        lg_buf_printf(b, "<tr data-ok=\"%s\"><td class=\"m %s\">%s</td><td class=\"nw\">",
                      t->ok ? "true" : "false",
                      t->ok     ? "ok"
                      : warning ? "warn"
                                : "bad",
                      t->ok     ? MARK_OK
                      : warning ? "!"
                                : MARK_FAIL);
        lg_html_esc(b, t->expr);
        lg_buf_puts(b, "</td><td class=\"nw\">");
        lg_html_esc(b, t->severity ? t->severity : "critical");
        lg_buf_puts(b, t->abort ? ", aborts the run" : "");
        lg_buf_puts(b, "</td><td>");
        lg_html_esc(b, o);
        lg_buf_puts(b, "</td></tr>\n");
        free(o);
    }
    for (size_t i = 0; i < r->n_rules; i++) {
        const struct lg_result_rule *u = &r->rules[i];
        lg_buf_printf(b, "<tr data-ok=\"%s\"><td class=\"m %s\">%s</td><td class=\"nw\">",
                      u->ok ? "true" : "false", u->ok ? "ok" : "bad", u->ok ? MARK_OK : MARK_FAIL);
        put_rule_label(b, u);
        lg_buf_puts(b, "</td><td>rule</td><td>");
        lg_html_esc(b, u->text);
        lg_buf_puts(b, "</td></tr>\n");
    }
    lg_buf_puts(b, "</tbody></table></section>\n");
}

/* `run --baseline`: a row per judged metric with its mark, figures, bounds and status
 * (the marks of summary.txt: ! a regression only reported, ? inconclusive). */
static void regressions(struct lg_buf *b, const struct lg_result *r)
{
    if (!r->baseline.has)
        return;
    char *line = lg_regress_rule_line(r);
    lg_buf_puts(b, "<section id=\"regressions\"><h2>Regressions</h2>\n<p>");
    lg_html_esc(b, line);
    lg_buf_puts(b, ".</p>\n");
    free(line);
    if (!r->n_regressions) {
        lg_buf_puts(b, "<p>No step to judge.</p></section>\n");
        return;
    }
    lg_buf_puts(b, "<div class=\"wrap\"><table><thead><tr><th class=\"m\"></th><th>step</th>"
                   "<th>metric</th><th class=\"n\">base</th><th class=\"n\">new</th>"
                   "<th class=\"n\">change</th><th class=\"n\">base bounds</th>"
                   "<th class=\"n\">new bounds</th><th>status</th></tr></thead><tbody>\n");
    bool critical = lg_regress_critical(r);
    for (size_t i = 0; i < r->n_regressions; i++) {
        const struct lg_result_regression *g = &r->regressions[i];
        struct lg_regress_cells v;
        lg_regress_cells(g, &v);
        bool reg = lg_regress_is(g, "regression"), inc = lg_regress_is(g, "inconclusive");
        const char *cls = reg ? (critical ? "bad" : "warn") : inc ? "warn" : "ok";
        const char *mark = reg ? (critical ? MARK_FAIL : "!") : inc ? "?" : MARK_OK;
        char *l = lg_regress_label(g);
        lg_buf_printf(b, "<tr data-status=\"%s\"><td class=\"m %s\">%s</td><td class=\"nw\">",
                      reg   ? "regression"
                      : inc ? "inconclusive"
                            : "ok",
                      cls, mark);
        lg_html_esc(b, l);
        lg_buf_puts(b, "</td><td>");
        lg_html_esc(b, g->metric);
        lg_buf_puts(b, "</td><td class=\"n\">");
        lg_html_esc(b, v.base);
        lg_buf_puts(b, "</td><td class=\"n\">");
        lg_html_esc(b, v.new);
        lg_buf_puts(b, "</td><td class=\"n\">");
        lg_html_esc(b, v.change);
        lg_buf_puts(b, " ");
        lg_html_esc(b, v.rel);
        lg_buf_puts(b, "</td><td class=\"n\">");
        lg_html_esc(b, v.base_b);
        lg_buf_puts(b, "</td><td class=\"n\">");
        lg_html_esc(b, v.new_b);
        lg_buf_puts(b, "</td><td>");
        lg_html_esc(b, v.status);
        lg_buf_puts(b, "</td></tr>\n");
        free(l);
    }
    lg_buf_puts(b, "</tbody></table></div></section>\n");
}

static bool timed(const struct lg_result_step *s)
{
    return s->requests > 0 && (!s->histogram || s->histogram->total_count > 0);
}

static void cell_ms(struct lg_buf *b, bool have, double ms)
{
    lg_buf_puts(b, "<td class=\"n\">");
    if (have)
        put_ms(b, ms);
    else
        lg_buf_puts(b, DASH);
    lg_buf_puts(b, "</td>");
}

static void cell_count(struct lg_buf *b, uint64_t v)
{
    lg_buf_puts(b, "<td class=\"n\">");
    put_count(b, v);
    lg_buf_puts(b, "</td>");
}

/* The open model's uncorrected figures say something the corrected ones do not. */
static bool differs(const struct lg_result_step *s)
{
    const struct lg_latency_ms *c = &s->latency_ms, *u = &s->latency_uncorrected_ms;
    return s->has_uncorrected &&
           (c->p50 != u->p50 || c->p95 != u->p95 || c->p99 != u->p99 || c->max != u->max);
}

/* Requests, rps, errors, latency p50/p95/p99/max, the phases' p50/p95 (time to
 * first byte, DNS, connect, TLS; "-" without a sample), checks, status codes. */
static void steps(struct lg_buf *b, const struct lg_result *r)
{
    lg_buf_puts(b, "<section id=\"steps\"><h2>Steps</h2>\n");
    if (!r->n_steps) {
        lg_buf_puts(b, "<p>No step ran.</p></section>\n");
        return;
    }
    bool unsent = false;
    for (size_t i = 0; i < r->n_steps; i++)
        unsent = unsent || r->steps[i].unsent > 0;
    lg_buf_printf(
        b,
        "<div class=\"wrap\"><table class=\"steps\"><thead><tr><th rowspan=\"2\">step</th>"
        "<th rowspan=\"2\" class=\"n\">requests</th><th rowspan=\"2\" "
        "class=\"n\">rps</th><th rowspan=\"2\" class=\"n\">errors</th>%s"
        "<th colspan=\"4\" class=\"g\">latency</th><th colspan=\"2\" "
        "class=\"g\">ttfb</th><th colspan=\"2\" class=\"g\">dns</th><th colspan=\"2\" "
        "class=\"g\">connect</th><th colspan=\"2\" class=\"g\">tls</th>"
        "<th rowspan=\"2\" class=\"n\">checks</th><th rowspan=\"2\">status</th></tr>\n"
        "<tr>",
        unsent ? "<th rowspan=\"2\" class=\"n\">unsent</th>" : "");
    static const char *const sub[] = {"p50", "p95", "p99", "max", "p50", "p95",
                                      "p50", "p95", "p50", "p95", "p50", "p95"};
    for (size_t k = 0; k < sizeof(sub) / sizeof(*sub); k++)
        lg_buf_printf(b, "<th class=\"n\">%s</th>", sub[k]);
    lg_buf_puts(b, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        bool t = timed(s);
        lg_buf_puts(b, "<tr><td class=\"nw\">");
        put_step(b, s);
        lg_buf_puts(b, "</td>");
        cell_count(b, s->requests);
        lg_buf_puts(b, "<td class=\"n\">");
        put_rate(b, r->duration_s > 0 ? (double)s->requests / r->duration_s : 0.0);
        lg_buf_printf(b, "</td><td class=\"n%s\">", s->errors ? " bad" : "");
        put_count(b, s->errors);
        lg_buf_puts(b, "</td>");
        if (unsent)
            cell_count(b, s->unsent);
        cell_ms(b, t, s->latency_ms.p50);
        cell_ms(b, t, s->latency_ms.p95);
        cell_ms(b, t, s->latency_ms.p99);
        cell_ms(b, t, s->latency_ms.max);
        const struct lg_latency_ms *ph[] = {&s->ttfb_ms, &s->dns_ms, &s->connect_ms, &s->tls_ms};
        const uint64_t phn[] = {s->ttfb_n, s->dns_n, s->connect_n, s->tls_n};
        for (int k = 0; k < 4; k++) {
            cell_ms(b, phn[k] > 0, ph[k]->p50);
            cell_ms(b, phn[k] > 0, ph[k]->p95);
        }
        uint64_t total = s->checks_passed + s->checks_failed;
        lg_buf_printf(b, "<td class=\"n%s\">", s->checks_failed ? " bad" : "");
        if (total) {
            put_count(b, s->checks_passed);
            lg_buf_putc(b, '/');
            put_count(b, total);
        } else {
            lg_buf_puts(b, DASH);
        }
        lg_buf_puts(b, "</td><td>");
        for (size_t k = 0; k < s->n_status; k++) {
            lg_buf_puts(b, k ? ", <span class=\"nw\">" : "<span class=\"nw\">");
            lg_html_esc(b, s->status[k].name);
            lg_buf_puts(b, TIMES);
            put_count(b, s->status[k].count);
            lg_buf_puts(b, "</span>");
        }
        lg_buf_puts(b, "</td></tr>\n");
    }
    lg_buf_puts(b, "</tbody></table></div>\n");

    bool uncorrected = false;
    for (size_t i = 0; i < r->n_steps; i++)
        uncorrected = uncorrected || differs(&r->steps[i]);
    if (uncorrected) {
        lg_buf_puts(b, "<h3>Uncorrected latency where it differs (from each request's actual "
                       "start, not its scheduled one)</h3>\n<div class=\"wrap\"><table "
                       "class=\"narrow\"><thead><tr><th>step</th>"
                       "<th class=\"n\">p50</th><th class=\"n\">p95</th><th class=\"n\">p99</th>"
                       "<th class=\"n\">max</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < r->n_steps; i++) {
            const struct lg_result_step *s = &r->steps[i];
            if (!differs(s))
                continue;
            bool t = timed(s);
            lg_buf_puts(b, "<tr><td>");
            put_step(b, s);
            lg_buf_puts(b, "</td>");
            cell_ms(b, t, s->latency_uncorrected_ms.p50);
            cell_ms(b, t, s->latency_uncorrected_ms.p95);
            cell_ms(b, t, s->latency_uncorrected_ms.p99);
            cell_ms(b, t, s->latency_uncorrected_ms.max);
            lg_buf_puts(b, "</tr>\n");
        }
        lg_buf_puts(b, "</tbody></table></div>\n");
    }
    lg_buf_puts(b, "</section>\n");
}

/* Iterations per scenario and how long they took. */
static void scenarios(struct lg_buf *b, const struct lg_result *r)
{
    if (!r->n_scenarios)
        return;
    lg_buf_puts(b, "<section id=\"scenarios\"><h2>Scenarios</h2>\n<div class=\"wrap\"><table>"
                   "<thead><tr><th>scenario</th><th class=\"n\">iterations</th>"
                   "<th class=\"n\">failed</th><th class=\"n\">interrupted</th>"
                   "<th class=\"n\">p50</th><th class=\"n\">p95</th><th class=\"n\">p99</th>"
                   "<th class=\"n\">max</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < r->n_scenarios; i++) {
        const struct lg_result_scenario *s = &r->scenarios[i];
        bool t = s->histogram ? s->histogram->total_count > 0
                              : s->iterations + s->iterations_interrupted > 0;
        lg_buf_puts(b, "<tr><td>");
        lg_html_esc(b, s->name);
        lg_buf_puts(b, "</td>");
        cell_count(b, s->iterations);
        cell_count(b, s->iterations_failed);
        cell_count(b, s->iterations_interrupted);
        cell_ms(b, t, s->iteration_ms.p50);
        cell_ms(b, t, s->iteration_ms.p95);
        cell_ms(b, t, s->iteration_ms.p99);
        cell_ms(b, t, s->iteration_ms.max);
        lg_buf_puts(b, "</tr>\n");
    }
    lg_buf_puts(b, "</tbody></table></div></section>\n");
}

/* One row per kept reason of each failed check, and one for the failures whose
 * reason was not kept. */
static void failed_checks(struct lg_buf *b, const struct lg_result *r)
{
    bool any = false;
    for (size_t i = 0; i < r->n_steps; i++)
        for (size_t j = 0; j < r->steps[i].n_checks; j++)
            any = any || r->steps[i].checks[j].failed;
    if (!any)
        return;
    lg_buf_puts(b, "<section id=\"failed-checks\"><h2>Failed checks</h2>\n<div class=\"wrap\">"
                   "<table><thead><tr><th>step</th><th>check</th><th class=\"n\">failed</th>"
                   "<th>reason</th><th class=\"n\">count</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct lg_result_step *s = &r->steps[i];
        for (size_t j = 0; j < s->n_checks; j++) {
            const struct lg_result_check *c = &s->checks[j];
            if (!c->failed)
                continue;
            uint64_t kept = 0;
            for (size_t k = 0; k < c->n_reasons; k++)
                kept += c->reasons[k].count;
            uint64_t other = c->failed > kept ? c->failed - kept : 0;
            size_t rows = c->n_reasons + (other || !c->n_reasons ? 1 : 0);
            lg_buf_printf(b, "<tr><td rowspan=\"%zu\"><span class=\"bad\">" MARK_FAIL "</span> ",
                          rows);
            put_step(b, s);
            lg_buf_printf(b, "</td><td rowspan=\"%zu\">", rows);
            lg_html_esc(b, c->label);
            lg_buf_printf(b, "</td><td rowspan=\"%zu\" class=\"n\">", rows);
            put_count(b, c->failed);
            lg_buf_puts(b, " of ");
            put_count(b, c->passed + c->failed);
            lg_buf_puts(b, "</td>");
            for (size_t k = 0; k < c->n_reasons; k++) {
                lg_buf_puts(b, k ? "<tr><td class=\"reason\">" : "<td class=\"reason\">");
                lg_html_esc(b, c->reasons[k].name);
                lg_buf_puts(b, "</td>");
                cell_count(b, c->reasons[k].count);
                lg_buf_puts(b, "</tr>\n");
            }
            if (other || !c->n_reasons) {
                lg_buf_printf(b, "%s<td>%s</td>", c->n_reasons ? "<tr>" : "",
                              c->n_reasons ? "other reasons (not kept)" : "(no reason kept)");
                cell_count(b, other);
                lg_buf_puts(b, "</tr>\n");
            }
        }
    }
    lg_buf_puts(b, "</tbody></table></div></section>\n");
}

static void count_table(struct lg_buf *b, const char *head, const struct lg_count *c, size_t n)
{
    lg_buf_printf(b,
                  "<table><thead><tr><th>%s</th><th class=\"n\">requests</th></tr></thead>"
                  "<tbody>\n",
                  head);
    for (size_t i = 0; i < n; i++) {
        if (!c[i].count)
            continue;
        lg_buf_puts(b, "<tr><td>");
        lg_html_esc(b, c[i].name);
        lg_buf_puts(b, "</td>");
        cell_count(b, c[i].count);
        lg_buf_puts(b, "</tr>\n");
    }
    lg_buf_puts(b, "</tbody></table>\n");
}

/* Failed requests by class, unsent requests by reason, libcurl's re-sends. */
static void errors(struct lg_buf *b, const struct lg_result *r)
{
    bool any = false;
    for (size_t i = 0; i < r->n_error_classes; i++)
        any = any || r->error_classes[i].count;
    if (!any && !r->unsent && !r->retries && !r->retries_refused)
        return;
    lg_buf_puts(b, "<section id=\"errors\"><h2>Errors</h2>\n<div class=\"two\">");
    if (any) {
        lg_buf_puts(b, "<div>");
        count_table(b, "error class", r->error_classes, r->n_error_classes);
        lg_buf_puts(b, "</div>");
    }
    if (r->unsent) {
        lg_buf_puts(b, "<div><p>");
        put_count(b, r->unsent);
        lg_buf_printf(b,
                      " request%s could not be sent (never reached the server; not counted as "
                      "requests):</p>",
                      plural(r->unsent));
        count_table(b, "unsent reason", r->unsent_reasons, r->n_unsent_reasons);
        lg_buf_puts(b, "</div>");
    }
    lg_buf_puts(b, "</div>\n");
    if (r->retries || r->retries_refused) {
        lg_buf_puts(b, "<p>Retries: ");
        put_count(b, r->retries);
        lg_buf_puts(b, " sent again after a reused connection closed unanswered, ");
        put_count(b, r->retries_refused);
        lg_buf_puts(b, " refused (not idempotent).</p>\n");
    }
    lg_buf_puts(b, "</section>\n");
}

static void lat_row(struct lg_buf *b, const char *name, const struct lg_latency_ms *l, bool have)
{
    lg_buf_printf(b, "<tr><td>%s</td>", name);
    cell_ms(b, have, l->p50);
    cell_ms(b, have, l->p95);
    cell_ms(b, have, l->p99);
    cell_ms(b, have, l->max);
    lg_buf_puts(b, "</tr>\n");
}

/* The open model's schedule (due, started, dropped, waits, the harness's lag) and the
 * environment's limits. */
static void schedule(struct lg_buf *b, const struct lg_result *r)
{
    const struct lg_result_schedule *sc = &r->schedule;
    const struct lg_result_limits *l = &r->limits;
    if (!sc->open && !l->has)
        return;
    lg_buf_puts(b, "<section id=\"schedule\"><h2>Schedule and limits</h2>\n");
    if (sc->open) {
        lg_buf_puts(b, "<dl>");
        dt(b, "Iterations due");
        put_count(b, sc->scheduled);
        lg_buf_puts(b, "</dd>");
        dt(b, "Started");
        put_count(b, sc->started);
        lg_buf_puts(b, "</dd>\n");
        lg_buf_printf(b, "<dt>Dropped</dt><dd class=\"%s\">", sc->dropped ? "bad" : "");
        put_count(b, sc->dropped);
        lg_buf_puts(b, " (no free VU within ");
        put_ms(b, sc->max_lateness_s * 1000.0);
        lg_buf_puts(b, ")</dd>");
        dt(b, "Waited for a VU");
        put_count(b, sc->waited);
        lg_buf_puts(b, "</dd>\n");
        dt(b, "Peak rate");
        put_rate(b, sc->peak_rate_per_s);
        lg_buf_puts(b, " iterations/s</dd>");
        dt(b, "VU pool");
        put_count(b, sc->max_vus);
        lg_buf_puts(b, "</dd>\n");
        lg_buf_printf(b, "<dt>Asked rate</dt><dd class=\"%s\">%s</dd>",
                      sc->sustained ? "ok" : "bad", sc->sustained ? "kept" : "not kept");
        if (sc->note) {
            dt(b, "Note");
            lg_html_esc(b, sc->note);
            lg_buf_puts(b, "</dd>");
        }
        lg_buf_puts(b,
                    "\n</dl>\n<table class=\"narrow\"><thead><tr><th></th><th class=\"n\">p50</th>"
                    "<th class=\"n\">p95</th><th class=\"n\">p99</th><th class=\"n\">max</th>"
                    "</tr></thead><tbody>\n");
        lat_row(b, "harness lag (due to dispatched, with a free VU)", &sc->lag_ms, sc->started > 0);
        lat_row(b, "wait for a free VU", &sc->wait_ms, sc->waited > 0);
        lg_buf_puts(b, "</tbody></table>\n");
    }
    if (l->has) {
        lg_buf_puts(b, "<h3>Limits of the environment</h3><dl>");
        dt(b, "Max rate");
        if (l->max_rate_per_s > 0) {
            put_rate(b, l->max_rate_per_s);
            lg_buf_puts(b, " requests/s" SEP);
            put_count(b, l->paced);
            lg_buf_puts(b, " requests paced");
        } else {
            lg_buf_puts(b, "none");
        }
        lg_buf_puts(b, "</dd>");
        dt(b, "Max VUs");
        if (l->max_vus) {
            put_count(b, l->max_vus);
            lg_buf_puts(b, " (asked ");
            put_count(b, l->vus_asked);
            lg_buf_puts(b, l->vus_capped ? ", capped)" : ")");
        } else {
            lg_buf_puts(b, "none");
        }
        lg_buf_puts(b, "</dd>\n");
        if (l->rate_asked_per_s > 0) {
            dt(b, "Arrival rate asked");
            put_rate(b, l->rate_asked_per_s);
            lg_buf_puts(b, l->rate_capped ? "/s, capped" : "/s");
            lg_buf_puts(b, "</dd>");
        }
        lg_buf_puts(b, "</dl>\n");
    }
    lg_buf_puts(b, "</section>\n");
}

char *lg_report_html(const struct lg_result *r)
{
    char style_hash[64], script_hash[64];
    csp_hash(style, style_hash);
    csp_hash(script, script_hash);
    struct lg_buf b = {0};
    lg_buf_printf(&b,
                  "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src %s; script-src %s; base-uri 'none'; form-action 'none'\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"generator\" content=\"loadgate\">\n<title>loadgate: %s" SEP,
                  style_hash, script_hash, verdict_name(r->verdict));
    lg_html_esc(&b, r->suite && *r->suite ? r->suite : "(unnamed)");
    lg_buf_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
    head_banner(&b, r);
    lg_buf_puts(&b, "<main>\n");
    metadata(&b, r);
    gate(&b, r);
    regressions(&b, r);
    lg_buf_puts(&b, "<section id=\"over-time\"><h2>Over time</h2>\n");
    lg_html_time_charts(&b, r);
    lg_buf_puts(&b, "</section>\n<section id=\"distribution\"><h2>Latency by percentile</h2>\n");
    lg_html_distribution_charts(&b, r);
    lg_buf_puts(&b, "</section>\n");
    steps(&b, r);
    failed_checks(&b, r);
    errors(&b, r);
    scenarios(&b, r);
    schedule(&b, r);
    lg_buf_printf(&b,
                  "<footer>Rendered from the run's result (schema " LG_RESULT_SCHEMA
                  "). Self-contained: this page loads nothing. Charts over time draw at most "
                  "%d points each; result.json keeps every second. Percentiles on a log scale "
                  "of 1/(1-p).</footer>\n</main>\n<script>%s</script>\n</body>\n</html>\n",
                  LG_HTML_MAX_POINTS, script);
    return lg_buf_take(&b);
}

int lg_report_html_file(const struct lg_result *r, const char *path)
{
    char *text = lg_report_html(r);
    int rc = lg_write_atomic(path, text, strlen(text));
    int e = errno;
    free(text);
    errno = e;
    return rc;
}
