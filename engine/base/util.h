/* util: allocation that aborts on out-of-memory, error codes, growable buffers,
 * clocks and the small parsers (durations) that every module shares. */
#ifndef LG_UTIL_H
#define LG_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Error codes. Functions return 0 on success or one of these (negative). */
enum {
    LG_OK = 0,
    LG_EINVAL = -1,    /* invalid argument or input */
    LG_ESYNTAX = -2,   /* syntax error in a template, path, threshold or value */
    LG_EUNSET = -3,    /* a template read a variable or capture that has no value */
    LG_ENOTFOUND = -4, /* a path, header or cookie matched nothing */
    LG_EIO = -5,       /* read or write failed (errno is set) */
    LG_ECURL = -6,     /* libcurl refused an option or handle */
    LG_ELIMIT = -7,    /* a resource limit (file descriptors, sizes) was reached */
    LG_EUNSAFE = -8,   /* a rendered value cannot go on the wire as it is */
};

/* Returns a static description of an error code above. */
const char *lg_strerror(int code);

/* Allocation. These never return NULL: on out-of-memory they print a message and
 * abort, so callers need no NULL checks. Free with free(). */
void *lg_malloc(size_t n);
void *lg_calloc(size_t n, size_t size);
void *lg_realloc(void *p, size_t n);
char *lg_strdup(const char *s);
char *lg_strndup(const char *s, size_t n);
/* printf into a new string owned by the caller. */
char *lg_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows a dynamic array so that it can hold at least `need` elements of `size`
 * bytes; *cap is updated. Usage: LG_GROW(v, n + 1, cap). */
void *lg_grow(void *p, size_t need, size_t *cap, size_t size);
#define LG_GROW(ptr, need, cap) ((ptr) = lg_grow((ptr), (need), &(cap), sizeof(*(ptr))))

/* A growable byte buffer, always NUL-terminated after any append. Zero-initialise
 * ({0}) before use; reset keeps the memory for reuse. */
struct lg_buf {
    char *data;
    size_t len;
    size_t cap;
};
void lg_buf_append(struct lg_buf *b, const void *p, size_t n);
void lg_buf_puts(struct lg_buf *b, const char *s);
void lg_buf_putc(struct lg_buf *b, char c);
void lg_buf_printf(struct lg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lg_buf_vprintf(struct lg_buf *b, const char *fmt, va_list ap);
void lg_buf_reset(struct lg_buf *b);
void lg_buf_free(struct lg_buf *b);
/* Hands the buffer's memory to the caller (never NULL) and resets the buffer. */
char *lg_buf_take(struct lg_buf *b);

/* Monotonic clock in microseconds (CLOCK_MONOTONIC). */
int64_t lg_now_us(void);
/* Wall clock in milliseconds since the Unix epoch. */
int64_t lg_wall_ms(void);

/* Parses a duration: a non-negative number followed by a unit, one of us, ms, s, m,
 * h ("500ms", "1.5s", "2m"). A bare number is refused unless `bare_unit_us` is
 * non-zero, in which case it is taken in that unit. Returns 0 and writes *out_us, or
 * LG_ESYNTAX. */
int lg_parse_duration_us(const char *s, int64_t bare_unit_us, int64_t *out_us);

/* The highest arrival rate loadgate accepts anywhere (flags and files). */
#define LG_MAX_RATE_PER_S 10000000

/* Parses an arrival rate: a non-negative decimal number (digits, an optional
 * fraction; no sign, exponent or spaces) then "/s", "/m", "/h" or nothing (per
 * second): "50/s", "3000/m", "0.5". Returns 0 and *out in iterations per second,
 * LG_ESYNTAX for anything else, or LG_ELIMIT above LG_MAX_RATE_PER_S. */
int lg_parse_rate_per_s(const char *s, double *out);

/* The largest byte size lg_parse_size accepts (1 TiB). */
#define LG_MAX_SIZE_BYTES (1ULL << 40)

/* Parses a byte size: a decimal integer (digits only) then an optional unit, one of
 * B, kB, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024): "8MiB",
 * "500kB", "1048576". Returns 0 and writes *out, LG_ESYNTAX for anything else, or
 * LG_ELIMIT above LG_MAX_SIZE_BYTES. */
int lg_parse_size(const char *s, uint64_t *out);

/* Opens a file loadgate reads whole (a scenario, a suite, a CSV feed) without ever
 * blocking in open(): a FIFO is opened non-blocking, so one with no writer reads as
 * empty instead of hanging, then read as usual (blocking) once open. Refuses what is
 * neither a regular file nor a pipe (a directory, a terminal, a device): returns
 * NULL with errno EISDIR / ENODEV ("not a regular file"). *is_pipe tells a FIFO or
 * pipe (may be NULL). The caller owns the FILE. */
FILE *lg_open_input(const char *path, bool *is_pipe);

/* True when url starts with http:// or https:// (any case). */
bool lg_url_is_absolute(const char *url);

/* Formats a duration in microseconds compactly for humans ("250ms", "1.5s",
 * "2m30s", "812us") into buf; returns buf. */
char *lg_fmt_duration(int64_t us, char *buf, size_t n);

/* Formats a count with thousands separators ("1,234,567") into buf; returns buf. */
char *lg_fmt_count(uint64_t v, char *buf, size_t n);

/* Parses a non-negative decimal integer that fits in long long, the whole string. */
int lg_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

/* Small fast PRNG (xoshiro256**), one state per virtual user. */
struct lg_rng {
    uint64_t s[4];
};
void lg_rng_seed(struct lg_rng *r, uint64_t seed);
uint64_t lg_rng_next(struct lg_rng *r);
/* Uniform double in [0, 1). */
double lg_rng_double(struct lg_rng *r);
/* Uniform integer in [lo, hi] (inclusive); lo <= hi. */
int64_t lg_rng_range(struct lg_rng *r, int64_t lo, int64_t hi);

#endif
