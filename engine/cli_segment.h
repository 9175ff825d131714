/* cli_segment: what `run --segment K/N` and `run --start-at TIME` need of the
 * command line (cli.c): slicing the resolved load, partitioning unique feeds, the
 * configuration hash all segments of one run share, and the start's checks.
 * docs/segments.md states the rules these implement. */
#ifndef LG_CLI_SEGMENT_H
#define LG_CLI_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "run.h"
#include "slice.h"

/* A TIME this far in the past (Unix ms) still starts, at once: the segments then
 * start apart by at most this much, and each records its own start. */
#define LG_START_AT_LATE_MS 1000
/* A TIME further ahead is refused as a mistake (milliseconds given as seconds, a
 * wrong year). */
#define LG_START_AT_MAX_AHEAD_MS (24LL * 3600 * 1000)

/* Slices the resolved load o (after the environment's limits) to the segment sl
 * (`spec` as given, for messages): VUs, the iteration budget and the open model's
 * pool each to their stripe (lg_slice_share), max_rate to max_rate / N, and
 * o->slice set for the run. Refuses a segment with nothing to do (no VU, no
 * iteration of a budget, no arrival, no VU of the pool): returns 0 with what the
 * segment got in note ("" for the whole run), or LG_EINVAL with the reason in
 * why (the same buffer may be given for both). */
int lg_cli_slice_load(struct lg_run_opts *o, struct lg_slice sl, const char *spec, char *why,
                      size_t whylen);

/* Keeps in every `unique` feed of s only the rows of the slice (lg_feed_keep_slice);
 * sequential and random feeds keep every row. */
void lg_cli_slice_feeds(struct lg_suite *s, struct lg_slice sl);

/* What the configuration hash covers besides the files: the resolved load and the
 * flags that change what is sent (docs/segments.md lists them). */
struct lg_cli_config {
    const char *env, *profile;     /* names as given, or NULL */
    const struct lg_run_opts *o;   /* resolved (limits applied), not yet sliced */
    const char *const *thresholds; /* --threshold expressions */
    size_t n_thresholds;
    const struct lg_var *vars; /* --var */
    size_t n_vars;
    bool have_seed;
};

/* "sha256:" and 64 lowercase hex digits over the loadgate version, c, the bytes of
 * every file of the suite (s->files, in load order) and every CSV feed's parsed
 * rows (before any slicing). Returns the text (caller frees), or NULL with
 * why filled when a file cannot be read again. */
char *lg_cli_config_hash(const struct lg_suite *s, const struct lg_cli_config *c, char *why,
                         size_t whylen);

/* The --start-at instant at against the wall clock now_ms: 0 when it may be
 * waited for (or is at most LG_START_AT_LATE_MS past), else LG_EINVAL with why. */
int lg_cli_start_at_check(int64_t at_ms, int64_t now_ms, char *why, size_t whylen);

/* Formats Unix milliseconds as RFC 3339 UTC with milliseconds into buf. */
void lg_cli_format_instant(int64_t ms, char *buf, size_t n);

#endif
