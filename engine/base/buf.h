/* buf: a growable, always NUL-terminated byte buffer (struct lg_buf), reused
 * from request to request without allocating once it has grown. */
#ifndef LG_BUF_H
#define LG_BUF_H

#include <stdarg.h>
#include <stddef.h>

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

#endif
