/* util: allocation wrappers, buffers, clocks, duration parsing and a PRNG shared by
 * every module. Out-of-memory is fatal here so that no caller has to check. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *lg_strerror(int code)
{
    switch (code) {
    case LG_OK:
        return "success";
    case LG_EINVAL:
        return "invalid argument";
    case LG_ESYNTAX:
        return "syntax error";
    case LG_EUNSET:
        return "value not set";
    case LG_ENOTFOUND:
        return "not found";
    case LG_EIO:
        return "input/output error";
    case LG_ECURL:
        return "libcurl error";
    case LG_ELIMIT:
        return "resource limit reached";
    case LG_EUNSAFE:
        return "value unsafe to send";
    }
    return "unknown error";
}

static void oom(size_t n)
{
    fprintf(stderr, "loadgate: out of memory allocating %zu bytes\n", n);
    abort();
}

void *lg_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *lg_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *lg_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *lg_strdup(const char *s)
{
    return lg_strndup(s, strlen(s));
}

char *lg_strndup(const char *s, size_t n)
{
    char *p = lg_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *lg_asprintf(const char *fmt, ...)
{
    struct lg_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    lg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return lg_buf_take(&b);
}

void *lg_grow(void *p, size_t need, size_t *cap, size_t size)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 4;
    while (c < need)
        c *= 2;
    p = lg_realloc(p, c * size);
    *cap = c;
    return p;
}

static void buf_reserve(struct lg_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t c = b->cap ? b->cap : 64;
    while (c < need)
        c *= 2;
    b->data = lg_realloc(b->data, c);
    b->cap = c;
}

void lg_buf_append(struct lg_buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void lg_buf_puts(struct lg_buf *b, const char *s)
{
    lg_buf_append(b, s, strlen(s));
}

void lg_buf_putc(struct lg_buf *b, char c)
{
    buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void lg_buf_vprintf(struct lg_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    buf_reserve(b, 64);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
    }
    va_end(ap2);
    if (n > 0)
        b->len += (size_t)n;
}

void lg_buf_printf(struct lg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lg_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void lg_buf_reset(struct lg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void lg_buf_free(struct lg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *lg_buf_take(struct lg_buf *b)
{
    char *p = b->data ? b->data : lg_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

int64_t lg_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t lg_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lg_parse_duration_us(const char *s, int64_t bare_unit_us, int64_t *out_us)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return LG_ESYNTAX;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0)
        return LG_ESYNTAX;
    double unit;
    if (*end == '\0') {
        if (!bare_unit_us)
            return LG_ESYNTAX;
        unit = (double)bare_unit_us;
    } else if (!strcmp(end, "us")) {
        unit = 1;
    } else if (!strcmp(end, "ms")) {
        unit = 1e3;
    } else if (!strcmp(end, "s")) {
        unit = 1e6;
    } else if (!strcmp(end, "m")) {
        unit = 60e6;
    } else if (!strcmp(end, "h")) {
        unit = 3600e6;
    } else {
        return LG_ESYNTAX;
    }
    double us = v * unit;
    if (us > 9.0e15) /* about 285 years: refuse before int64 overflow */
        return LG_ESYNTAX;
    *out_us = (int64_t)llround(us);
    return LG_OK;
}

int lg_parse_rate_per_s(const char *s, double *out)
{
    /* [0-9]*(\.[0-9]*)? with at least one digit: strtod alone would also take a
     * sign, an exponent, spaces, "inf" and "nan" */
    const char *p = s;
    size_t digits = strspn(p, "0123456789");
    p += digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        digits += frac;
        p += 1 + frac;
    }
    double per = 0;
    if (!*p || !strcmp(p, "/s"))
        per = 1;
    else if (!strcmp(p, "/m"))
        per = 60;
    else if (!strcmp(p, "/h"))
        per = 3600;
    if (!digits || !per)
        return LG_ESYNTAX;
    double v = strtod(s, NULL) / per;
    if (!(v <= LG_MAX_RATE_PER_S))
        return LG_ELIMIT;
    *out = v;
    return LG_OK;
}

bool lg_url_is_absolute(const char *url)
{
    return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

char *lg_fmt_duration(int64_t us, char *buf, size_t n)
{
    if (us < 1000)
        snprintf(buf, n, "%lldus", (long long)us);
    else if (us < 1000000)
        snprintf(buf, n, "%.4gms", us / 1e3);
    else if (us < 60000000)
        snprintf(buf, n, "%.4gs", us / 1e6);
    else if (us % 60000000 == 0)
        snprintf(buf, n, "%lldm", (long long)(us / 60000000));
    else
        snprintf(buf, n, "%lldm%.3gs", (long long)(us / 60000000), (us % 60000000) / 1e6);
    return buf;
}

char *lg_fmt_count(uint64_t v, char *buf, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    if (n)
        buf[o < n ? o : n - 1] = '\0';
    return buf;
}

int lg_parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *name;
        uint64_t bytes;
    } units[] = {
        {"", 1},
        {"B", 1},
        {"kB", 1000},
        {"KB", 1000},
        {"MB", 1000000},
        {"GB", 1000000000},
        {"KiB", 1ULL << 10},
        {"MiB", 1ULL << 20},
        {"GiB", 1ULL << 30},
    };
    size_t digits = s ? strspn(s, "0123456789") : 0;
    if (digits == 0 || digits > 15) /* 15 digits cannot overflow once multiplied */
        return digits ? LG_ELIMIT : LG_ESYNTAX;
    uint64_t v = 0;
    for (size_t i = 0; i < digits; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(s + digits, units[i].name))
            continue;
        if (v > LG_MAX_SIZE_BYTES / units[i].bytes)
            return LG_ELIMIT;
        *out = v * units[i].bytes;
        return LG_OK;
    }
    return LG_ESYNTAX;
}

FILE *lg_open_input(const char *path, bool *is_pipe)
{
    /* O_NONBLOCK: open() of a FIFO with no writer would wait for one forever. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : ENODEV;
        return NULL;
    }
    /* Open now: a FIFO whose writer is there is read to its end; with none, read()
     * returns end-of-file at once. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    if (is_pipe)
        *is_pipe = S_ISFIFO(st.st_mode);
    return f;
}

int lg_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!s || *s < '0' || *s > '9')
        return LG_ESYNTAX;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > max)
        return LG_ESYNTAX;
    *out = v;
    return LG_OK;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void lg_rng_seed(struct lg_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t lg_rng_next(struct lg_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double lg_rng_double(struct lg_rng *r)
{
    return (double)(lg_rng_next(r) >> 11) * 0x1.0p-53;
}

int64_t lg_rng_range(struct lg_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1; /* unsigned: no overflow */
    if (span == 0)                                   /* the full 64-bit range */
        return (int64_t)lg_rng_next(r);
    return (int64_t)((uint64_t)lo + lg_rng_next(r) % span);
}
