/* jnum: JSON numbers beyond jansson's range. jansson refuses an integer outside
 * int64 and a real that overflows a double, and with it the whole document. Such a
 * number is kept as its literal text instead, in a jansson string whose first byte
 * is NUL (a "number kept as text"); checks, templates and dumps treat that string
 * as the number it spells. No other string can start with NUL: response bodies
 * with a \u0000 escape are refused as jansson refuses them. */
#ifndef LG_JNUM_H
#define LG_JNUM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Parses a response body as JSON (any value at the top, as JSON_DECODE_ANY). A body
 * jansson accepts gives jansson's value (lg_jsimd_loadb for the usual ones, else
 * jansson itself). When jansson refuses it
 * only for a number out of its range, it is parsed again with each such number
 * kept as text. Returns a new reference, or NULL with *err filled when the body is
 * not JSON: jansson's message and code, position (bytes), line and column in buf
 * itself, as jansson would give them for the first problem other than a number's
 * range. err may be NULL. */
json_t *lg_jnum_loadb(const char *buf, size_t len, json_error_t *err);

/* A new number kept as text, for lit[0, len) which must be a JSON number literal
 * (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][-+]?[0-9]+)?), else NULL. Used for
 * numbers written in scenario files that jansson could not hold exactly. */
json_t *lg_jnum_new(const char *lit, size_t len);

/* True when v is a number kept as text. */
bool lg_jnum_is_text(const json_t *v);

/* The literal of a number kept as text (NUL-terminated) and its length in *len (if
 * not NULL); NULL when v is not one. Borrowed from v. */
const char *lg_jnum_literal(const json_t *v, size_t *len);

/* True for every JSON number: jansson's integers and reals, numbers kept as text. */
bool lg_jnum_is_number(const json_t *v);

/* A number as a double: a number kept as text is rounded (one beyond a double's
 * range is -HUGE_VAL or +HUGE_VAL, i.e. infinite). 0 for anything else. */
double lg_jnum_value(const json_t *v);

/* True when the number is an integer: jansson's integers, reals without a
 * fraction (2.0), and numbers kept as text whose value has no fraction (1e400,
 * 12.50e1, 1000000000000000000000). */
bool lg_jnum_is_integral(const json_t *v);

/* Compares two numbers (lg_jnum_is_number). Writes -1, 0 or 1 to *cmp and returns
 * true; returns false when either is not a number. Exact when neither is a
 * jansson real: integers and numbers kept as text compare by decimal value,
 * whatever their spelling (1e21 == 1000000000000000000000 == 10.0e20). When either
 * is a jansson real (a double already), both compare as doubles. */
bool lg_jnum_cmp(const json_t *a, const json_t *b, int *cmp);

/* True when lit[0, len) (a JSON number literal) is exactly an integer within int64;
 * then *out holds it. "1e6" and "100.00" are, "1.5" and "1e19" are not. */
bool lg_jnum_to_int64(const char *lit, size_t len, int64_t *out);

/* True when jansson holds the JSON number literal lit[0, len) as it is: an integer
 * within int64, or a real whose double does not overflow. */
bool lg_jnum_fits(const char *lit, size_t len);

/* Appends v as JSON text, json_dump_callback(v, flags | JSON_ENCODE_ANY), except
 * that numbers kept as text appear as their literals, unquoted, wherever they are
 * (at the top, in arrays, in objects). */
void lg_jnum_dump(const json_t *v, size_t flags, struct lg_buf *out);

#endif
