/* cli_merge: `loadgate merge -o OUT.json R1.json ... RN.json`: reads the results of
 * the segments of one distributed run, merges them (merge.h), judges the merged
 * run (and, with --baseline, against an accepted run), writes OUT.json and prints
 * its summary. Exit 0 pass, 1 fail, 3 aborted, 2 refused input, 4 OUT not written
 * (docs/merge.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_common.h"
#include "compare.h"
#include "merge.h"
#include "outcome.h"
#include "report.h"
#include "result.h"
#include "util.h"

static const char *const merge_usage =
    "usage: loadgate merge -o OUT.json [options] R1.json ... RN.json\n"
    "\n"
    "Merges the result.json of every segment of one distributed run (`loadgate run\n"
    "--segment K/N` on N machines) into the result one machine would have given:\n"
    "histograms merged exactly, counts summed, seconds aligned by wall clock, and every\n"
    "threshold and rule judged again on the merged data (docs/merge.md). `loadgate\n"
    "report OUT.json` renders it like any result.\n"
    "\n"
    "  -o, --output FILE         write the merged result.json there (required)\n"
    "      --allow-partial       merge even when segments are missing: OUT.json names\n"
    "                            them and its gate fails (rule \"partial\")\n"
    "      --baseline FILE       judge the merged run against an accepted run's\n"
    "                            result.json, as `run --baseline` does (docs/compare.md)\n"
    "      --max-regression P    with --baseline: the worsening allowed, over the\n"
    "                            suite's `regression:` budgets (default 10%)\n"
    "      --confidence P        with --baseline: the confidence of the bounds, over\n"
    "                            the suite's (default 99%)\n"
    "      --metrics LIST        with --baseline: the judged metrics, over the suite's\n"
    "                            and its steps' (default p95,p99,error_rate)\n"
    "      --baseline-severity critical|warning  with --baseline: a regression fails the\n"
    "                            gate (critical, the default) or is only reported\n"
    "      --quiet               print the verdict line only, not the summary\n"
    "\n"
    "Refused (exit 2, saying why): results of different configurations (config_hash) or\n"
    "segment counts, a segment given twice, a missing segment (without --allow-partial),\n"
    "a result that is no segment's, another schema, an unreadable file, OUT naming an\n"
    "input. Exit code otherwise the merged verdict: 0 pass, 1 fail, 3 aborted (a segment\n"
    "aborted); 4 OUT.json could not be written.\n";

enum {
    OPT_ALLOW_PARTIAL = 256,
    OPT_BASELINE,
    OPT_MAX_REGRESSION,
    OPT_BASELINE_SEVERITY,
    OPT_CONFIDENCE,
    OPT_METRICS,
    OPT_QUIET
};

struct merge_args {
    const char *out;
    bool allow_partial, quiet;
    const char *baseline;
    double max_regression; /* < 0: not given */
    double confidence;     /* < 0: not given */
    bool has_metrics;
    unsigned metrics; /* --metrics, when has_metrics */
    const char *baseline_severity;
    char **inputs;
    size_t n_inputs;
};

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct merge_args *a)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"max-regression", required_argument, NULL, OPT_MAX_REGRESSION},
        {"baseline-severity", required_argument, NULL, OPT_BASELINE_SEVERITY},
        {"confidence", required_argument, NULL, OPT_CONFIDENCE},
        {"metrics", required_argument, NULL, OPT_METRICS},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    memset(a, 0, sizeof(*a));
    a->max_regression = -1;
    a->confidence = -1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (a->out)
                return lg_cli_usage_error("--output: given twice");
            a->out = optarg;
            break;
        case OPT_ALLOW_PARTIAL:
            a->allow_partial = true;
            break;
        case OPT_BASELINE:
            if (a->baseline)
                return lg_cli_usage_error("--baseline: given twice");
            a->baseline = optarg;
            break;
        case OPT_MAX_REGRESSION: {
            int rc = lg_cli_parse_max_regression(optarg, &a->max_regression);
            if (rc != -1)
                return rc;
            break;
        }
        case OPT_CONFIDENCE: {
            int rc = lg_cli_parse_confidence(optarg, &a->confidence);
            if (rc != -1)
                return rc;
            break;
        }
        case OPT_METRICS: {
            int rc = lg_cli_parse_metrics(optarg, &a->metrics);
            if (rc != -1)
                return rc;
            a->has_metrics = true;
            break;
        }
        case OPT_BASELINE_SEVERITY:
            if (strcmp(optarg, "critical") && strcmp(optarg, "warning"))
                return lg_cli_usage_error("--baseline-severity: expected critical or warning, "
                                          "got '%s'",
                                          optarg);
            a->baseline_severity = optarg;
            break;
        case OPT_QUIET:
            a->quiet = true;
            break;
        case 'h':
            fputs(merge_usage, stdout);
            return LG_CLI_EXIT_PASS;
        case ':':
            return lg_cli_usage_error("%s: missing value", argv[optind - 1]);
        default:
            return lg_cli_usage_error("merge: unknown option '%s' (see loadgate merge --help)",
                                      argv[optind - 1]);
        }
    }
    if (!a->baseline) {
        const char *flag = a->max_regression >= 0 ? "--max-regression"
                           : a->confidence >= 0   ? "--confidence"
                           : a->has_metrics       ? "--metrics"
                           : a->baseline_severity ? "--baseline-severity"
                                                  : NULL;
        if (flag)
            return lg_cli_usage_error("%s: only with --baseline", flag);
    }
    if (!a->out)
        return lg_cli_usage_error("merge: missing -o OUT.json (see loadgate merge --help)");
    if (optind >= argc)
        return lg_cli_usage_error("merge: expected the segments' result.json files (see "
                                  "loadgate merge --help)");
    a->inputs = argv + optind;
    a->n_inputs = (size_t)(argc - optind);
    return -1;
}

/* A folder opens and reads as nothing on some systems: say what it is. */
static int stat_input(const char *flag, const char *path, struct stat *st)
{
    if (stat(path, st) != 0)
        return lg_cli_usage_error("%s%s%s: %s", flag, *flag ? ": " : "", path, strerror(errno));
    if (S_ISDIR(st->st_mode))
        return lg_cli_usage_error("%s%s%s: is a folder, not a result.json", flag, *flag ? ": " : "",
                                  path);
    return -1;
}

/* --max-regression, --metrics and --confidence over the regression settings the
 * segments recorded, as `run` puts them over the suite's (docs/compare.md: flag > step
 * > suite > default): a flag sets the suite level and every step, and a step stays
 * listed only when it is still judged otherwise. */
static void apply_flags(struct lg_result_regset *rs, const struct merge_args *a)
{
    if (a->max_regression < 0 && a->confidence < 0 && !a->has_metrics)
        return;
    if (!rs->has) {
        struct lg_compare_opts d;
        lg_compare_opts_init(&d);
        lg_result_regset_clear(rs);
        *rs = (struct lg_result_regset){.has = true,
                                        .budget = d.budget[LG_CMP_P95],
                                        .metrics = d.metrics,
                                        .confidence = d.confidence};
    }
    if (a->max_regression >= 0) {
        rs->budget = a->max_regression;
        rs->budget_from = LG_REGSET_FLAG;
    }
    if (a->has_metrics) {
        rs->metrics = a->metrics;
        rs->metrics_from = LG_REGSET_FLAG;
    }
    if (a->confidence >= 0) {
        rs->confidence = a->confidence;
        rs->confidence_from = LG_REGSET_FLAG;
    }
    size_t kept = 0;
    for (size_t i = 0; i < rs->n_steps; i++) {
        struct lg_result_regset_step *st = &rs->steps[i];
        if (a->max_regression >= 0)
            st->budget = rs->budget;
        if (a->has_metrics)
            st->metrics = rs->metrics;
        if (st->budget == rs->budget && st->metrics == rs->metrics) {
            free(st->scenario);
            free(st->step);
            continue;
        }
        rs->steps[kept++] = *st;
    }
    rs->n_steps = kept;
}

/* --baseline: the merged run judged against the accepted one, part of its verdict,
 * with the regression settings the segments recorded (and the flags over them).
 * Returns -1, or an exit code when the two cannot be compared. */
static int judge_baseline(const struct merge_args *a, const struct lg_result *base,
                          struct lg_result *r)
{
    char err[512];
    apply_flags(&r->regression, a);
    bool critical = !a->baseline_severity || !strcmp(a->baseline_severity, "critical");
    if (lg_outcome_judge_baseline(r, base, &r->regression, a->baseline, critical, err, sizeof(err)))
        return lg_cli_usage_error("--baseline: cannot compare with %s: %s", a->baseline, err);
    return -1;
}

int lg_cli_merge(int argc, char **argv)
{
    struct merge_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != -1)
        return rc;
    size_t n_in = a.n_inputs + (a.baseline ? 1 : 0);
    struct stat *st = lg_calloc(n_in, sizeof(*st));
    struct lg_result **in = lg_calloc(a.n_inputs, sizeof(*in));
    struct lg_result *base = NULL, *merged = NULL;
    char err[1024];
    for (size_t i = 0; i < a.n_inputs && rc == -1; i++)
        rc = stat_input("", a.inputs[i], &st[i]);
    if (rc == -1 && a.baseline)
        rc = stat_input("--baseline", a.baseline, &st[a.n_inputs]);
    if (rc == -1)
        rc = lg_cli_check_output_path("output", a.out, st, n_in);
    if (rc != -1)
        goto done;
    for (size_t i = 0; i < a.n_inputs; i++) {
        if (lg_result_read_json(a.inputs[i], &in[i], err, sizeof(err))) {
            rc = lg_cli_usage_error("merge: %s", err);
            goto done;
        }
    }
    if (a.baseline && lg_result_read_json(a.baseline, &base, err, sizeof(err))) {
        rc = lg_cli_usage_error("--baseline: %s", err);
        goto done;
    }
    struct lg_merge_opts mo = {.allow_partial = a.allow_partial};
    if (lg_merge(in, (const char *const *)a.inputs, a.n_inputs, &mo, &merged, err, sizeof(err))) {
        rc = lg_cli_usage_error("merge: %s", err);
        goto done;
    }
    if (base && (rc = judge_baseline(&a, base, merged)) != -1)
        goto done;
    rc = lg_outcome_exit_code(merged->verdict);
    if (lg_result_write_json(merged, a.out) != 0) {
        int e = errno;
        fprintf(stderr, "loadgate: --output: cannot write '%s': %s\n", a.out, strerror(e));
        rc = LG_CLI_EXIT_INTERNAL;
    }
    if (merged->merged.n_missing)
        fprintf(stderr,
                "loadgate: warning: a partial merge: %zu of %u segments (rule \"partial\" fails "
                "the gate)\n",
                merged->merged.n_segments, (unsigned)merged->merged.count);
    if (a.quiet)
        printf("verdict: %s\n", lg_verdict_name(merged->verdict));
    else
        lg_report_text(merged, stdout, isatty(STDOUT_FILENO));
done:
    for (size_t i = 0; i < a.n_inputs; i++)
        lg_result_free(in[i]);
    free(in);
    free(st);
    lg_result_free(base);
    lg_result_free(merged);
    return rc;
}
