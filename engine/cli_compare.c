/* cli_compare: `loadgate compare BASE.json NEW.json`: reads two results, judges NEW
 * against BASE (compare.h), prints the comparison and writes its reports. Exit 0 no
 * regression, 1 regression, 2 invalid input (docs/compare.md). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_common.h"
#include "compare.h"
#include "comparison.h"
#include "result.h"
#include "util.h"

static const char *const compare_usage =
    "usage: loadgate compare BASE.json NEW.json [options]\n"
    "\n"
    "Judges NEW (a run's result.json) against BASE (the last accepted one), per step\n"
    "and overall, on confidence bounds from the samples: a metric regresses only when\n"
    "the data shows NEW worse than BASE by more than the budget; runs too small to tell\n"
    "are INCONCLUSIVE, and said so (docs/compare.md).\n"
    "\n"
    "Without the first three options below, the settings NEW's run recorded (its\n"
    "suite's `regression:` block, per-step budgets included) apply, else the defaults;\n"
    "each given option overrides them, for every step.\n"
    "\n"
    "      --max-regression P     the worsening allowed, e.g. 10% (the default)\n"
    "      --confidence P         e.g. 99% (the default), 95%; above 0%, below 100%\n"
    "      --metrics LIST         the judged metrics, comma-separated, among p50, p90,\n"
    "                             p95, p99, error_rate, checks (default p95,p99,error_rate)\n"
    "      --allow-different-suite  compare results of different suites\n"
    "      --fail-on-inconclusive exit 1 when a judged metric is inconclusive\n"
    "      --markdown FILE        write the comparison as GitHub-flavoured Markdown\n"
    "      --junit FILE           write it as JUnit XML (a case per judged metric)\n"
    "      --json FILE            write it as JSON (schema loadgate.comparison/1)\n"
    "\n"
    "Exit code 0 no regression (inconclusive metrics are listed, and pass unless\n"
    "--fail-on-inconclusive); 1 regression; 2 invalid input (unreadable files, not a\n"
    "result, different suites, a bad option or output path); 4 a report could not be\n"
    "written otherwise (a full disk).\n";

enum {
    OPT_MAX_REGRESSION = 256,
    OPT_CONFIDENCE,
    OPT_METRICS,
    OPT_ALLOW_DIFFERENT_SUITE,
    OPT_FAIL_ON_INCONCLUSIVE,
    OPT_MARKDOWN,
    OPT_JUNIT,
    OPT_JSON,
};

/* The reports, in the order they are written: their flag and writer. */
struct cmp_format {
    const char *flag;
    int (*write)(const struct lg_cmp_doc *d, const char *path);
};
static const struct cmp_format formats[] = {
    {"markdown", lg_cmp_report_markdown_file},
    {"junit", lg_cmp_report_junit_file},
    {"json", lg_cmp_report_json_file},
};
#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

struct compare_args {
    struct lg_compare_opts opts;
    double budget, confidence; /* -1: not given */
    bool has_metrics;
    unsigned metrics;
    bool fail_on_inconclusive;
    const char *paths[N_FORMATS];
    const char *base, *new;
};

int lg_cli_parse_max_regression(const char *arg, double *out)
{
    if (lg_cli_parse_percent(arg, out) || *out > 100.0)
        return lg_cli_usage_error("--max-regression: expected a percentage from 0%% (e.g. 10%%), "
                                  "got '%s'",
                                  arg);
    return -1;
}

int lg_cli_parse_confidence(const char *arg, double *out)
{
    if (lg_cli_parse_percent(arg, out) || !(*out > 0.0 && *out < 1.0))
        return lg_cli_usage_error("--confidence: expected a percentage above 0%% and below 100%% "
                                  "(e.g. 99%%), got '%s'",
                                  arg);
    return -1;
}

int lg_cli_parse_metrics(const char *arg, unsigned *out)
{
    unsigned set = 0;
    char *copy = lg_strdup(arg), *save = NULL;
    int rc = -1;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int m = lg_cmp_metric_parse(tok);
        if (m < 0) {
            rc = lg_cli_usage_error("--metrics: unknown metric '%s' (p50, p90, p95, p99, "
                                    "error_rate, checks)",
                                    tok);
            break;
        }
        const char *why = lg_cmp_metric_unjudgeable((enum lg_cmp_metric)m);
        if (why) {
            rc = lg_cli_usage_error("--metrics: %s", why);
            break;
        }
        set |= 1u << m;
    }
    free(copy);
    if (rc == -1 && !set)
        rc = lg_cli_usage_error("--metrics: expected metric names, e.g. p95,p99,error_rate");
    if (rc == -1)
        *out = set;
    return rc;
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct compare_args *a)
{
    static const struct option opts[] = {
        {"max-regression", required_argument, NULL, OPT_MAX_REGRESSION},
        {"confidence", required_argument, NULL, OPT_CONFIDENCE},
        {"metrics", required_argument, NULL, OPT_METRICS},
        {"allow-different-suite", no_argument, NULL, OPT_ALLOW_DIFFERENT_SUITE},
        {"fail-on-inconclusive", no_argument, NULL, OPT_FAIL_ON_INCONCLUSIVE},
        {"markdown", required_argument, NULL, OPT_MARKDOWN},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"json", required_argument, NULL, OPT_JSON},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    memset(a, 0, sizeof(*a));
    lg_compare_opts_init(&a->opts);
    a->budget = a->confidence = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        int rc = -1;
        switch (c) {
        case OPT_MAX_REGRESSION:
            rc = lg_cli_parse_max_regression(optarg, &a->budget);
            break;
        case OPT_CONFIDENCE:
            rc = lg_cli_parse_confidence(optarg, &a->confidence);
            break;
        case OPT_METRICS:
            rc = lg_cli_parse_metrics(optarg, &a->metrics);
            a->has_metrics = true;
            break;
        case OPT_ALLOW_DIFFERENT_SUITE:
            a->opts.allow_different_suite = true;
            break;
        case OPT_FAIL_ON_INCONCLUSIVE:
            a->fail_on_inconclusive = true;
            break;
        case OPT_MARKDOWN:
        case OPT_JUNIT:
        case OPT_JSON: {
            size_t i = (size_t)(c - OPT_MARKDOWN);
            if (a->paths[i])
                return lg_cli_usage_error("--%s: given twice", formats[i].flag);
            a->paths[i] = optarg;
            break;
        }
        case 'h':
            fputs(compare_usage, stdout);
            return LG_CLI_EXIT_PASS;
        case ':':
            return lg_cli_usage_error("%s: missing value", argv[optind - 1]);
        default:
            return lg_cli_usage_error("compare: unknown option '%s' (see loadgate compare --help)",
                                      argv[optind - 1]);
        }
        if (rc != -1)
            return rc;
    }
    if (argc - optind != 2)
        return lg_cli_usage_error(argc - optind < 2
                                      ? "compare: expected BASE.json and NEW.json (see loadgate "
                                        "compare --help)"
                                      : "compare: expected two results, got '%s' too",
                                  argc - optind > 2 ? argv[optind + 2] : "");
    a->base = argv[optind];
    a->new = argv[optind + 1];
    return -1;
}

/* 0.1 -> "10%", 0.995 -> "99.5%". */
static const char *fmt_pct(double v, char buf[32])
{
    snprintf(buf, 32, "%.6g%%", v * 100.0);
    return buf;
}

/* A setting's origin as the text says it: compare's own flag, else what NEW's run
 * recorded (its suite, its own flag, the default). */
static const char *origin(bool flag, const struct lg_result_regset *rec, enum lg_regset_from f)
{
    if (flag)
        return "flag";
    if (!rec->has || f == LG_REGSET_DEFAULT)
        return "default";
    return f == LG_REGSET_SUITE ? "suite" : "NEW's run flag";
}

/* The options: NEW's recorded settings (so that compare judges like the run's
 * --baseline did), the flags over them and over every step's; *steps (caller frees)
 * holds the steps' entries with the flags applied. Returns the "settings:" line of
 * the text (caller frees). */
static char *apply_settings(struct compare_args *a, const struct lg_result *new,
                            struct lg_result_regset_step **steps)
{
    const struct lg_result_regset *rec = &new->regression;
    struct lg_compare_opts *o = &a->opts;
    lg_compare_opts_from_regset(o, rec);
    if (a->budget >= 0)
        for (int m = 0; m < LG_CMP_METRICS; m++)
            o->budget[m] = a->budget;
    if (a->has_metrics)
        o->metrics = a->metrics;
    if (a->confidence >= 0)
        o->confidence = a->confidence;
    *steps = lg_calloc(o->n_steps + 1, sizeof(**steps));
    for (size_t i = 0; i < o->n_steps; i++) {
        (*steps)[i] = o->steps[i]; /* names borrowed from new */
        if (a->budget >= 0)
            (*steps)[i].budget = a->budget;
        if (a->has_metrics)
            (*steps)[i].metrics = a->metrics;
    }
    o->steps = *steps;

    char budget[32], conf[32];
    struct lg_buf b = {0};
    lg_buf_printf(&b, "budget %s (%s), metrics ", fmt_pct(o->budget[LG_CMP_P95], budget),
                  origin(a->budget >= 0, rec, rec->budget_from));
    const char *sep = "";
    for (int m = 0; m < LG_CMP_METRICS; m++)
        if (o->metrics & (1u << m)) {
            lg_buf_printf(&b, "%s%s", sep, lg_cmp_metric_name((enum lg_cmp_metric)m));
            sep = ",";
        }
    lg_buf_printf(&b, " (%s), confidence %s (%s)", origin(a->has_metrics, rec, rec->metrics_from),
                  fmt_pct(o->confidence, conf),
                  origin(a->confidence >= 0, rec, rec->confidence_from));
    /* The steps still judged otherwise once the flags apply. */
    struct lg_result_regset shown = {.has = true,
                                     .budget = o->budget[LG_CMP_P95],
                                     .metrics = o->metrics,
                                     .confidence = o->confidence};
    struct lg_result_regset_step *kept = lg_calloc(o->n_steps + 1, sizeof(*kept));
    for (size_t i = 0; i < o->n_steps; i++)
        if (o->steps[i].metrics != o->metrics ||
            (o->steps[i].metrics && o->steps[i].budget != shown.budget))
            kept[shown.n_steps++] = o->steps[i];
    shown.steps = kept;
    char *over = lg_result_regset_overrides(&shown);
    if (over)
        lg_buf_printf(&b, "; per step (NEW's suite): %s; overall not judged", over);
    free(over);
    free(kept);
    return lg_buf_take(&b);
}

/* A folder opens and reads as nothing on some systems: say what it is. */
static int stat_input(const char *path, struct stat *st)
{
    if (stat(path, st) != 0)
        return lg_cli_usage_error("%s: %s", path, strerror(errno));
    if (S_ISDIR(st->st_mode))
        return lg_cli_usage_error("%s: is a folder, not a result.json", path);
    return -1;
}

int lg_cli_compare(int argc, char **argv)
{
    struct compare_args a;
    struct lg_result *base = NULL, *new = NULL;
    struct lg_comparison *cmp = NULL;
    struct lg_result_regset_step *steps = NULL;
    char *settings = NULL;
    struct stat in[2];
    char err[512];
    int rc = parse_args(argc, argv, &a);
    if (rc != -1)
        return rc;
    if ((rc = stat_input(a.base, &in[0])) != -1 || (rc = stat_input(a.new, &in[1])) != -1)
        return rc;
    for (size_t i = 0; i < N_FORMATS; i++)
        if (a.paths[i] && (rc = lg_cli_check_output_path(formats[i].flag, a.paths[i], in, 2)) != -1)
            return rc;
    const char *flags[N_FORMATS];
    for (size_t i = 0; i < N_FORMATS; i++)
        flags[i] = formats[i].flag;
    if ((rc = lg_cli_check_outputs_differ(flags, a.paths, N_FORMATS)) != -1)
        return rc;
    if (lg_result_read_json(a.base, &base, err, sizeof(err)) ||
        lg_result_read_json(a.new, &new, err, sizeof(err))) {
        rc = lg_cli_usage_error("%s", err);
        goto done;
    }
    steps = NULL;
    settings = apply_settings(&a, new, &steps);
    if (lg_compare(base, new, &a.opts, &cmp, err, sizeof(err))) {
        rc =
            lg_cli_usage_error("compare: %s%s", err,
                               strstr(err, "different suites") ? " (--allow-different-suite)" : "");
        goto done;
    }
    struct lg_cmp_doc doc = {.c = cmp,
                             .base = base,
                             .new = new,
                             .base_path = a.base,
                             .new_path = a.new,
                             .fail_on_inconclusive = a.fail_on_inconclusive,
                             .settings = settings};
    rc = lg_cmp_doc_failed(&doc) ? LG_CLI_EXIT_GATE : LG_CLI_EXIT_PASS;
    for (size_t i = 0; i < N_FORMATS; i++) {
        if (!a.paths[i] || formats[i].write(&doc, a.paths[i]) == 0)
            continue;
        int e = errno;
        fprintf(stderr, "loadgate: --%s: cannot write '%s': %s\n", formats[i].flag, a.paths[i],
                strerror(e));
        rc = lg_cli_path_errno(e) ? LG_CLI_EXIT_USAGE : LG_CLI_EXIT_INTERNAL;
        break;
    }
    /* Printed also when a report failed: the comparison itself stands. */
    lg_cmp_report_text(&doc, stdout);
done:
    lg_comparison_free(cmp);
    free(steps);
    free(settings);
    lg_result_free(base);
    lg_result_free(new);
    return rc;
}
