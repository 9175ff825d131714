/* alloc: allocation that never returns NULL (out-of-memory prints a message
 * and aborts), so that no caller checks; and growth of dynamic arrays. */
#ifndef LG_ALLOC_H
#define LG_ALLOC_H

#include <stddef.h>

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

#endif
