/* hlog: latency.hlog, the run's per-second latency histograms in HdrHistogram's
 * interval log format (version 1.3), streamed as the run goes so that an aborted
 * or killed run keeps every second it closed. HdrHistogram's HistogramLogReader and
 * HistogramLogProcessor read it; docs/reports.md describes it. */
#ifndef LG_HLOG_H
#define LG_HLOG_H

#include <stdint.h>

#include "buf.h"
#include "hist.h"
#include "metrics.h"
#include "model.h"

struct lg_hlog;

/* Creates (or truncates) the file at path, without following a symbolic link, and
 * writes the header with the run's start (wall clock, milliseconds since the epoch):
 * interval timestamps are seconds since then. The suite names the per-step tags and
 * must outlive nothing: the tags are copied. Returns 0 and *out, or LG_EIO with
 * errno set (nothing is left open, and a file this call made is removed when its
 * header could not be written; an existing one is truncated, never removed).
 * Close with lg_hlog_close. */
int lg_hlog_open(const char *path, const struct lg_suite *s, int64_t start_wall_ms,
                 struct lg_hlog **out);

/* Appends one interval from start_ms for length_ms (milliseconds since the start):
 * the untagged line of m->second (all steps; written even when empty, so that there
 * is a line for every second), then one Tag= line per step whose m->step_second
 * holds samples, in step order; then hands them to the kernel in one write (no
 * fsync: a second's lines cost the coordinator no disk wait). Returns 0, or LG_EIO
 * with errno set: then the file ends with the last interval written whole (a
 * partial line is cut off) and every later call fails at once with the same errno. */
int lg_hlog_interval(struct lg_hlog *h, const struct lg_metrics *m, int64_t start_ms,
                     int64_t length_ms);

/* Writes the closing comment ("#[loadgate: end of run]", which a file cut short by
 * a kill lacks), syncs and closes the file, and frees h (accepts NULL). Returns 0, or
 * LG_EIO with errno set (also when an earlier interval failed). */
int lg_hlog_close(struct lg_hlog *h);

/* The tag of a step: SCENARIO/STEP with every byte of either name outside A-Z a-z
 * 0-9 '-' '.' '_' '~' written as %XX (upper-case hex), so that a tag holds no
 * comma, space, '=' or line break (which end a tag in HdrHistogram's readers), is
 * ASCII, and two steps never share one ("a b" is a%20b, "a%20b" is a%2520b).
 * Returns a new string owned by the caller. */
char *lg_hlog_tag(const char *scenario, const char *step);

/* Appends the header: format version, StartTime (seconds since the epoch with
 * milliseconds, then the date in UTC), BaseTime (the same instant: timestamps are
 * relative to it), a comment naming the units, and the column legend. */
void lg_hlog_header(struct lg_buf *b, int64_t start_wall_ms);

/* Appends one interval line: "[Tag=TAG,]START,LENGTH,MAX,HISTF..." with START and
 * LENGTH in seconds and MAX (the histogram's max, as HdrHistogram reports it) in
 * milliseconds, each with three decimals and exact (values are microseconds); tag
 * NULL for the untagged line. */
void lg_hlog_line(struct lg_buf *b, const char *tag, int64_t start_ms, int64_t length_ms,
                  const struct lg_hist *h);

#endif
