/* diag: problems found in user input, each with a location, collected so that a
 * file's problems are reported together as FILE:LINE:COL: error: MESSAGE. */
#ifndef LG_DIAG_H
#define LG_DIAG_H

#include <stdio.h>
#include <stddef.h>

struct lg_diag {
    char *file; /* owned copy; may be "" for command-line input */
    int line;   /* 1-based; 0 when unknown */
    int col;    /* 1-based; 0 when unknown */
    char *msg;  /* owned */
};

struct lg_diags {
    struct lg_diag *v;
    size_t n, cap;
};

/* Adds a problem. `file` may be NULL (treated as ""). */
void lg_diags_add(struct lg_diags *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Prints every problem, in the order added, one per line:
 * "FILE:LINE:COL: error: MSG" (or "FILE: error: MSG" without a line, or
 * "error: MSG" without a file). */
void lg_diags_print(const struct lg_diags *d, FILE *f);

/* Frees the problems; the struct itself is reusable afterwards. Accepts NULL. */
void lg_diags_free(struct lg_diags *d);

#endif
