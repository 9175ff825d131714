/* config_int: private to the config loader (config*.c).
 * A YAML file is first read into a small bounded tree of nodes with positions, then
 * walked into the model; every problem goes to the diagnostics with its place. */
#ifndef LG_CONFIG_INT_H
#define LG_CONFIG_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "jnum.h"

#define LG_YAML_MAX_BYTES (16u << 20)   /* per file; larger files are not parsed */
#define LG_YAML_MAX_DEPTH 64            /* nested mappings and sequences */
#define LG_YAML_MAX_NODES 100000        /* scalars, mappings, sequences per file */
#define LG_YAML_SUITE_BYTES (64u << 20) /* all files of one load together */
#define LG_YAML_SUITE_NODES 200000      /* all files of one load together */

enum yn_type { YN_SCALAR = 0, YN_MAP, YN_SEQ };

/* One YAML node. A mapping's kids alternate key, value (keys are always scalars). */
struct ynode {
    enum yn_type type;
    int line, col; /* 1-based start of the node */
    bool quoted;   /* a scalar written quoted or as a block, or tagged !!str: a string */
    bool exact;    /* single-line scalar whose text maps byte for byte onto s */
    bool dup;      /* a repeated mapping key (dropped from its mapping) */
    int voff;      /* columns from the node's start to its value (1 after a quote) */
    char *s;       /* scalar value, NUL-terminated */
    size_t len;
    struct ynode **kids;
    size_t n, cap;
};

struct ydoc {
    struct ynode *root; /* NULL for an empty file */
    struct ynode **all; /* every node, for freeing */
    size_t n_all, cap_all;
    unsigned char sha256[32]; /* of the file's bytes (zero when it could not be read) */
};

/* What is left of a load's budget; each read takes its share. */
struct ylimits {
    size_t bytes, nodes;
};

/* Reads and parses file into doc within the per-file limits and what is left in
 * *lim (updated). Returns 0, or -1 after adding the problem to d (unreadable, too
 * large, YAML syntax, alias, anchor, nesting, node budget) with doc left empty.
 * Non-fatal problems (duplicate keys, tags) are added to d while the tree is still
 * returned; of repeated keys only the first pair stays in its mapping. */
int lg_cfg_yaml_read(const char *file, struct ylimits *lim, struct ydoc *doc, struct lg_diags *d);
void lg_cfg_yaml_free(struct ydoc *doc);

/* The loader's state while one top-level file (and the scenario files of a suite)
 * are read. */
struct ld {
    struct lg_diags *diags;
    const struct lg_load_opts *opts;
    struct lg_suite *suite;
    const char *file; /* the file being walked, borrowed from suite->files */
    struct ylimits budget;
    size_t n_suite_feeds; /* suite->feeds[0..n) come from the suite's own `data` */
};

/* Reports a problem at node n, or at byte offset off of a scalar's value when that
 * position is known (off < 0: the node itself). */
void lg_cfg_err(struct ld *l, const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lg_cfg_err_at(struct ld *l, const struct ynode *n, int off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "unknown key 'k' in WHERE (did you mean 'x'?)"; known is NULL-terminated.
 * Returns the suggestion (an entry of known) or NULL, so that a caller need not
 * also report a required key as missing when it was only misspelt. */
const char *lg_cfg_unknown_key(struct ld *l, const struct ynode *key, const char *where,
                               const char *const *known);
struct lg_loc lg_cfg_loc(const struct ld *l, const struct ynode *n);

/* Typed reads of scalar values; each reports its own problem naming `what` and
 * returns false when the value is not of the type. */
bool lg_cfg_is_map(struct ld *l, const struct ynode *n, const char *what);
bool lg_cfg_is_seq(struct ld *l, const struct ynode *n, const char *what);
bool lg_cfg_string(struct ld *l, const struct ynode *n, const char *what, const char **out);
bool lg_cfg_bool(struct ld *l, const struct ynode *n, const char *what, bool *out);
bool lg_cfg_duration(struct ld *l, const struct ynode *n, const char *what, int64_t *out);
/* An arrival rate, in iterations per second: N/s, N/m, N/h, or a plain N (per
 * second), N a non-negative decimal number; at most LG_MAX_RATE_PER_S. Zero is
 * read as 0: the caller says whether it is allowed. */
bool lg_cfg_rate(struct ld *l, const struct ynode *n, const char *what, double *out);
/* A byte size greater than 0 (lg_parse_size: "8MiB", "500kB", 1048576). */
bool lg_cfg_size(struct ld *l, const struct ynode *n, const char *what, uint64_t *out);
/* A plain scalar that is an integer or a float per the YAML core schema. */
bool lg_cfg_number(const struct ynode *n, double *out);

/* YAML core schema resolution of a plain scalar. */
enum yscalar { YS_STRING = 0, YS_NULL, YS_BOOL, YS_INT, YS_FLOAT };
enum yscalar lg_cfg_resolve(const struct ynode *n, long long *iv, double *dv, bool *bv);
/* The node as a JSON value (scalars resolved as above; a number jansson cannot
 * hold, beyond int64 or a double, is a number kept as text, jnum.h). New
 * reference. */
json_t *lg_cfg_to_json(const struct ynode *n);
/* When n is a plain scalar spelled as a decimal number (YAML's core schema: an
 * integer, or a float such as .5, 5., +1e3), writes it to lit as a JSON number
 * literal of the same value (no '+', no leading zeros, "0.5", "5") and returns
 * true. Hexadecimal, octal, .inf and .nan are not decimal numbers. */
bool lg_cfg_decimal_literal(const struct ynode *n, struct lg_buf *lit);
/* A plain decimal number exactly as written: an integer when it is exactly one
 * within int64 (7, 1e6, 100.0), else a number kept as text (0.5,
 * 1000000000000000000000). NULL when n is not a decimal number. New reference. */
json_t *lg_cfg_exact_number(const struct ynode *n);
/* A new JSON string of s (len bytes). */
json_t *lg_cfg_jstr(const char *s, size_t len);

/* Checks the name of a var, capture or for_each variable: a letter or _, then
 * letters, digits, _ or -, and not a built-in. Reports the problem at key. */
bool lg_cfg_check_name(struct ld *l, const struct ynode *key, const char *what);

#define LG_CFG_MAX_SLOTS 1024    /* vars, captures and for_each variables per scenario */
#define LG_CFG_MAX_STEPS 1000    /* steps per scenario */
#define LG_CFG_MAX_SCENARIOS 256 /* scenario files per suite */

/* What a scenario's templates may read, slot by slot (config_step.c). */
struct lg_cfg_slots {
    size_t n;
    bool *is_var;  /* has an initial value */
    int *cap_step; /* first step that captures it, or -1 */
    int *fe_step;  /* first step whose for_each variable it is, or -1 */
};

/* Parses the `steps` list of scenario sc into sc->steps (the scope already holds
 * the vars; captures and for_each variables are added here). */
void lg_cfg_parse_steps(struct ld *l, struct lg_scenario *sc, const struct ynode *steps);

/* Where templates are compiled: the scope and what of it a step may read. */
struct lg_cfg_tctx {
    struct ld *l;
    const struct lg_scope *scope;
    const struct lg_cfg_slots *slots; /* NULL with an empty scope */
    const struct lg_scenario *sc;     /* for naming steps; NULL with an empty scope */
    const struct ynode *steps_node;   /* the steps list, for naming steps */
    int step;                         /* the step whose templates these are */
    int fe_var;                       /* the step's for_each variable, or -1 */
    bool need_env;
};

/* Compiles src (the value of scalar n, or part of it starting at byte base) into
 * t with escaping esc. Literal text is escaped here for JSON and URL modes. Reads of
 * slots are checked against what is defined at step `step`; an unset env.* is an
 * error when need_env. Returns true when it compiled (else t is unchanged and the
 * problem was reported). */
bool lg_cfg_tmpl(const struct lg_cfg_tctx *c, struct lg_tmpl *t, const struct ynode *n,
                 const char *src, size_t base, enum lg_tmpl_esc esc);

/* A template for the whole of scalar n's value src; NULL after reporting. */
struct lg_tmpl *lg_cfg_tmpl_new(const struct lg_cfg_tctx *c, const struct ynode *n, const char *src,
                                enum lg_tmpl_esc esc);

/* Appends text escaped for the inside of a JSON string, or percent-encoded (all but
 * RFC 3986 unreserved characters). */
void lg_cfg_put_json_lit(struct lg_buf *b, const char *s, size_t n);
void lg_cfg_put_url_lit(struct lg_buf *b, const char *s, size_t n);
/* The end of the {{ ... }} opening at src[open] (just past its "}}", skipping
 * "strings" inside), or the end of src when it is not closed. */
size_t lg_cfg_expr_end(const char *src, size_t open);
/* Step k's name for messages ("#k" when it has none); buf holds the fallback. */
const char *lg_cfg_step_label(const struct lg_cfg_tctx *c, int k, char *buf, size_t n);

/* A step's `expect`, `until` and `capture` (config_check.c). */
void lg_cfg_parse_expect(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_step *st);
void lg_cfg_parse_until(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_step *st);
void lg_cfg_parse_captures(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_step *st);

/* A `headers` map (environment or request) into *out. */
void lg_cfg_headers(const struct lg_cfg_tctx *c, const struct ynode *n, struct lg_header_tmpl **out,
                    size_t *n_out);

#define LG_CFG_MAX_FEEDS 64 /* CSV feeds per suite, its scenarios' included */

/* A `data` mapping (suite or scenario, config_data.c): loads each CSV feed into
 * the suite's feed table (files relative to l->file's folder). When vis is not
 * NULL, also lists each new feed in *vis, replacing an entry of the same name. */
void lg_cfg_parse_data(struct ld *l, const struct ynode *n, struct lg_feed ***vis, size_t *n_vis);
/* Fills sc->feeds with the feeds that the templates of sc's steps read. */
void lg_cfg_scenario_feeds(struct lg_scenario *sc);

/* A `regression:` mapping (config_regress.c) into *out: the suite's (budget, metrics
 * at least one, confidence) or, when step, a step's (budget, metrics, which may be
 * empty: not judged). Each bad value is reported at its node. */
void lg_cfg_parse_regression(struct ld *l, const struct ynode *n, bool step,
                             struct lg_regression *out);

/* Numbers the steps of every scenario and fills s->steps. */
void lg_cfg_build_step_table(struct lg_suite *s);

#endif
