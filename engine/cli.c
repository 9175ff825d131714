/* cli: the command line (DESIGN.md section 1): parses and validates options,
 * loads the files, resolves environment, profile and thresholds, runs, and writes
 * the reports. Bad input is refused with exit 2 before anything is sent. */
#include "cli.h"
#include "cli_common.h"
#include "cli_segment.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cafile.h"
#include "compare.h"
#include "config.h"
#include "fdlimit.h"
#include "gate.h"
#include "hlog.h"
#include "outcome.h"
#include "policy.h"
#include "proxy.h"
#include "report.h"
#include "run.h"
#include "signals.h"
#include "url.h"
#include "utf8.h"

enum {
    EXIT_PASS = 0,
    EXIT_GATE = 1,
    EXIT_USAGE = 2,
    EXIT_ABORTED = LG_EXIT_ABORTED,
    EXIT_INTERNAL = 4
};

static const char *const main_usage =
    "usage: loadgate COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run FILE [options]   run a suite or a single scenario; the exit code is the verdict\n"
    "  check FILE...        validate files, send nothing\n"
    "  report RESULT.json   render a run's reports again from its result.json\n"
    "  compare BASE NEW     judge NEW.json against BASE.json for regressions\n"
    "  merge -o OUT R...    merge the segments of a distributed run (run --segment K/N)\n"
    "  version              print the version\n"
    "\n"
    "exit codes: 0 pass, 1 gate failed, 2 invalid input, 3 aborted, 4 internal error\n"
    "`loadgate COMMAND --help` describes a command's options.\n";

static const char *const run_usage =
    "usage: loadgate run FILE [options]\n"
    "\n"
    "Runs a suite or a single scenario and gates on its thresholds (with none, the\n"
    "strict default gate: no failed request and no failed check).\n"
    "\n"
    "  --env NAME            environment from the suite (base URL, headers, vars)\n"
    "  --profile NAME        load profile from the suite\n"
    "  --base-url URL        base URL for relative request URLs (overrides the environment's)\n"
    "  -u, --vus N           virtual users (closed model)\n"
    "  -d, --duration D      run for this long, e.g. 30s, 2m\n"
    "  -i, --iterations N    stop after N iterations in total, shared among the VUs\n"
    "      --threshold EXPR  add a threshold, e.g. 'p95(latency) < 200ms' (repeatable)\n"
    "      --var K=V         set a variable (repeatable)\n"
    "      --out DIR         write result.json, summary.txt, summary.md, junit.xml,\n"
    "                        report.html and latency.hlog there\n"
    "      --cacert FILE     trust this CA bundle (PEM) for HTTPS\n"
    "      --insecure        do not verify TLS certificates\n"
    "      --http 1.1|2      HTTP version (default 1.1; overrides the environment's `http`)\n"
    "      --seed N          seed for random choices (think times, weights, uuid)\n"
    "  -r, --rate N/s        open model: start iterations at this rate (with --duration)\n"
    "      --max-vus N       open model: at most N virtual users serve the iterations\n"
    "                        (default: the profile's, else --vus, else 100)\n"
    "      --max-lateness D  open model: drop an iteration that cannot start within D of\n"
    "                        when it was due (default 10s)\n"
    "      --yes-production  confirm a run against a protected environment\n"
    "      --threads N       worker threads (default: one per online CPU, at most one per VU)\n"
    "      --quiet           no progress and no summary table (verdict line only)\n"
    "      --no-progress     no live progress line\n"
    "      --baseline FILE   judge the run against an accepted run's result.json, per step\n"
    "                        and overall, on confidence bounds (docs/compare.md); read and\n"
    "                        checked before anything is sent\n"
    "      --max-regression P  with --baseline: the worsening allowed, over the suite's\n"
    "                        `regression:` budgets and every step's (default 10%)\n"
    "      --confidence P    with --baseline: e.g. 95%, over the suite's (default 99%)\n"
    "      --metrics LIST    with --baseline: the judged metrics, comma-separated, among\n"
    "                        p50, p90, p95, p99, error_rate, checks, over the suite's and\n"
    "                        every step's (default p95,p99,error_rate)\n"
    "      --baseline-severity critical|warning  with --baseline: a regression fails the\n"
    "                        gate (critical, the default) or is only reported (warning);\n"
    "                        inconclusive never fails\n"
    "      --no-step-summary do not append summary.md to $GITHUB_STEP_SUMMARY (appended\n"
    "                        when that variable names a file, as in GitHub Actions)\n"
    "      --segment K/N     run only the K-th of N equal slices of the load (VUs,\n"
    "                        iterations, arrivals, unique feed rows; docs/segments.md)\n"
    "      --start-at TIME   wait until TIME (RFC 3339, or Unix seconds), then start; every\n"
    "                        check is made before the wait\n"
    "\n"
    "Without a profile or flags: 1 VU, 1 iteration. With --vus alone: one iteration per VU.\n";

static const char *const check_usage =
    "usage: loadgate check [--var K=V]... FILE...\n"
    "\n"
    "Validates suites and scenarios and prints every problem as FILE:LINE:COL: error: MSG.\n"
    "Sends nothing. Exit code 0 when every file is valid, 2 otherwise.\n";

/* The reports `report` renders to a file, each as `run --out` writes it there.
 * A new report format is one line here: its flag, its file in --out, its
 * renderer; the options and --help follow from this table. */
struct report_format {
    const char *flag; /* --FLAG FILE */
    const char *file; /* its name in --out */
    int (*write)(const struct lg_result *r, const char *path);
};
static const struct report_format report_formats[] = {
    {"junit", "junit.xml", lg_report_junit_file},
    {"markdown", "summary.md", lg_report_markdown_file},
    {"html", "report.html", lg_report_html_file},
};
#define N_REPORT_FORMATS (sizeof(report_formats) / sizeof(report_formats[0]))

static void report_usage(void)
{
    fputs("usage: loadgate report RESULT.json [--FORMAT FILE]... [--text]\n"
          "\n"
          "Renders a run's reports from its result.json alone, byte for byte as the run\n"
          "wrote them in --out (the same loadgate version). Each file is written\n"
          "atomically; nothing is sent.\n"
          "\n",
          stdout);
    for (size_t i = 0; i < N_REPORT_FORMATS; i++)
        printf("      --%-9s FILE  write %s (as in --out) to FILE\n", report_formats[i].flag,
               report_formats[i].file);
    fputs("      --text            print summary.txt to standard output (no colour); the\n"
          "                        default when no FILE option is given\n"
          "\n"
          "Exit code 0 when everything was written, whatever the run's verdict (read it in\n"
          "result.json, or from `run`'s exit code); 2 for an unreadable or invalid\n"
          "RESULT.json, a bad option or an output file that cannot be written there;\n"
          "4 when writing failed otherwise (a full disk).\n",
          stdout);
}

static int vusage_error(const char *fmt, va_list ap)
{
    fputs("loadgate: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vusage_error(fmt, ap);
    va_end(ap);
    return rc;
}

int lg_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vusage_error(fmt, ap);
    va_end(ap);
    return rc;
}

struct run_args {
    const char *file;
    const char *env, *profile, *base_url, *out_dir, *ca_file;
    long long vus;           /* -1: not given */
    long long threads;       /* 0: one per online CPU */
    double rate_per_s;       /* 0: not given */
    long long max_vus;       /* -1: not given */
    int64_t max_lateness_us; /* -1: not given */
    int64_t duration_us;     /* -1: not given */
    long long iterations;    /* -1: not given */
    const char **thresholds;
    size_t n_thresholds;
    struct lg_var *vars;
    size_t n_vars;
    bool insecure, quiet, no_progress, have_seed, yes_production, no_step_summary;
    uint64_t seed;
    enum lg_http_version http; /* LG_HTTP_DEFAULT: not given */
    const char *baseline;      /* --baseline FILE, or NULL */
    double max_regression;     /* -1: not given */
    double confidence;         /* -1: not given */
    bool has_metrics;
    unsigned metrics;              /* --metrics, when has_metrics */
    const char *baseline_severity; /* NULL: not given */
    const char *segment;           /* --segment K/N as given, or NULL */
    struct lg_slice slice;         /* parsed --segment; count 0: not given */
    int64_t start_at_ms;           /* --start-at, Unix ms; 0: not given */
};

static void run_args_free(struct run_args *a)
{
    free(a->thresholds);
    for (size_t i = 0; i < a->n_vars; i++) {
        free(a->vars[i].name);
        free(a->vars[i].value);
    }
    free(a->vars);
}

static int parse_var(const char *arg, struct run_args *a)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return usage_error("--var: expected NAME=VALUE, got '%s'", arg);
    for (const char *p = arg; p < eq; p++)
        if (!(*p == '_' || *p == '-' || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z')))
            return usage_error("--var: '%.*s' is not a valid variable name", (int)(eq - arg), arg);
    a->vars = lg_realloc(a->vars, (a->n_vars + 1) * sizeof(*a->vars));
    a->vars[a->n_vars++] = (struct lg_var){lg_strndup(arg, (size_t)(eq - arg)), lg_strdup(eq + 1)};
    return 0;
}

static int parse_count(const char *opt, const char *arg, unsigned long long max, long long *out)
{
    unsigned long long v;
    if (lg_parse_uint(arg, max, &v) || v == 0)
        return usage_error("%s: expected a positive integer (at most %llu), got '%s'", opt, max,
                           arg);
    *out = (long long)v;
    return 0;
}

enum {
    OPT_ENV = 256,
    OPT_PROFILE,
    OPT_BASE_URL,
    OPT_THRESHOLD,
    OPT_VAR,
    OPT_OUT,
    OPT_CACERT,
    OPT_INSECURE,
    OPT_SEED,
    OPT_QUIET,
    OPT_NO_PROGRESS,
    OPT_HELP,
    OPT_THREADS,
    OPT_MAX_VUS,
    OPT_YES_PRODUCTION,
    OPT_MAX_LATENESS,
    OPT_HTTP,
    OPT_NO_STEP_SUMMARY,
    OPT_BASELINE,
    OPT_MAX_REGRESSION,
    OPT_BASELINE_SEVERITY,
    OPT_SEGMENT,
    OPT_START_AT,
    OPT_CONFIDENCE,
    OPT_METRICS,
};

static const struct option run_options[] = {
    {"env", required_argument, NULL, OPT_ENV},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"base-url", required_argument, NULL, OPT_BASE_URL},
    {"vus", required_argument, NULL, 'u'},
    {"duration", required_argument, NULL, 'd'},
    {"iterations", required_argument, NULL, 'i'},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"var", required_argument, NULL, OPT_VAR},
    {"out", required_argument, NULL, OPT_OUT},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"http", required_argument, NULL, OPT_HTTP},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"rate", required_argument, NULL, 'r'},
    {"max-vus", required_argument, NULL, OPT_MAX_VUS},
    {"yes-production", no_argument, NULL, OPT_YES_PRODUCTION},
    {"max-lateness", required_argument, NULL, OPT_MAX_LATENESS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"no-step-summary", no_argument, NULL, OPT_NO_STEP_SUMMARY},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"max-regression", required_argument, NULL, OPT_MAX_REGRESSION},
    {"baseline-severity", required_argument, NULL, OPT_BASELINE_SEVERITY},
    {"segment", required_argument, NULL, OPT_SEGMENT},
    {"start-at", required_argument, NULL, OPT_START_AT},
    {"confidence", required_argument, NULL, OPT_CONFIDENCE},
    {"metrics", required_argument, NULL, OPT_METRICS},
    {"help", no_argument, NULL, 'h'},
    {0},
};

/* Returns -1 to go on, or an exit code. */
static int parse_run_args(int argc, char **argv, struct run_args *a)
{
    memset(a, 0, sizeof(*a));
    a->vus = a->iterations = -1;
    a->duration_us = -1;
    optind = 1;
    opterr = 0;
    int c;
    a->max_vus = -1;
    a->max_lateness_us = -1;
    a->max_regression = -1;
    a->confidence = -1;
    while ((c = getopt_long(argc, argv, ":u:d:i:r:h", run_options, NULL)) != -1) {
        int rc = 0;
        unsigned long long u;
        const char *url_why;
        switch (c) {
        case OPT_ENV:
            a->env = optarg;
            break;
        case OPT_PROFILE:
            a->profile = optarg;
            break;
        case OPT_BASE_URL:
            if (lg_url_kind(optarg, strlen(optarg), NULL) != LG_URL_HTTP) {
                char *shown = lg_url_redact(optarg);
                rc =
                    usage_error("--base-url: expected an http:// or https:// URL, got '%s'", shown);
                free(shown);
            } else if ((url_why = lg_url_base_problem(optarg))) {
                char *shown = lg_url_redact(optarg);
                rc = usage_error("--base-url: '%s' is not a usable URL: %s", shown, url_why);
                free(shown);
            }
            a->base_url = optarg;
            break;
        case 'u':
            rc = parse_count("--vus", optarg, LG_MAX_VUS, &a->vus);
            break;
        case 'i':
            rc = parse_count("--iterations", optarg, LG_MAX_ITERATIONS, &a->iterations);
            break;
        case 'd':
            if (lg_parse_duration_us(optarg, 0, &a->duration_us) || a->duration_us <= 0)
                rc = usage_error("--duration: expected a positive duration with a unit "
                                 "(e.g. 30s, 5m), got '%s'",
                                 optarg);
            break;
        case OPT_THRESHOLD:
            a->thresholds = lg_realloc(a->thresholds, (a->n_thresholds + 1) * sizeof(char *));
            a->thresholds[a->n_thresholds++] = optarg;
            break;
        case OPT_VAR:
            rc = parse_var(optarg, a);
            break;
        case OPT_OUT:
            a->out_dir = optarg;
            break;
        case OPT_CACERT: {
            char why[160];
            if (lg_cafile_check(optarg, why, sizeof(why)) != 0)
                rc = usage_error("--cacert: cannot use '%s': %s", optarg, why);
            a->ca_file = optarg;
            break;
        }
        case OPT_YES_PRODUCTION:
            a->yes_production = true;
            break;
        case OPT_INSECURE:
            a->insecure = true;
            break;
        case OPT_HTTP:
            if (!lg_http_version_parse(optarg, &a->http))
                rc = usage_error("--http: expected 1.1 or 2, got '%s'", optarg);
            break;
        case 'r': {
            int prc = lg_parse_rate_per_s(optarg, &a->rate_per_s);
            if (prc == LG_ELIMIT)
                rc = usage_error("--rate: at most %d/s, got '%s'", LG_MAX_RATE_PER_S, optarg);
            else if (prc || !(a->rate_per_s > 0))
                rc = usage_error("--rate: expected iterations per second, e.g. 50/s (or "
                                 "N/m, N/h), got '%s'",
                                 optarg);
            break;
        }
        case OPT_MAX_VUS:
            rc = parse_count("--max-vus", optarg, LG_MAX_VUS, &a->max_vus);
            break;
        case OPT_MAX_LATENESS:
            if (lg_parse_duration_us(optarg, 0, &a->max_lateness_us) || a->max_lateness_us <= 0)
                rc = usage_error("--max-lateness: expected a positive duration with a unit "
                                 "(e.g. 10s), got '%s'",
                                 optarg);
            break;
        case OPT_THREADS:
            rc = parse_count("--threads", optarg, 1024, &a->threads);
            break;
        case OPT_SEED:
            if (lg_parse_uint(optarg, UINT64_MAX, &u))
                rc = usage_error("--seed: expected a non-negative integer, got '%s'", optarg);
            a->seed = u;
            a->have_seed = true;
            break;
        case OPT_QUIET:
            a->quiet = true;
            break;
        case OPT_NO_PROGRESS:
            a->no_progress = true;
            break;
        case OPT_NO_STEP_SUMMARY:
            a->no_step_summary = true;
            break;
        case OPT_BASELINE:
            if (!*optarg)
                rc = usage_error("--baseline: expected a result.json");
            a->baseline = optarg;
            break;
        case OPT_MAX_REGRESSION:
            if (lg_cli_parse_max_regression(optarg, &a->max_regression) != -1)
                rc = EXIT_USAGE;
            break;
        case OPT_CONFIDENCE:
            if (lg_cli_parse_confidence(optarg, &a->confidence) != -1)
                rc = EXIT_USAGE;
            break;
        case OPT_METRICS:
            if (lg_cli_parse_metrics(optarg, &a->metrics) != -1)
                rc = EXIT_USAGE;
            a->has_metrics = true;
            break;
        case OPT_BASELINE_SEVERITY:
            if (strcmp(optarg, "critical") && strcmp(optarg, "warning"))
                rc = usage_error("--baseline-severity: expected critical or warning, got '%s'",
                                 optarg);
            a->baseline_severity = optarg;
            break;
        case OPT_SEGMENT:
            if (lg_slice_parse(optarg, &a->slice))
                rc = usage_error("--segment: expected K/N, two integers with 1 <= K <= N <= %d "
                                 "(e.g. 2/3), got '%s'",
                                 LG_SLICE_MAX, optarg);
            a->segment = optarg;
            break;
        case OPT_START_AT: {
            char why[200];
            if (lg_parse_instant_ms(optarg, &a->start_at_ms) || a->start_at_ms == 0)
                rc = usage_error("--start-at: expected an RFC 3339 time with a zone "
                                 "(2026-12-06T14:00:00Z) or Unix seconds (1796565600), got '%s'",
                                 optarg);
            else if (lg_cli_start_at_check(a->start_at_ms, lg_wall_ms(), why, sizeof(why)))
                rc = usage_error("%s", why);
            break;
        }
        case 'h':
            fputs(run_usage, stdout);
            return EXIT_PASS;
        case ':':
            return usage_error("%s: missing value", argv[optind - 1]);
        default:
            return usage_error("run: unknown option '%s' (see loadgate run --help)",
                               argv[optind - 1]);
        }
        if (rc)
            return rc;
    }
    if (optind != argc - 1)
        return usage_error(optind >= argc ? "run: missing FILE (see loadgate run --help)"
                                          : "run: expected one FILE, got '%s' too",
                           optind < argc - 1 ? argv[optind + 1] : "");
    a->file = argv[optind];
    const char *needs_baseline = a->max_regression >= 0 ? "--max-regression"
                                 : a->confidence >= 0   ? "--confidence"
                                 : a->has_metrics       ? "--metrics"
                                 : a->baseline_severity ? "--baseline-severity"
                                                        : NULL;
    if (!a->baseline && needs_baseline)
        return usage_error("%s: only with --baseline FILE", needs_baseline);
    return -1;
}

/* Makes DIR and its parents. */
static int mkdir_p(const char *dir)
{
    char *p = lg_strdup(dir);
    int rc = 0;
    for (char *s = p + 1; *s && !rc; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    if (!rc && mkdir(p, 0777) && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

/* The reports a run writes in --out. */
static const char *const report_names[] = {"result.json", "summary.txt", "summary.md",
                                           "junit.xml",   "report.html", "latency.hlog"};

/* The report folder, before anything else happens: made if missing and proved
 * writable by creating (and removing) a file in it, so that a file, a read-only
 * folder or /dev/null is refused before any load is sent rather than after it.
 * An earlier run's reports there are removed: a run that is refused, fails or
 * dies before it writes its own leaves none that could pass for them. Returns
 * an exit code, or -1 to go on. */
static int prepare_out_dir(const char *dir)
{
    struct stat st;
    if (mkdir_p(dir))
        return usage_error("--out: cannot create the folder '%s': %s", dir, strerror(errno));
    if (stat(dir, &st))
        return usage_error("--out: cannot use '%s': %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return usage_error("--out: '%s' is not a folder", dir);
    char *probe = lg_asprintf("%s/.loadgate-probe-XXXXXX", dir);
    int fd = mkstemp(probe), err = errno;
    if (fd >= 0) {
        close(fd);
        unlink(probe);
    }
    free(probe);
    if (fd < 0)
        return usage_error("--out: cannot write in '%s': %s", dir, strerror(err));
    for (size_t i = 0; i < sizeof(report_names) / sizeof(*report_names); i++) {
        char *path = lg_asprintf("%s/%s", dir, report_names[i]);
        int rc = unlink(path) && errno != ENOENT ? errno : 0;
        free(path);
        if (rc)
            return usage_error("--out: cannot remove an earlier run's %s in '%s': %s",
                               report_names[i], dir, strerror(rc));
    }
    return -1;
}

static void list_names(struct lg_buf *b, const void *base, size_t n, size_t size, size_t name_off)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = *(char *const *)((const char *)base + i * size + name_off);
        lg_buf_printf(b, "%s%s", i ? ", " : "", name);
    }
    if (!n)
        lg_buf_puts(b, "none");
}

/* The run's thresholds: the suite's (shallow copies, still owned by the suite)
 * followed by the parsed --threshold expressions (owned here). Exit code or -1. */
static int collect_thresholds(const struct run_args *a, const struct lg_suite *s,
                              struct lg_threshold **out, size_t *n_out)
{
    size_t n = s->n_thresholds + a->n_thresholds;
    struct lg_threshold *th = lg_calloc(n, sizeof(*th));
    if (s->n_thresholds)
        memcpy(th, s->thresholds, s->n_thresholds * sizeof(*th));
    *out = th;
    *n_out = s->n_thresholds;
    for (size_t i = 0; i < a->n_thresholds; i++) {
        char err[200];
        int off = 0;
        struct lg_threshold *t = &th[s->n_thresholds + i];
        if (lg_threshold_parse(a->thresholds[i], t, err, sizeof(err), &off))
            return usage_error("--threshold '%s': column %d: %s", a->thresholds[i], off + 1, err);
        (*n_out)++;
        t->loc = (struct lg_loc){.file = ""};
        if (lg_threshold_resolve(t, s, err, sizeof(err)))
            return usage_error("--threshold '%s': %s", a->thresholds[i], err);
    }
    return -1;
}

static void free_thresholds(const struct lg_suite *s, struct lg_threshold *th, size_t n)
{
    for (size_t i = s ? s->n_thresholds : 0; i < n; i++)
        lg_threshold_clear(&th[i]);
    free(th);
}

static uint64_t random_seed(void)
{
    uint64_t s = (uint64_t)lg_wall_ms() ^ ((uint64_t)getpid() << 32);
    return s ^ (uint64_t)lg_now_us();
}

static int write_reports(const struct lg_result *r, const char *dir)
{
    char *json = lg_asprintf("%s/%s", dir, report_names[0]);
    char *txt = lg_asprintf("%s/%s", dir, report_names[1]);
    int rc = lg_result_write_json(r, json);
    if (rc)
        fprintf(stderr, "loadgate: cannot write %s: %s\n", json, strerror(errno));
    else if ((rc = lg_report_text_file(r, txt)))
        fprintf(stderr, "loadgate: cannot write %s: %s\n", txt, strerror(errno));
    char *md = lg_asprintf("%s/%s", dir, report_names[2]);
    if (!rc && (rc = lg_report_markdown_file(r, md)))
        fprintf(stderr, "loadgate: cannot write %s: %s\n", md, strerror(errno));
    free(md);
    char *xml = lg_asprintf("%s/%s", dir, report_names[3]);
    if (!rc && (rc = lg_report_junit_file(r, xml)))
        fprintf(stderr, "loadgate: cannot write %s: %s\n", xml, strerror(errno));
    free(xml);
    char *html = lg_asprintf("%s/%s", dir, report_names[4]);
    if (!rc && (rc = lg_report_html_file(r, html)))
        fprintf(stderr, "loadgate: cannot write %s: %s\n", html, strerror(errno));
    free(html);
    free(json);
    free(txt);
    return rc;
}

/* The environment and the profile the flags name (NULL when not asked for).
 * Returns -1, or EXIT_USAGE after saying which ones the suite has. */
static int find_env_profile(const struct run_args *a, const struct lg_suite *s,
                            const struct lg_environment **env, const struct lg_profile **prof)
{
    int rc = -1;
    struct lg_buf b = {0};
    if (a->env && !(*env = lg_suite_env(s, a->env))) {
        list_names(&b, s->envs, s->n_envs, sizeof(*s->envs), offsetof(struct lg_environment, name));
        rc = usage_error("--env: no environment '%s' in %s (environments: %s)", a->env, a->file,
                         b.data);
    } else if (a->profile && !(*prof = lg_suite_profile(s, a->profile))) {
        list_names(&b, s->profiles, s->n_profiles, sizeof(*s->profiles),
                   offsetof(struct lg_profile, name));
        rc = usage_error("--profile: no profile '%s' in %s (profiles: %s)", a->profile, a->file,
                         b.data);
    }
    lg_buf_free(&b);
    return rc;
}

/* A copy of the base URL (NULL for NULL) without a trailing '/', so that "/path"
 * joins cleanly. The caller frees it. */
static char *base_url_copy(const char *url)
{
    char *base = url ? lg_strdup(url) : NULL;
    if (base && base[0] && base[strlen(base) - 1] == '/')
        base[strlen(base) - 1] = '\0';
    return base;
}

/* A signal came while the files loaded: nothing was sent, and the reports say so,
 * marked aborted, as for a run that a signal stopped. */
static void report_not_started(const struct lg_suite *s, struct lg_run_report *rep)
{
    int sig = lg_signals_last();
    lg_metrics_init(&rep->metrics, s);
    rep->started_wall_ms = lg_wall_ms();
    rep->aborted = true;
    snprintf(rep->abort_reason, sizeof(rep->abort_reason), "%s before the run started",
             sig == SIGINT   ? "interrupted (SIGINT)"
             : sig == SIGHUP ? "hung up (SIGHUP)"
                             : "terminated (SIGTERM)");
}

/* latency.hlog for a run stopped before it started: the header alone, as complete
 * as any other (nothing was measured). Returns its errno, 0 when written. */
static int hlog_not_started(const char *path, const struct lg_suite *s, int64_t started_wall_ms)
{
    struct lg_hlog *h = NULL;
    if (lg_hlog_open(path, s, started_wall_ms, &h) || lg_hlog_close(h)) {
        int err = errno;
        fprintf(stderr, "loadgate: cannot write %s: %s\n", path, strerror(err));
        return err;
    }
    return 0;
}

/* Appends summary.md to the file $GITHUB_STEP_SUMMARY names (GitHub Actions shows
 * it on the job's page), when that variable is set and not empty. The file holds
 * the earlier steps' summaries: O_APPEND and, short writes aside, one write, so
 * the summary lands whole after them. O_NONBLOCK: a FIFO nobody reads is refused
 * rather than hanging the gate. Failing to append is a warning only: a missing job
 * summary never changes the verdict or the exit code. */
static void append_step_summary(const struct lg_result *r)
{
    const char *path = getenv("GITHUB_STEP_SUMMARY");
    if (!path || !*path)
        return;
    char *md = lg_report_markdown(r);
    size_t len = strlen(md), done = 0;
    int err = 0;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0666);
    if (fd < 0)
        err = errno;
    while (!err && done < len) {
        ssize_t n = write(fd, md + done, len - done);
        if (n > 0)
            done += (size_t)n;
        else if (n == 0 || errno != EINTR)
            err = n == 0 ? EIO : errno;
    }
    if (fd >= 0 && close(fd) && !err)
        err = errno;
    if (err)
        fprintf(stderr,
                "loadgate: warning: cannot append the Markdown summary to $GITHUB_STEP_SUMMARY "
                "(%s): %s; the verdict and exit code stand\n",
                path, strerror(err));
    free(md);
}

/* Writes the reports (--out), the job summary ($GITHUB_STEP_SUMMARY) and the
 * summary, or only the verdict (--quiet). latency.hlog was written during the run:
 * one that could not be makes the exit code 4 as any report does, the verdict
 * staying what was measured. Returns the exit code. */
static int report(const struct lg_result *result, const struct run_args *a, int hlog_errno)
{
    int rc = lg_outcome_exit_code(result->verdict);
    if (a->out_dir && (write_reports(result, a->out_dir) || hlog_errno))
        rc = EXIT_INTERNAL;
    if (!a->no_step_summary)
        append_step_summary(result);
    if (a->quiet)
        printf("verdict: %s\n", lg_verdict_name(result->verdict));
    else
        lg_report_text(result, stdout, isatty(STDOUT_FILENO));
    /* A signal while the reports were written: they are finished, the exit says
     * aborted (a second one would have exited at once, signals.h). */
    if (lg_signals_received() > 0 && rc != EXIT_INTERNAL)
        rc = EXIT_ABORTED;
    return rc;
}

/* --baseline: the accepted run's result.json, read before anything else happens
 * (before --out removes an earlier run's reports, which may be that very file).
 * Returns an exit code, or -1 and *out. */
static int read_baseline(const struct run_args *a, struct lg_result **out)
{
    struct stat st;
    char err[512];
    if (stat(a->baseline, &st) != 0)
        return usage_error("--baseline: %s: %s", a->baseline, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return usage_error("--baseline: %s: is a folder, not a result.json", a->baseline);
    if (lg_result_read_json(a->baseline, out, err, sizeof(err)))
        return usage_error("--baseline: %s", err);
    return -1;
}

/* The run's regression settings (result.json "regression"): the suite's `regression:`
 * block and its steps' own, the flags over both (docs/compare.md: flag > step > suite
 * > default). Only the steps still judged otherwise are listed. */
static void build_regset(const struct run_args *a, const struct lg_suite *s,
                         struct lg_result_regset *out)
{
    const struct lg_regression *sr = &s->regression;
    struct lg_compare_opts d;
    lg_compare_opts_init(&d);
    memset(out, 0, sizeof(*out));
    bool any_step = false;
    for (size_t i = 0; i < s->n_steps; i++)
        any_step = any_step || s->steps[i]->regression.has;
    out->has =
        sr->has || any_step || a->max_regression >= 0 || a->confidence >= 0 || a->has_metrics;
    if (!out->has)
        return;
    out->budget_from = a->max_regression >= 0 ? LG_REGSET_FLAG
                       : sr->has_budget       ? LG_REGSET_SUITE
                                              : LG_REGSET_DEFAULT;
    out->budget = a->max_regression >= 0 ? a->max_regression
                  : sr->has_budget       ? sr->budget
                                         : d.budget[LG_CMP_P95];
    out->metrics_from = a->has_metrics    ? LG_REGSET_FLAG
                        : sr->has_metrics ? LG_REGSET_SUITE
                                          : LG_REGSET_DEFAULT;
    out->metrics = a->has_metrics ? a->metrics : sr->has_metrics ? sr->metrics : d.metrics;
    out->confidence_from = a->confidence >= 0   ? LG_REGSET_FLAG
                           : sr->has_confidence ? LG_REGSET_SUITE
                                                : LG_REGSET_DEFAULT;
    out->confidence = a->confidence >= 0   ? a->confidence
                      : sr->has_confidence ? sr->confidence
                                           : d.confidence;
    out->steps = lg_calloc(s->n_steps + 1, sizeof(*out->steps));
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct lg_step *st = s->steps[i];
        const struct lg_regression *r = &st->regression;
        if (!r->has)
            continue;
        double budget = a->max_regression >= 0 ? a->max_regression
                        : r->has_budget        ? r->budget
                                               : out->budget;
        unsigned metrics = a->has_metrics ? a->metrics : r->has_metrics ? r->metrics : out->metrics;
        if (metrics == out->metrics && (!metrics || budget == out->budget))
            continue;
        out->steps[out->n_steps++] = (struct lg_result_regset_step){
            .scenario = lg_strdup(s->scenarios[st->scenario].name),
            .step = lg_strdup(st->name ? st->name : ""),
            .budget = budget,
            .metrics = metrics,
        };
    }
}

/* The checks that need the suite, still before anything is sent: the baseline is a
 * run of this suite, and it compares with itself (its histograms can be merged), so
 * that the comparison after the run can only fail on the run's own data. */
static int check_baseline(const struct run_args *a, const struct lg_suite *s,
                          const struct lg_result_regset *rs, const struct lg_result *base)
{
    char *name = lg_strdup(s->name ? s->name : "");
    lg_utf8_settle(&name);
    int rc = -1;
    if (strcmp(name, base->suite))
        rc = usage_error("--baseline: %s is a run of the suite \"%s\", not of \"%s\" (%s)",
                         a->baseline, base->suite, name, a->file);
    free(name);
    if (rc != -1)
        return rc;
    struct lg_compare_opts opts;
    struct lg_comparison *c = NULL;
    char err[512];
    lg_compare_opts_init(&opts);
    lg_compare_opts_from_regset(&opts, rs);
    if (lg_compare(base, base, &opts, &c, err, sizeof(err)))
        rc = usage_error("--baseline: %s: %s", a->baseline, err);
    lg_comparison_free(c);
    return rc;
}

/* After the run: judges result against base and makes it part of the verdict.
 * Returns -1, or EXIT_USAGE when the two cannot be compared. */
static int judge_baseline(const struct run_args *a, const struct lg_result *base,
                          struct lg_result *result)
{
    char err[512];
    bool critical = !a->baseline_severity || !strcmp(a->baseline_severity, "critical");
    if (lg_outcome_judge_baseline(result, base, &result->regression, a->baseline, critical, err,
                                  sizeof(err)))
        return usage_error("--baseline: cannot compare with %s: %s", a->baseline, err);
    return -1;
}

/* --start-at, just before the run: refused when the instant has passed by more
 * than the tolerance meanwhile; else the wait is announced (unless --quiet).
 * *ahead: the instant is still to come. Returns an exit code, or -1 to go on. */
static int start_at_wait_check(const struct run_args *a, bool *ahead)
{
    char why[200], at[48];
    int64_t now = lg_wall_ms();
    if (lg_cli_start_at_check(a->start_at_ms, now, why, sizeof(why)))
        return usage_error("%s", why);
    *ahead = a->start_at_ms > now;
    if (a->quiet)
        return -1;
    lg_cli_format_instant(a->start_at_ms, at, sizeof(at));
    if (a->start_at_ms > now)
        fprintf(stderr, "loadgate: %s%s%swaiting until %s (%.1f s) to start (--start-at)\n",
                a->segment ? "segment " : "", a->segment ? a->segment : "", a->segment ? ": " : "",
                at, (double)(a->start_at_ms - now) / 1e3);
    else
        fprintf(stderr, "loadgate: --start-at %s passed %.3f s ago: starting now\n", at,
                (double)(now - a->start_at_ms) / 1e3);
    fflush(stderr);
    return -1;
}

static int cmd_run(int argc, char **argv)
{
    /* From the start: a signal while the files load (a large feed can take a
     * while) is remembered, and the run then does not start (exit 3), rather than
     * the default action killing the process with no word. */
    lg_signals_before_run();
    struct run_args a;
    struct lg_suite *s = NULL;
    struct lg_diags diags = {0};
    struct lg_threshold *th = NULL;
    size_t n_th = 0;
    struct lg_result *result = NULL, *baseline = NULL;
    struct lg_result_regset regset = {0};
    struct lg_run_report rep = {0};
    struct lg_stage *capped_stages = NULL;
    char *base = NULL, *config_hash = NULL;
    bool ran = false;
    char proxy[256];
    const char *proxy_var = NULL;
    struct lg_buf route = {0};
    char why[400];
    int rc = parse_run_args(argc, argv, &a);
    if (rc != -1)
        goto done;

    struct lg_load_opts lo = {.env = a.env, .vars = a.vars, .n_vars = a.n_vars, .for_run = true};
    if (a.baseline && (rc = read_baseline(&a, &baseline)) != -1)
        goto done;
    if (a.out_dir && (rc = prepare_out_dir(a.out_dir)) != -1)
        goto done;
    if (lg_config_load(a.file, &lo, &s, &diags)) {
        if (lg_signals_received() > 0) { /* it cut a read short: not the file's fault */
            fprintf(stderr, "loadgate: stopped by a signal while the files were read: "
                            "nothing was sent\n");
            rc = EXIT_ABORTED;
        } else {
            lg_diags_print(&diags, stderr);
            rc = EXIT_USAGE;
        }
        goto done;
    }
    const struct lg_environment *env = NULL;
    const struct lg_profile *prof = NULL;
    if ((rc = find_env_profile(&a, s, &env, &prof)) != -1 ||
        (rc = collect_thresholds(&a, s, &th, &n_th)) != -1)
        goto done;
    build_regset(&a, s, &regset);
    if (baseline && (rc = check_baseline(&a, s, &regset, baseline)) != -1)
        goto done;

    struct lg_run_opts o = {
        .suite = s,
        .env = env,
        .base_url = a.base_url ? a.base_url : (env ? env->base_url : NULL),
        .ca_file = a.ca_file ? a.ca_file : (env ? env->ca_file : NULL),
        .insecure = a.insecure || (env && env->insecure),
        .seed = a.have_seed ? a.seed : random_seed(),
        .thresholds = th,
        .n_thresholds = n_th,
        .http = a.http             ? a.http
                : env && env->http ? env->http
                                   : LG_HTTP_1_1,
    };
    /* --http 1.1 over an environment that multiplexes HTTP/2: nothing to share. */
    o.multiplex = env && env->multiplex && o.http == LG_HTTP_2;
    char *refusal = lg_policy_protected_refusal(env, a.yes_production);
    if (refusal) {
        fprintf(stderr, "loadgate: %s\n", refusal);
        free(refusal);
        rc = EXIT_ABORTED;
        goto done;
    }
    struct lg_load_flags load = {.vus = a.vus,
                                 .max_vus = a.max_vus,
                                 .iterations = a.iterations,
                                 .rate_per_s = a.rate_per_s,
                                 .duration_us = a.duration_us,
                                 .max_lateness_us = a.max_lateness_us};
    if (lg_policy_load_shape(&load, prof, &o, why, sizeof(why))) {
        rc = usage_error("%s", why);
        goto done;
    }
    struct lg_result_limits limits;
    lg_policy_apply_limits(env, &o, &capped_stages, &limits);
    o.threads = (unsigned)a.threads;

    const struct lg_step *rel = o.base_url ? NULL : lg_policy_needs_base_url(s);
    if (rel) {
        rc = usage_error("%s:%d:%d: step '%s' has a relative URL: give --base-url, or --env "
                         "with a base_url",
                         rel->loc.file, rel->loc.line, rel->loc.col, rel->name);
        goto done;
    }
    /* The base URL's password is a secret: failure reasons hide it too (outputs
     * show the base URL redacted). */
    lg_url_userinfo_secrets(o.base_url, &s->secrets);
    o.base_url = base = base_url_copy(o.base_url);
    /* The hash is of the whole run's configuration, before it is sliced: every
     * segment of a run computes the same one. */
    struct lg_cli_config cc = {.env = a.env,
                               .profile = a.profile,
                               .o = &o,
                               .thresholds = a.thresholds,
                               .n_thresholds = a.n_thresholds,
                               .vars = a.vars,
                               .n_vars = a.n_vars,
                               .have_seed = a.have_seed};
    if (!(config_hash = lg_cli_config_hash(s, &cc, why, sizeof(why)))) {
        fprintf(stderr, "loadgate: %s\n", why);
        rc = EXIT_INTERNAL;
        goto done;
    }
    if (lg_cli_slice_load(&o, a.slice, a.segment, why, sizeof(why))) {
        rc = usage_error("%s", why);
        goto done;
    }
    if (*why && !a.quiet)
        fprintf(stderr, "loadgate: %s\n", why);
    lg_cli_slice_feeds(s, a.slice);
    o.progress = (a.quiet || a.no_progress) ? LG_PROGRESS_NONE
                 : isatty(STDERR_FILENO)    ? LG_PROGRESS_TTY
                                            : LG_PROGRESS_PLAIN;

    if (lg_fdlimit_raise(o.vus, why, sizeof(why))) {
        rc = usage_error("%s", why);
        goto done;
    }
    /* Said before anything is sent: a proxy from the environment reroutes the load. */
    const char *url = lg_policy_route_url(s, o.base_url, &route);
    if (lg_policy_check_h2c(&o, s, why, sizeof(why))) {
        rc = usage_error("%s", why);
        goto done;
    }
    if (url && lg_proxy_for_url(url, proxy, sizeof(proxy), &proxy_var))
        fprintf(stderr, "loadgate: requests go through the proxy %s (from %s)\n", proxy, proxy_var);
    /* The last check, as late as it can be: loading took a while. */
    bool ahead = false;
    if (a.start_at_ms && (rc = start_at_wait_check(&a, &ahead)) != -1)
        goto done;
    o.start_at_ms = a.start_at_ms;
    char *hlog_path = a.out_dir ? lg_asprintf("%s/latency.hlog", a.out_dir) : NULL;
    o.hlog_path = hlog_path;
    int run_rc = LG_OK;
    if (lg_signals_received() > 0) {
        report_not_started(s, &rep);
        if (hlog_path)
            rep.hlog_errno = hlog_not_started(hlog_path, s, rep.started_wall_ms);
    } else {
        run_rc = lg_run(&o, &rep);
    }
    free(hlog_path);
    o.hlog_path = NULL;
    if (run_rc) {
        fprintf(stderr, "loadgate: internal error: %s\n", lg_strerror(run_rc));
        rc = EXIT_INTERNAL;
        goto done;
    }
    ran = true;
    /* The VUs are made before the wait: many of them may take longer than it. */
    if (ahead && rep.started_wall_ms > a.start_at_ms && !rep.aborted && !a.quiet)
        fprintf(stderr,
                "loadgate: warning: started %.3f s after --start-at: making the VUs took "
                "longer than the wait (started_unix_ms says when)\n",
                (double)(rep.started_wall_ms - a.start_at_ms) / 1e3);
    struct lg_outcome_info info = {
        .file = a.file,
        .env = a.env,
        .profile = a.profile,
        .base_url = o.base_url,
        .vus = o.vus,
        .max_lateness_us = o.max_lateness_us ? o.max_lateness_us : LG_DEFAULT_MAX_LATENESS_US,
        .limits = limits,
        .http = o.http,
        .multiplex = o.multiplex,
    };
    if (proxy_var) {
        info.proxy = proxy;
        info.proxy_variable = proxy_var;
    }
    result = lg_outcome_build(s, th, n_th, &rep, &info);
    result->has_segment = !lg_slice_whole(a.slice) || a.segment;
    result->segment_index = result->has_segment ? a.slice.index + 1 : 0;
    result->segment_count = result->has_segment ? a.slice.count : 0;
    result->config_hash = config_hash;
    config_hash = NULL;
    result->started_unix_ms = rep.started_wall_ms;
    result->regression = regset;
    memset(&regset, 0, sizeof(regset));
    lg_result_settle(result);
    int base_rc = baseline ? judge_baseline(&a, baseline, result) : -1;
    if (result->has_segment) /* what `loadgate merge` needs (docs/merge.md) */
        lg_outcome_add_merge_data(result, s, &rep);
    rc = report(result, &a, rep.hlog_errno);
    if (base_rc != -1 && rc != EXIT_INTERNAL)
        rc = base_rc;
done:
    lg_buf_free(&route);
    if (ran)
        lg_metrics_free(&rep.metrics);
    lg_result_free(result);
    lg_result_free(baseline);
    lg_result_regset_clear(&regset);
    free(base);
    free(config_hash);
    free(capped_stages);
    free_thresholds(s, th, n_th);
    lg_suite_free(s);
    lg_diags_free(&diags);
    run_args_free(&a);
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"var", required_argument, NULL, OPT_VAR},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    struct run_args a;
    memset(&a, 0, sizeof(a));
    optind = 1;
    opterr = 0;
    int c, rc = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(check_usage, stdout);
            run_args_free(&a);
            return EXIT_PASS;
        }
        if (c == OPT_VAR && !(rc = parse_var(optarg, &a)))
            continue;
        if (!rc)
            rc = usage_error("check: unknown option '%s' (see loadgate check --help)",
                             argv[optind - 1]);
        run_args_free(&a);
        return rc;
    }
    if (optind >= argc) {
        run_args_free(&a);
        return usage_error("check: missing FILE (see loadgate check --help)");
    }
    for (int i = optind; i < argc; i++) {
        struct lg_suite *s = NULL;
        struct lg_diags d = {0};
        struct lg_load_opts lo = {.vars = a.vars, .n_vars = a.n_vars};
        if (lg_config_load(argv[i], &lo, &s, &d)) {
            lg_diags_print(&d, stderr);
            rc = EXIT_USAGE;
        } else {
            printf("%s: ok (%zu scenario%s, %zu step%s, %zu threshold%s)\n", argv[i],
                   s->n_scenarios, s->n_scenarios == 1 ? "" : "s", s->n_steps,
                   s->n_steps == 1 ? "" : "s", s->n_thresholds, s->n_thresholds == 1 ? "" : "s");
        }
        lg_diags_free(&d);
        lg_suite_free(s);
    }
    run_args_free(&a);
    return rc;
}

/* ---- report ---- */

bool lg_cli_path_errno(int e)
{
    return e == ENOENT || e == ENOTDIR || e == EACCES || e == EPERM || e == EROFS || e == EISDIR ||
           e == ENAMETOOLONG || e == ELOOP || e == EEXIST;
}

int lg_cli_check_output_path(const char *flag, const char *path, const struct stat *inputs,
                             size_t n_inputs)
{
    struct stat st;
    if (!*path)
        return usage_error("--%s: expected a file name", flag);
    if (lstat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return usage_error("--%s: '%s' is a folder", flag, path);
        for (size_t i = 0; i < n_inputs; i++)
            if (st.st_dev == inputs[i].st_dev && st.st_ino == inputs[i].st_ino)
                return usage_error("--%s: '%s' is the result being read", flag, path);
        /* The atomic write renames a new file over the path: over a device, a
         * pipe or a symbolic link (/dev/stdout) that would replace the node
         * itself, not write into what it leads to. */
        if (!S_ISREG(st.st_mode))
            return usage_error("--%s: '%s' is not a regular file (reports replace the file "
                               "they are written to; --text prints the summary)",
                               flag, path);
    }
    const char *slash = strrchr(path, '/');
    char *dir = slash ? lg_strndup(path, (size_t)(slash - path)) : lg_strdup(".");
    if (!*dir) {
        free(dir);
        dir = lg_strdup("/");
    }
    int rc = -1;
    if (stat(dir, &st) != 0)
        rc = usage_error("--%s: cannot write '%s': folder '%s': %s", flag, path, dir,
                         strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = usage_error("--%s: cannot write '%s': '%s' is not a folder", flag, path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = usage_error("--%s: cannot write '%s': folder '%s': %s", flag, path, dir,
                         strerror(errno));
    free(dir);
    return rc;
}

/* path with its folder resolved (symbolic links, ".", "..", repeated slashes), as
 * the rename that writes it will find it: two spellings of one file give the same
 * string. The folder must exist (lg_cli_check_output_path). Caller frees; NULL when
 * it cannot be resolved. */
static char *resolved_out_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? lg_strndup(path, (size_t)(slash - path)) : lg_strdup(".");
    char *real = realpath(*dir ? dir : "/", NULL);
    free(dir);
    if (!real)
        return NULL;
    char *out = lg_asprintf("%s/%s", strcmp(real, "/") ? real : "", slash ? slash + 1 : path);
    free(real);
    return out;
}

int lg_cli_check_outputs_differ(const char *const *flags, const char *const *paths, size_t n)
{
    char **resolved = lg_calloc(n ? n : 1, sizeof(*resolved));
    struct stat *st = lg_calloc(n ? n : 1, sizeof(*st));
    bool *exists = lg_calloc(n ? n : 1, sizeof(*exists));
    int rc = -1;
    for (size_t i = 0; i < n; i++) {
        if (!paths[i])
            continue;
        resolved[i] = resolved_out_path(paths[i]);
        exists[i] = stat(paths[i], &st[i]) == 0;
    }
    for (size_t i = 0; i < n && rc == -1; i++)
        for (size_t j = 0; j < i && rc == -1 && paths[i]; j++) {
            if (!paths[j])
                continue;
            bool same = !strcmp(paths[i], paths[j]) ||
                        (resolved[i] && resolved[j] && !strcmp(resolved[i], resolved[j])) ||
                        (exists[i] && exists[j] && st[i].st_dev == st[j].st_dev &&
                         st[i].st_ino == st[j].st_ino);
            if (same)
                rc = usage_error("--%s: '%s' is also --%s's file ('%s')", flags[i], paths[i],
                                 flags[j], paths[j]);
        }
    for (size_t i = 0; i < n; i++)
        free(resolved[i]);
    free(resolved);
    free(st);
    free(exists);
    return rc;
}

enum { OPT_REPORT_TEXT = 512, OPT_REPORT_FORMAT };

/* loadgate report RESULT.json [--FORMAT FILE]... [--text] */
static int cmd_report(int argc, char **argv)
{
    struct option opts[N_REPORT_FORMATS + 3];
    for (size_t i = 0; i < N_REPORT_FORMATS; i++)
        opts[i] = (struct option){report_formats[i].flag, required_argument, NULL,
                                  OPT_REPORT_FORMAT + (int)i};
    opts[N_REPORT_FORMATS] = (struct option){"text", no_argument, NULL, OPT_REPORT_TEXT};
    opts[N_REPORT_FORMATS + 1] = (struct option){"help", no_argument, NULL, 'h'};
    opts[N_REPORT_FORMATS + 2] = (struct option){0};
    const char *paths[N_REPORT_FORMATS] = {0};
    bool text = false, any_file = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'h') {
            report_usage();
            return EXIT_PASS;
        }
        if (c == OPT_REPORT_TEXT) {
            text = true;
        } else if (c >= OPT_REPORT_FORMAT && c < OPT_REPORT_FORMAT + (int)N_REPORT_FORMATS) {
            size_t i = (size_t)(c - OPT_REPORT_FORMAT);
            if (paths[i])
                return usage_error("--%s: given twice", report_formats[i].flag);
            paths[i] = optarg;
            any_file = true;
        } else if (c == ':') {
            return usage_error("%s: missing value", argv[optind - 1]);
        } else {
            return usage_error("report: unknown option '%s' (see loadgate report --help)",
                               argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return usage_error(optind >= argc ? "report: missing RESULT.json (see loadgate report "
                                            "--help)"
                                          : "report: expected one RESULT.json, got '%s' too",
                           optind < argc - 1 ? argv[optind + 1] : "");
    const char *input = argv[optind];
    /* A folder opens and reads as nothing on some systems: say what it is. */
    struct stat in_st;
    if (stat(input, &in_st) != 0)
        return usage_error("%s: %s", input, strerror(errno));
    if (S_ISDIR(in_st.st_mode))
        return usage_error("%s: is a folder, not a result.json", input);
    if (!any_file)
        text = true; /* `loadgate report out/result.json` shows the summary */
    for (size_t i = 0; i < N_REPORT_FORMATS; i++) {
        int rc;
        if (paths[i] &&
            (rc = lg_cli_check_output_path(report_formats[i].flag, paths[i], &in_st, 1)) != -1)
            return rc;
    }
    const char *flags[N_REPORT_FORMATS];
    for (size_t i = 0; i < N_REPORT_FORMATS; i++)
        flags[i] = report_formats[i].flag;
    int rc_paths = lg_cli_check_outputs_differ(flags, paths, N_REPORT_FORMATS);
    if (rc_paths != -1)
        return rc_paths;

    struct lg_result *r = NULL;
    char err[512];
    if (lg_result_read_json(input, &r, err, sizeof(err)))
        return usage_error("%s", err);
    int rc = EXIT_PASS;
    for (size_t i = 0; i < N_REPORT_FORMATS && rc == EXIT_PASS; i++) {
        if (!paths[i] || report_formats[i].write(r, paths[i]) == 0)
            continue;
        int e = errno;
        fprintf(stderr, "loadgate: --%s: cannot write '%s': %s\n", report_formats[i].flag, paths[i],
                strerror(e));
        rc = lg_cli_path_errno(e) ? EXIT_USAGE : EXIT_INTERNAL;
    }
    if (rc == EXIT_PASS && text)
        lg_report_text(r, stdout, false);
    lg_result_free(r);
    return rc;
}

/* Runs the command; the exit code as lg_cli_main returns it, before stdout is checked. */
static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(main_usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(main_usage, stdout);
        return EXIT_PASS;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("loadgate %s (%s)\n", LG_VERSION, curl_version());
        return EXIT_PASS;
    }
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
        fputs("loadgate: internal error: libcurl failed to initialise\n", stderr);
        return EXIT_INTERNAL;
    }
    int rc;
    if (!strcmp(cmd, "run"))
        rc = cmd_run(argc - 1, argv + 1);
    else if (!strcmp(cmd, "check"))
        rc = cmd_check(argc - 1, argv + 1);
    else if (!strcmp(cmd, "report"))
        rc = cmd_report(argc - 1, argv + 1);
    else if (!strcmp(cmd, "compare"))
        rc = lg_cli_compare(argc - 1, argv + 1);
    else if (!strcmp(cmd, "merge"))
        rc = lg_cli_merge(argc - 1, argv + 1);
    else
        rc = usage_error("unknown command '%s' (see loadgate --help)", cmd);
    curl_global_cleanup();
    return rc;
}

int lg_cli_main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    /* What went to stdout (the summary, the verdict line, check's findings) is the
     * output a pipeline reads: when it could not all be written (a full disk, a
     * closed pipe), the run's own verdict cannot stand as the exit code. */
    int failed = fflush(stdout) ? errno : 0;
    if (!failed && ferror(stdout))
        failed = EIO;
    if (failed) {
        fprintf(stderr, "loadgate: internal error: cannot write to standard output: %s\n",
                strerror(failed));
        rc = EXIT_INTERNAL;
    }
    return rc;
}
