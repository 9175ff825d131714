/* diag: collects problems in user input with their locations and prints them in the
 * FILE:LINE:COL: error: MESSAGE form that editors and CI logs understand. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util.h"

void lg_diags_add(struct lg_diags *d, const char *file, int line, int col, const char *fmt, ...)
{
    struct lg_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    lg_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    LG_GROW(d->v, d->n + 1, d->cap);
    d->v[d->n++] = (struct lg_diag){
        .file = lg_strdup(file ? file : ""),
        .line = line,
        .col = col,
        .msg = lg_buf_take(&b),
    };
}

void lg_diags_print(const struct lg_diags *d, FILE *f)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct lg_diag *e = &d->v[i];
        if (!e->file[0])
            fprintf(f, "error: %s\n", e->msg);
        else if (e->line <= 0)
            fprintf(f, "%s: error: %s\n", e->file, e->msg);
        else
            fprintf(f, "%s:%d:%d: error: %s\n", e->file, e->line, e->col, e->msg);
    }
}

void lg_diags_free(struct lg_diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].msg);
    }
    free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}
