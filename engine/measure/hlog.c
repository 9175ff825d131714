/* hlog: writes latency.hlog (HdrHistogram's interval log, format 1.3) line by line
 * as the coordinator closes each second. Numbers are printed from integers (no
 * floating point, no locale), and a failed write never leaves half a line. */
#include "hlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct lg_hlog {
    int fd;
    off_t written; /* bytes written whole: the file is cut back here on a failure */
    int err;       /* errno of the first failure; 0 while none */
    char **tags;   /* per step id */
    size_t n_tags;
    struct lg_buf buf;
};

char *lg_hlog_tag(const char *scenario, const char *step)
{
    static const char hex[] = "0123456789ABCDEF";
    struct lg_buf b = {0};
    const char *names[2] = {scenario, step};
    for (int k = 0; k < 2; k++) {
        if (k)
            lg_buf_putc(&b, '/');
        for (const unsigned char *p = (const unsigned char *)names[k]; *p; p++) {
            if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                *p == '-' || *p == '.' || *p == '_' || *p == '~') {
                lg_buf_putc(&b, (char)*p);
            } else {
                char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
                lg_buf_append(&b, esc, 3);
            }
        }
    }
    return lg_buf_take(&b);
}

/* ms as seconds with three decimals, exactly ("12.034", "-0.5" cannot occur). */
static void put_ms(struct lg_buf *b, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    lg_buf_printf(b, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
}

void lg_hlog_header(struct lg_buf *b, int64_t start_wall_ms)
{
    /* The date as Java's Date.toString() prints it, in UTC (readers skip it). */
    time_t t = (time_t)(start_wall_ms / 1000);
    struct tm tm;
    char date[64] = "";
    if (gmtime_r(&t, &tm))
        strftime(date, sizeof(date), "%a %b %d %H:%M:%S UTC %Y", &tm);
    lg_buf_puts(b, "#[Histogram log format version 1.3]\n#[StartTime: ");
    put_ms(b, start_wall_ms);
    lg_buf_printf(b, " (seconds since epoch), %s]\n#[BaseTime: ", date);
    put_ms(b, start_wall_ms);
    lg_buf_puts(b, " (seconds since epoch)]\n"
                   "#[loadgate: corrected latency in microseconds (Interval_Max in "
                   "milliseconds); untagged: all steps, Tag=SCENARIO/STEP: one step]\n"
                   "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                   "\"Interval_Compressed_Histogram\"\n");
}

void lg_hlog_line(struct lg_buf *b, const char *tag, int64_t start_ms, int64_t length_ms,
                  const struct lg_hist *h)
{
    if (tag)
        lg_buf_printf(b, "Tag=%s,", tag);
    put_ms(b, start_ms);
    lg_buf_putc(b, ',');
    put_ms(b, length_ms);
    lg_buf_putc(b, ',');
    /* HistogramLogWriter's Interval_Max is the max over a unit ratio: 1000 here
     * turns microseconds into milliseconds, exactly at three decimals. */
    put_ms(b, lg_hist_max(h));
    char *enc = lg_hist_encode(h);
    lg_buf_printf(b, ",%s\n", enc);
    free(enc);
}

/* Writes the buffer whole, or cuts the file back to what was whole before. */
static int flush_buf(struct lg_hlog *h)
{
    if (h->err) {
        errno = h->err;
        return LG_EIO;
    }
    const char *p = h->buf.data;
    size_t len = h->buf.len;
    while (len > 0) {
        ssize_t n = write(h->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            h->err = n < 0 ? errno : EIO;
            /* Best effort, and it frees what a full disk took. */
            if (ftruncate(h->fd, h->written) != 0) {
                /* nothing more to do: the error already stands */
            }
            lg_buf_reset(&h->buf);
            errno = h->err;
            return LG_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    h->written += (off_t)h->buf.len;
    lg_buf_reset(&h->buf);
    return LG_OK;
}

int lg_hlog_open(const char *path, const struct lg_suite *s, int64_t start_wall_ms,
                 struct lg_hlog **out)
{
    /* Made here (the run removed an earlier one), or else an existing file taken
     * over: only a file made here is removed again on a failure. */
    bool created = true;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) {
        created = false;
        fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0)
        return LG_EIO;
    struct lg_hlog *h = lg_calloc(1, sizeof(*h));
    h->fd = fd;
    h->n_tags = s->n_steps;
    h->tags = lg_calloc(s->n_steps, sizeof(*h->tags));
    for (size_t i = 0; i < s->n_steps; i++) {
        const struct lg_step *st = s->steps[i];
        h->tags[i] = lg_hlog_tag(s->scenarios[st->scenario].name, st->name);
    }
    lg_hlog_header(&h->buf, start_wall_ms);
    if (flush_buf(h)) {
        /* Without its header the file is no log at all: not left behind. */
        int e = errno;
        lg_hlog_close(h);
        if (created)
            unlink(path);
        errno = e;
        return LG_EIO;
    }
    *out = h;
    return LG_OK;
}

int lg_hlog_interval(struct lg_hlog *h, const struct lg_metrics *m, int64_t start_ms,
                     int64_t length_ms)
{
    if (h->err) {
        errno = h->err;
        return LG_EIO;
    }
    lg_hlog_line(&h->buf, NULL, start_ms, length_ms, m->second);
    for (size_t i = 0; i < m->n_steps && i < h->n_tags; i++) {
        const struct lg_hist *st = m->step_second ? m->step_second[i] : NULL;
        if (st && st->total_count > 0)
            lg_hlog_line(&h->buf, h->tags[i], start_ms, length_ms, st);
    }
    return flush_buf(h);
}

int lg_hlog_close(struct lg_hlog *h)
{
    if (!h)
        return LG_OK;
    if (!h->err) {
        lg_buf_puts(&h->buf, "#[loadgate: end of run]\n");
        if (flush_buf(h) == LG_OK && fsync(h->fd) != 0 && errno != EINVAL)
            h->err = errno; /* EINVAL: a file that cannot be synced (a pipe, /dev/full) */
    }
    if (close(h->fd) != 0 && !h->err)
        h->err = errno;
    int err = h->err;
    for (size_t i = 0; i < h->n_tags; i++)
        free(h->tags[i]);
    free(h->tags);
    lg_buf_free(&h->buf);
    free(h);
    errno = err;
    return err ? LG_EIO : LG_OK;
}
