/* buf: struct lg_buf, the growable byte buffer the renderers and writers share.
 * It grows by doubling and is reset, not freed, between uses on the hot path. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

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
