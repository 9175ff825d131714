/* feeder: CSV data feeds for the templates' data.FEED.FIELD. A feed's rows are
 * read once at load time; at the start of each iteration a virtual user takes one
 * row of every feed its scenario reads (lg_feeds_next), shared cursors being
 * atomics so that workers need no lock. */
#ifndef LG_FEEDER_H
#define LG_FEEDER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "slice.h"
#include "util.h"

#define LG_FEED_MAX_BYTES (64u << 20) /* per CSV file */
#define LG_FEED_MAX_ROWS 1000000u     /* data rows per file (the header excluded) */
#define LG_FEED_MAX_FIELDS 1024u      /* columns */
#define LG_FEED_MAX_CELLS (16u << 20) /* rows x columns */

/* How a virtual user picks the row of an iteration. */
enum lg_feed_mode {
    LG_FEED_SEQUENTIAL = 0, /* the next row of a cursor shared by every VU, wrapping */
    LG_FEED_RANDOM,         /* a uniform row drawn with the VU's PRNG */
    LG_FEED_UNIQUE,         /* the next row of the shared cursor, each row at most once per
                               run; then the feed is exhausted */
};

struct lg_feed {
    char *name;
    uint32_t index; /* in the suite's feed table (struct lg_feed_rows) */
    enum lg_feed_mode mode;
    char **fields; /* the header's names */
    size_t n_fields;
    size_t n_rows;
    char **cells;            /* n_rows * n_fields NUL-terminated values, row by row */
    char *text;              /* storage of the values */
    _Atomic uint64_t cursor; /* sequential, unique: rows taken so far in the run */
    bool unread;             /* a placeholder for a declared feed whose file could not be read:
                                the load has failed already, so its fields are not looked up */
};

/* Where a CSV file is malformed. */
struct lg_feed_err {
    int line, col; /* 1-based (col 1 when only the line is known); line 0: the file */
    char msg[160];
};

/* Parses CSV text (RFC 4180: "quoted" fields with "" for a quote, commas and line
 * breaks inside quotes, CRLF or LF line ends; spaces are part of values; blank lines
 * are skipped; a UTF-8 byte order mark is ignored). The first row names the fields;
 * every other row must have as many values. Returns 0 and *out (a feed named name,
 * mode sequential, index 0: the caller sets them; free with lg_feed_free), or
 * LG_ESYNTAX (malformed, NUL byte, duplicate field name, no header, no data row) or
 * LG_ELIMIT (past a LG_FEED_MAX_* limit) with *err filled. */
int lg_feed_parse(const char *name, const char *text, size_t len, struct lg_feed **out,
                  struct lg_feed_err *err);

/* Reads path and parses it as lg_feed_parse does. Also LG_EIO when it cannot be
 * read or is neither a regular file nor a FIFO (err->msg says why, line 0). */
int lg_feed_load(const char *name, const char *path, struct lg_feed **out, struct lg_feed_err *err);

void lg_feed_free(struct lg_feed *f); /* accepts NULL */

/* The index of the field called name (len bytes), or -1. */
int lg_feed_field(const struct lg_feed *f, const char *name, size_t len);

/* Row r's values, n_fields of them (owned by f). */
static inline const char *const *lg_feed_row(const struct lg_feed *f, size_t r)
{
    return (const char *const *)f->cells + r * f->n_fields;
}

/* Picks the next row per f's mode. Returns 0 and *row, or LG_FEED_EXHAUSTED (a
 * unique feed gave every row already). rng: the VU's PRNG (random mode only).
 * Thread-safe. */
#define LG_FEED_EXHAUSTED 1
int lg_feed_take(struct lg_feed *f, struct lg_rng *rng, size_t *row);

/* `run --segment`: keeps only the rows r (0-based, file order) of the slice
 * (lg_slice_has), in order, so that no row of a unique feed is used by two
 * segments. Call before the run; the feed may be left with no row. */
void lg_feed_keep_slice(struct lg_feed *f, struct lg_slice sl);

/* Puts the shared cursor back to the first row (a new run of the same suite). */
void lg_feed_rewind(struct lg_feed *f);

/* A virtual user's current row of each feed, indexed by lg_feed.index:
 * row[i] is lg_feed_row() of the row taken this iteration, or NULL. Zero-initialise;
 * free with lg_feed_rows_free. */
struct lg_feed_rows {
    const char *const **row;
    size_t n;
};

/* At the start of an iteration: takes a row of each of the n feeds (a scenario's
 * lg_scenario.feeds) into rows. Returns 0, or LG_FEED_EXHAUSTED when a unique feed
 * has no row left: the iteration cannot start and the VU stops (rows taken from the
 * other feeds by this call are lost for unique feeds). */
int lg_feeds_next(struct lg_feed *const *feeds, size_t n, struct lg_feed_rows *rows,
                  struct lg_rng *rng);

void lg_feed_rows_free(struct lg_feed_rows *rows);

#endif
