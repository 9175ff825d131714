/* tmpl: "{{...}}" templates, compiled once at load time into a list of parts
 * (literals, variable slots, built-in values and function calls) so that rendering
 * on the hot path does no parsing and no name lookup. */
#ifndef LG_TMPL_H
#define LG_TMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feeder.h"
#include "secrets.h"
#include "util.h"
#include "wallet.h"

/* A scope maps variable names (vars, captures, for_each variables) to slot
 * indexes; a virtual user holds one json_t * per slot. It also lists the CSV feeds
 * that data.FEED.FIELD may read. Zero-initialise. */
struct lg_scope {
    char **names;
    size_t n, cap;
    struct lg_feed *const *feeds; /* borrowed (set by the loader); NULL: no feed */
    size_t n_feeds;
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
    int offset; /* 0-based byte offset in the source */
    char msg[160];
};

/* What rendering reads: the virtual user's slots and identity. */
struct lg_tmpl_ctx {
    json_t *const *slots; /* n_slots entries; NULL = not set */
    size_t n_slots;
    const struct lg_scope *scope; /* for naming an unset slot in errors; may be NULL */
    uint32_t vu_id;               /* 1-based */
    uint64_t iteration;           /* 0-based, per virtual user */
    struct lg_rng *rng;           /* the virtual user's PRNG (uuid, random_int); NULL: a
                                     per-thread PRNG seeded from the clock */
    /* Optional working memory for function arguments and values being escaped. Give
     * each virtual user one (zero-initialised, freed with lg_buf_free) and rendering
     * allocates nothing once it has grown; NULL: render uses a temporary buffer of
     * its own for templates that need one. Must not be the output buffer. */
    struct lg_buf *scratch;
    /* data.FEED.FIELD: the virtual user's current rows (lg_feeds_next at the start of
     * each iteration). NULL, or no row taken for a feed: rendering a data.* part
     * fails with LG_EINVAL. */
    const struct lg_feed_rows *data;
    /* wallet.*: the virtual user's key pair. *wallet starts NULL; the first wallet.*
     * part rendered creates it (lg_wallet_new_seeded(wallet_seed, vu_id)) and stores
     * it there, and later renders reuse it. The VU owns it: lg_wallet_free when the
     * VU ends. wallet NULL: rendering a wallet.* part fails with LG_EINVAL. */
    struct lg_wallet **wallet;
    uint64_t wallet_seed; /* the run's seed, the same for every VU */
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
 *   wallet.address      "stake1" + the first 40 hex digits of SHA-256(public key)
 *   wallet.public_key   the raw 32-byte ed25519 public key, 64 lowercase hex digits
 *   wallet.sign MSG     the ed25519 signature of MSG's bytes, 128 lowercase hex digits
 *   data.FEED.FIELD     FIELD of the current row of CSV feed FEED (scope->feeds);
 *                       an unknown feed or field is a compile error
 * Function arguments are names, "quoted strings", integers or (nested calls).
 * Substituted values are escaped according to esc. Returns 0, or LG_ESYNTAX with
 * *err filled (an unknown name is an error: "undefined variable 'x'"). On error
 * the template is left unchanged.
 *
 * Details. Whitespace inside the braces is free. A NAME is a letter or _, then
 * letters, digits, _, - or . (a dotted name resolves only if the scope holds it,
 * as data.FEED.FIELD will); built-in names win over scope names (see
 * lg_tmpl_reserved). Strings know two escapes, \" and \\. Integers are -?[0-9]+
 * within int64. Text outside {{ }} is never interpreted except for "{{": write a
 * literal "{{" as {{"{{"}}. Parts that are constant (strings, integers, base64,
 * sha256 and hmac_sha256 of constants) are computed here and become literal text.
 * An unset env.NAME renders "" and is reported by lg_tmpl_missing_env. err may be
 * NULL. */
int lg_tmpl_add_src(struct lg_tmpl *t, const char *src, enum lg_tmpl_esc esc,
                    const struct lg_scope *scope, struct lg_tmpl_err *err);

/* Convenience: new template from src (lg_tmpl_add_src on an empty template).
 * Returns 0 and *out, or LG_ESYNTAX with *err. */
int lg_tmpl_compile(const char *src, enum lg_tmpl_esc esc, const struct lg_scope *scope,
                    struct lg_tmpl **out, struct lg_tmpl_err *err);

/* Appends the rendered text to out. Returns 0, or LG_EUNSET when a slot it reads
 * has no value (then *unset_slot names it, if not NULL), or LG_EINVAL when a
 * function cannot use its arguments at run time (random_int given a value that is
 * not an integer, or A > B). On error out is left as it was. ctx may be NULL for a
 * template that reads no slot. */
int lg_tmpl_render(const struct lg_tmpl *t, const struct lg_tmpl_ctx *ctx, struct lg_buf *out,
                   int *unset_slot);

/* True when the template has no substitutions (render once at load time). */
bool lg_tmpl_is_const(const struct lg_tmpl *t);
/* True when the rendered text depends on slot values alone (no uuid, random_int,
 * now_ms, vu.id, iteration, wallet.* or data.*): given the same slots it always
 * renders the same. */
bool lg_tmpl_is_pure(const struct lg_tmpl *t);
/* True when any part came from env.* (its rendered value is a secret). */
bool lg_tmpl_is_secret(const struct lg_tmpl *t);
/* Adds to sec every value the template takes from env.* (as read when it was
 * compiled), and the value of each pure function of such values and constants
 * (base64 of env.TOKEN): the values that reports must never show. Each is added as
 * it is and as JSON and URL escaping write it. Does nothing for a template that
 * reads no env.*. */
void lg_tmpl_secrets(const struct lg_tmpl *t, struct lg_secrets *sec);
/* The first env.NAME the template reads that was not set when it was compiled, or
 * NULL. Such a part renders as "". Returns NAME without "env." (owned by t). */
const char *lg_tmpl_missing_env(const struct lg_tmpl *t);
/* Writes up to max slot indexes the template reads (duplicates possible) and
 * returns how many it reads in all. */
size_t lg_tmpl_slots(const struct lg_tmpl *t, int *out, size_t max);
/* Writes up to max feed indexes (lg_feed.index) the template reads through
 * data.FEED.FIELD (duplicates possible) and returns how many it reads in all. */
size_t lg_tmpl_feeds(const struct lg_tmpl *t, uint32_t *out, size_t max);

/* True when a template cannot read a variable of this name: built-ins (uuid,
 * iteration, random_int, ...) and names starting with env., vu., wallet. or data., so
 * that the config loader can refuse them as names of vars and captures. */
bool lg_tmpl_reserved(const char *name);

/* Writes a JSON value as template text: strings as is, numbers, true/false/null
 * as JSON, arrays and objects as compact JSON. Used for slot substitution and for
 * rendering captured values. Appends to out. Numbers kept as text (jnum.h: beyond
 * int64 or a double) print as their literal, also inside arrays and objects:
 * 1000000000000000000000 stays exactly that. Integers print as %lld; reals as the
 * first of %.15g, %.16g, %.17g that reads back as the same double, with ".0" added
 * when that looks like an integer: 1.5 -> "1.5", 2.0 -> "2.0", 0.1 -> "0.1",
 * 0.1 + 0.2 -> "0.30000000000000004", 1e300 -> "1e+300". Arrays and objects are
 * json_dumps(JSON_COMPACT) text, whose reals are jansson's %.17g. */
void lg_tmpl_value_text(const json_t *v, struct lg_buf *out);

#endif
