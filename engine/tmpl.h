/* tmpl: "{{...}}" templates, compiled once at load time into a list of parts
 * (literals, variable slots, built-in values and function calls) so that rendering
 * on the hot path does no parsing and no name lookup. */
#ifndef LG_TMPL_H
#define LG_TMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* A scope maps variable names (vars, captures, for_each variables) to slot
 * indexes; a virtual user holds one json_t * per slot. Zero-initialise. */
struct lg_scope {
    char **names;
    size_t n, cap;
};
/* Returns the slot of name, adding it if absent. */
int lg_scope_add(struct lg_scope *s, const char *name);
/* Returns the slot of name, or -1. */
int lg_scope_find(const struct lg_scope *s, const char *name);
void lg_scope_free(struct lg_scope *s);

/* How values substituted into a template are escaped. Literal text is copied as
 * is in every mode. */
enum lg_tmpl_esc {
    LG_TMPL_RAW = 0, /* as is (URLs, header values, raw bodies) */
    LG_TMPL_JSON,    /* escaped for the inside of a JSON string literal */
    LG_TMPL_URL,     /* percent-encoded (query values, form fields) */
};

/* Where a compile error was found. */
struct lg_tmpl_err {
    int offset;    /* 0-based byte offset in the source */
    char msg[160];
};

/* What rendering reads: the virtual user's slots and identity. */
struct lg_tmpl_ctx {
    json_t *const *slots; /* n_slots entries; NULL = not set */
    size_t n_slots;
    const struct lg_scope *scope; /* for naming an unset slot in errors; may be NULL */
    uint32_t vu_id;               /* 1-based */
    uint64_t iteration;           /* 0-based, per virtual user */
    struct lg_rng *rng;           /* the virtual user's PRNG (uuid, random_int) */
};

struct lg_tmpl;

/* An empty template (renders to ""). Never fails. Free with lg_tmpl_free. */
struct lg_tmpl *lg_tmpl_new(void);
void lg_tmpl_free(struct lg_tmpl *t); /* accepts NULL */

/* Appends literal text (copied verbatim, never interpreted). */
void lg_tmpl_add_lit(struct lg_tmpl *t, const char *s, size_t len);

/* Parses src and appends its parts. Expressions inside {{ }}:
 *   NAME                a slot from scope (vars, captures, for_each variables)
 *   env.NAME            the process environment, read once here at compile time
 *   vu.id  iteration    the virtual user's number (1-based) and iteration (0-based)
 *   uuid  now_ms        a random UUID v4; wall-clock milliseconds
 *   random_int A B      an integer in [A, B]
 *   base64 X  sha256 X  hmac_sha256 KEY MSG   (digests as lowercase hex)
 * Function arguments are names, "quoted strings", integers or (nested calls).
 * Substituted values are escaped according to esc. Returns 0, or LG_ESYNTAX with
 * *err filled (an unknown name is an error: "undefined variable 'x'"). On error
 * the template is left unchanged. */
int lg_tmpl_add_src(struct lg_tmpl *t, const char *src, enum lg_tmpl_esc esc,
                    const struct lg_scope *scope, struct lg_tmpl_err *err);

/* Convenience: new template from src (lg_tmpl_add_src on an empty template).
 * Returns 0 and *out, or LG_ESYNTAX with *err. */
int lg_tmpl_compile(const char *src, enum lg_tmpl_esc esc, const struct lg_scope *scope,
                    struct lg_tmpl **out, struct lg_tmpl_err *err);

/* Appends the rendered text to out. Returns 0, or LG_EUNSET when a slot it reads
 * has no value (then *unset_slot names it, if not NULL). */
int lg_tmpl_render(const struct lg_tmpl *t, const struct lg_tmpl_ctx *ctx, struct lg_buf *out,
                   int *unset_slot);

/* True when the template has no substitutions (render once at load time). */
bool lg_tmpl_is_const(const struct lg_tmpl *t);
/* True when any part came from env.* (its rendered value is a secret). */
bool lg_tmpl_is_secret(const struct lg_tmpl *t);
/* The first env.NAME the template reads that was not set when it was compiled, or
 * NULL. Such a part renders as "". */
const char *lg_tmpl_missing_env(const struct lg_tmpl *t);
/* Writes up to max slot indexes the template reads (duplicates possible) and
 * returns how many it reads in all. */
size_t lg_tmpl_slots(const struct lg_tmpl *t, int *out, size_t max);

/* Writes a JSON value as template text: strings as is, numbers, true/false/null
 * as JSON, arrays and objects as compact JSON. Used for slot substitution and for
 * rendering captured values. Appends to out. */
void lg_tmpl_value_text(const json_t *v, struct lg_buf *out);

#endif
