/* jsimd: the usual response body parsed by simdjson (validated whole, at the speed
 * of memory) and handed on as the very tree jansson would build. Anything less usual
 * is left to jansson (lg_jnum_loadb), so that refusals, their messages and every
 * edge case stay jansson's own. */
#ifndef LG_JSIMD_H
#define LG_JSIMD_H

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses buf[0, len) as one JSON value (any type, blanks around it), giving a new
 * reference to the value json_loadb(buf, len, JSON_DECODE_ANY) would give: same
 * types (integer or real), values, strings, keys and key order (a repeated key's
 * last value, at its first place). Returns NULL when simdjson refuses the body, and
 * also for bodies it leaves to jansson: bodies over 256 KiB, nesting past
 * simdjson's 1,024 levels (a value inside the 1,024th array or object is one too
 * many; an empty one there is not), integers above INT64_MAX, and strings or keys
 * holding a NUL. NULL never means jansson would refuse the body. Each thread keeps
 * its own parser. */
json_t *lg_jsimd_loadb(const char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
