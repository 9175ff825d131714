/* feeder: CSV feeds. Parsing is libcsv's, in strict mode, fed one physical line at
 * a time so that every problem can be placed at its line and column. Values are
 * stored once, NUL-terminated, in one block per feed. */
#include "feeder.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing ---- */

struct csv_state {
    struct lg_buf text; /* every value, each followed by a NUL */
    size_t *offs;       /* value offsets in text, row by row (header first) */
    size_t n_offs, cap_offs;
    size_t row_fields; /* values of the row being read */
    size_t n_fields;   /* the header's (0 until the header ended) */
    size_t n_rows;     /* data rows */
    int line;          /* physical line being fed */
    int row_line;      /* where the row being read starts */
    int header_line;
    bool row_started;
    int rc; /* first problem, stops the parse */
    struct lg_feed_err *err;
};

static void csv_fail(struct csv_state *st, int rc, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void csv_fail(struct csv_state *st, int rc, int line, int col, const char *fmt, ...)
{
    if (st->rc)
        return;
    st->rc = rc;
    if (st->err) {
        va_list ap;
        va_start(ap, fmt);
        st->err->line = line;
        st->err->col = col;
        vsnprintf(st->err->msg, sizeof(st->err->msg), fmt, ap);
        va_end(ap);
    }
}

/* A value ended (libcsv's field callback). */
static void field_cb(void *s, size_t len, void *data)
{
    struct csv_state *st = data;
    if (st->rc)
        return;
    if (st->n_fields && st->row_fields == st->n_fields) {
        csv_fail(st, LG_ESYNTAX, st->row_line, 1, "row has more than the header's %zu field%s",
                 st->n_fields, st->n_fields == 1 ? "" : "s");
        return;
    }
    if (!st->n_fields && st->row_fields == LG_FEED_MAX_FIELDS) {
        csv_fail(st, LG_ELIMIT, st->row_line, 1, "more than %u fields", LG_FEED_MAX_FIELDS);
        return;
    }
    if (st->n_offs == LG_FEED_MAX_CELLS) {
        csv_fail(st, LG_ELIMIT, st->row_line, 1, "more than %u values", LG_FEED_MAX_CELLS);
        return;
    }
    LG_GROW(st->offs, st->n_offs + 1, st->cap_offs);
    st->offs[st->n_offs++] = st->text.len;
    lg_buf_append(&st->text, s ? s : "", len);
    lg_buf_putc(&st->text, '\0');
    st->row_fields++;
}

/* A row ended (libcsv's row callback). */
static void row_cb(int c, void *data)
{
    struct csv_state *st = data;
    st->row_started = false;
    if (st->rc)
        return;
    if (!st->n_fields) {
        st->n_fields = st->row_fields;
        st->header_line = st->row_line;
    } else if (st->row_fields != st->n_fields) {
        csv_fail(st, LG_ESYNTAX, st->row_line, 1, "row has %zu field%s, the header has %zu",
                 st->row_fields, st->row_fields == 1 ? "" : "s", st->n_fields);
    } else if (++st->n_rows > LG_FEED_MAX_ROWS) {
        csv_fail(st, LG_ELIMIT, st->row_line, 1, "more than %u rows", LG_FEED_MAX_ROWS);
    }
    st->row_fields = 0;
}

/* No trimming: spaces are part of values (RFC 4180). */
static int no_space_cb(unsigned char c)
{
    return 0;
}

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* Fills a new feed from the parse; takes st's storage. */
static struct lg_feed *build_feed(const char *name, struct csv_state *st)
{
    struct lg_feed *f = lg_calloc(1, sizeof(*f));
    f->name = lg_strdup(name);
    f->text = lg_buf_take(&st->text);
    f->n_fields = st->n_fields;
    f->n_rows = st->n_rows;
    f->fields = lg_malloc(f->n_fields * sizeof(*f->fields));
    for (size_t i = 0; i < f->n_fields; i++)
        f->fields[i] = lg_strdup(f->text + st->offs[i]);
    size_t n = f->n_rows * f->n_fields;
    f->cells = lg_malloc((n ? n : 1) * sizeof(*f->cells));
    for (size_t i = 0; i < n; i++)
        f->cells[i] = f->text + st->offs[f->n_fields + i];
    atomic_init(&f->cursor, 0);
    return f;
}

/* The header's names must be distinct: data.FEED.FIELD names one column. */
static void check_header(struct csv_state *st)
{
    for (size_t i = 1; i < st->n_fields && !st->rc; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(st->text.data + st->offs[i], st->text.data + st->offs[j])) {
                csv_fail(st, LG_ESYNTAX, st->header_line, 1, "duplicate field '%s' in the header",
                         st->text.data + st->offs[i]);
                break;
            }
}

int lg_feed_parse(const char *name, const char *text, size_t len, struct lg_feed **out,
                  struct lg_feed_err *err)
{
    struct csv_state st = {.err = err, .line = 1};
    struct csv_parser p;
    if (err)
        *err = (struct lg_feed_err){0};
    if (len > LG_FEED_MAX_BYTES) {
        csv_fail(&st, LG_ELIMIT, 0, 0, "larger than %u MiB", LG_FEED_MAX_BYTES >> 20);
        return st.rc;
    }
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        fputs("loadgate: out of memory\n", stderr);
        abort();
    }
    csv_set_space_func(&p, no_space_cb);

    size_t pos = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        pos = 3;
    while (pos < len && !st.rc) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        const char *nul = memchr(text + pos, '\0', end - pos);
        if (nul) {
            csv_fail(&st, LG_ESYNTAX, st.line, (int)(nul - (text + pos)) + 1, "NUL byte");
            break;
        }
        if (!st.row_started && !blank(text + pos, end - pos)) {
            st.row_line = st.line;
            st.row_started = true;
        }
        size_t done = csv_parse(&p, text + pos, end - pos, field_cb, row_cb, &st);
        if (done < end - pos && !st.rc) {
            char c = text[pos + done];
            if (c == '"')
                csv_fail(&st, LG_ESYNTAX, st.line, (int)done + 1,
                         "'\"' inside an unquoted field (quote the whole field)");
            else if (c == '\r' || c == '\n')
                csv_fail(&st, LG_ESYNTAX, st.line, (int)done + 1,
                         "line break after a closing quote");
            else if ((unsigned char)c >= ' ' && (unsigned char)c < 0x7f)
                csv_fail(&st, LG_ESYNTAX, st.line, (int)done + 1,
                         "unexpected '%c' after a closing quote", c);
            else
                csv_fail(&st, LG_ESYNTAX, st.line, (int)done + 1,
                         "unexpected byte 0x%02X after a closing quote", (unsigned char)c);
        }
        pos = end;
        st.line++;
    }
    if (!st.rc && csv_fini(&p, field_cb, row_cb, &st) != 0)
        csv_fail(&st, LG_ESYNTAX, st.row_line, 1, "unterminated quoted field");
    csv_free(&p);
    if (!st.rc && !st.n_fields)
        csv_fail(&st, LG_ESYNTAX, 0, 0, "empty file: expected a header naming the fields");
    check_header(&st);
    if (!st.rc && !st.n_rows)
        csv_fail(&st, LG_ESYNTAX, 0, 0, "no rows after the header");
    if (!st.rc)
        *out = build_feed(name, &st);
    lg_buf_free(&st.text);
    free(st.offs);
    return st.rc;
}

int lg_feed_load(const char *name, const char *path, struct lg_feed **out, struct lg_feed_err *err)
{
    /* As for scenario files: a terminal or a device could block or never end, and
     * a FIFO with no writer reads as empty rather than hanging (lg_open_input). */
    FILE *fp = lg_open_input(path, NULL);
    char *data = NULL;
    int rc = LG_EIO;
    if (err)
        *err = (struct lg_feed_err){0};
    if (!fp) {
        if (err)
            snprintf(err->msg, sizeof(err->msg), "cannot read '%s': %s", path,
                     errno == EISDIR || errno == ENODEV ? "not a regular file" : strerror(errno));
        return LG_EIO;
    }
    /* One byte past the limit is enough to know the file is too large. */
    data = lg_malloc(LG_FEED_MAX_BYTES + 1);
    size_t n = fread(data, 1, LG_FEED_MAX_BYTES + 1, fp);
    if (ferror(fp)) {
        if (err)
            snprintf(err->msg, sizeof(err->msg), "cannot read '%s': %s", path, strerror(errno));
        goto out;
    }
    rc = lg_feed_parse(name, data, n, out, err);
out:
    fclose(fp);
    free(data);
    return rc;
}

void lg_feed_free(struct lg_feed *f)
{
    if (!f)
        return;
    free(f->name);
    for (size_t i = 0; i < f->n_fields; i++)
        free(f->fields[i]);
    free(f->fields);
    free(f->cells);
    free(f->text);
    free(f);
}

int lg_feed_field(const struct lg_feed *f, const char *name, size_t len)
{
    for (size_t i = 0; i < f->n_fields; i++)
        if (strlen(f->fields[i]) == len && !memcmp(f->fields[i], name, len))
            return (int)i;
    return -1;
}

/* ---- taking rows ---- */

int lg_feed_take(struct lg_feed *f, struct lg_rng *rng, size_t *row)
{
    uint64_t k;
    switch (f->mode) {
    case LG_FEED_RANDOM:
        *row = (size_t)lg_rng_range(rng, 0, (int64_t)f->n_rows - 1);
        return 0;
    case LG_FEED_UNIQUE:
        /* Relaxed: the counter is the only shared state, rows are read-only. */
        k = atomic_fetch_add_explicit(&f->cursor, 1, memory_order_relaxed);
        if (k >= f->n_rows)
            return LG_FEED_EXHAUSTED;
        *row = (size_t)k;
        return 0;
    case LG_FEED_SEQUENTIAL:
        break;
    }
    k = atomic_fetch_add_explicit(&f->cursor, 1, memory_order_relaxed);
    *row = (size_t)(k % f->n_rows);
    return 0;
}

void lg_feed_rewind(struct lg_feed *f)
{
    atomic_store(&f->cursor, 0);
}

int lg_feeds_next(struct lg_feed *const *feeds, size_t n, struct lg_feed_rows *rows,
                  struct lg_rng *rng)
{
    for (size_t i = 0; i < n; i++) {
        struct lg_feed *f = feeds[i];
        size_t r;
        if (f->index >= rows->n) {
            rows->row = lg_realloc(rows->row, (f->index + 1) * sizeof(*rows->row));
            memset(rows->row + rows->n, 0, (f->index + 1 - rows->n) * sizeof(*rows->row));
            rows->n = f->index + 1;
        }
        if (lg_feed_take(f, rng, &r) == LG_FEED_EXHAUSTED) {
            rows->row[f->index] = NULL;
            return LG_FEED_EXHAUSTED;
        }
        rows->row[f->index] = lg_feed_row(f, r);
    }
    return 0;
}

void lg_feed_rows_free(struct lg_feed_rows *rows)
{
    free(rows->row);
    rows->row = NULL;
    rows->n = 0;
}

void lg_feed_keep_slice(struct lg_feed *f, struct lg_slice sl)
{
    if (lg_slice_whole(sl))
        return;
    size_t kept = 0;
    for (size_t r = sl.index; r < f->n_rows; r += sl.count, kept++)
        if (kept != r)
            memmove(&f->cells[kept * f->n_fields], &f->cells[r * f->n_fields],
                    f->n_fields * sizeof(*f->cells));
    f->n_rows = kept;
}
