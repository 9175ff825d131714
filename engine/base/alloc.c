/* alloc: the allocation wrappers. Out-of-memory is fatal here so that no caller
 * has to check. */
#include "alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

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
