/* jfast: a quick parse of the JSON documents responses usually are, to the very tree
 * jansson would build. Anything less usual is left to jansson (lg_jnum_loadb), so
 * that refusals, their messages and every edge case stay jansson's own. */
#ifndef LG_JFAST_H
#define LG_JFAST_H

#include <jansson.h>
#include <stddef.h>

/* Parses buf[0, len) as one JSON value (any type, blanks around it), giving a new
 * reference to the value json_loadb(buf, len, JSON_DECODE_ANY) would give: same
 * types (integer or real), values, strings, keys and key order (a repeated key's
 * last value, at its first place). Returns NULL when the body is not JSON, and also
 * for bodies it leaves to jansson: nesting deeper than 128, integers of more than 18
 * digits, reals that overflow a double or are spelled in more than 63 bytes, and
 * strings with a \u0000 escape. NULL never means jansson would refuse the body. */
json_t *lg_jfast_loadb(const char *buf, size_t len);

#endif
