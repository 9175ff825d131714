/* merge: `loadgate merge`: the results of the N segments of one distributed run
 * (`run --segment K/N`) made into the result a single machine would have given:
 * histograms merged exactly, counts summed, seconds aligned by wall clock, and every
 * threshold and rule judged again on the merged data by the gate's own code
 * (docs/merge.md). */
#ifndef LG_MERGE_H
#define LG_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

struct lg_merge_opts {
    /* Merge even when segments are missing: the result then names them and the rule
     * LG_RULE_PARTIAL fails its gate. */
    bool allow_partial;
};

/* Merges the n segment results in[i] (read from files[i], the names the messages
 * and the merged result use). Refuses, with LG_EINVAL and a sentence naming the
 * file(s) in err: no input, a result without "segment" (a whole run, a merged
 * result), one without merge data (steps without "cells", seconds without
 * "histogram"), different config_hash or segment counts, two of one segment, a
 * missing segment (unless allow_partial), results whose steps, scenarios,
 * thresholds or model differ, a threshold that no longer parses. On success *out
 * is the merged result (caller frees with lg_result_free): segment null, "merged"
 * naming the segments (and the missing ones), verdict aborted when a segment
 * aborted (abort_reason names each), else the gate's verdict on the merged data, and
 * the first segment's regression settings ("regression"). The inputs are not
 * changed. */
int lg_merge(struct lg_result *const *in, const char *const *files, size_t n,
             const struct lg_merge_opts *o, struct lg_result **out, char *err, size_t errlen);

#endif
