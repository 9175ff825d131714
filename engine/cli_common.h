/* cli_common: what the commands of the command line share (cli.c, cli_compare.c):
 * the exit codes, the usage error, and the checks on an output file's path. */
#ifndef LG_CLI_COMMON_H
#define LG_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

enum {
    LG_CLI_EXIT_PASS = 0,
    LG_CLI_EXIT_GATE = 1,
    LG_CLI_EXIT_USAGE = 2,
    LG_CLI_EXIT_INTERNAL = 4
};

/* Prints "loadgate: MESSAGE" on stderr and returns LG_CLI_EXIT_USAGE. */
int lg_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether errno e says an output path itself is wrong (exit 2, like any bad argument);
 * anything else (a full disk, an I/O error) is exit 4. */
bool lg_cli_path_errno(int e);

/* Refuses, before anything is written, the output path of --FLAG when its folder is
 * missing or not writable, when it is a folder or no regular file, or when it is one
 * of the n_inputs files being read (their stat): so that a typo in one path leaves
 * no other file written, and a report never overwrites the result it came from.
 * Says why on stderr. Returns LG_CLI_EXIT_USAGE, or -1 when the path is fine. */
int lg_cli_check_output_path(const char *flag, const char *path, const struct stat *inputs,
                             size_t n_inputs);
/* Refuses two of the n outputs (paths[i] of --flags[i]; NULL entries skipped) that
 * name one file however spelt (./a.xml and a.xml, a path through a symbolic link to
 * the folder, a hard link): the second would silently replace the first. Run after
 * lg_cli_check_output_path (the folders exist). Returns LG_CLI_EXIT_USAGE, or -1. */
int lg_cli_check_outputs_differ(const char *const *flags, const char *const *paths, size_t n);

/* "10%", "2.5%": ASCII digits, an optional fraction (digits on both sides of the
 * point), then '%' and nothing else; *out gets it as a fraction of 1, the double
 * nearest to it (0.1; "99.99%" 0.9999). Returns 0, or -1 for anything else ("10",
 * "-5%", "%", "1e2%", " 10%", "nan%", a number beyond a double), *out untouched. */
int lg_cli_parse_percent(const char *s, double *out);

/* The regression flags of `compare` and `run --baseline`, parsed alike. Each returns
 * -1 with *out set, or prints why on stderr and returns LG_CLI_EXIT_USAGE.
 * --max-regression P: a percentage from 0% (at most 10000%), as a fraction. */
int lg_cli_parse_max_regression(const char *arg, double *out);
/* --confidence P: above 0% and below 100%, as a fraction. */
int lg_cli_parse_confidence(const char *arg, double *out);
/* --metrics LIST: comma-separated names (cmpmetric.h), bits 1u << LG_CMP_*; an
 * unknown name, max, rps or an empty list is refused. */
int lg_cli_parse_metrics(const char *arg, unsigned *out);

/* loadgate compare BASE.json NEW.json [options] (cli_compare.c). Returns the exit
 * code: 0 no regression, 1 regression (or inconclusive with --fail-on-inconclusive),
 * 2 invalid input, 4 a report could not be written. */
int lg_cli_compare(int argc, char **argv);

/* loadgate merge -o OUT.json [options] R1.json ... RN.json (cli_merge.c). Returns the
 * exit code: the merged verdict (0 pass, 1 fail, 3 aborted), 2 refused input, 4
 * OUT.json not written. */
int lg_cli_merge(int argc, char **argv);

#endif
