/* utf8: well-formed UTF-8 (RFC 3629) and a copy of any bytes as such. Text that
 * came from a server or the command line may hold any byte; result.json (jansson)
 * holds only UTF-8, so every report is rendered from text cleaned the same way. */
#ifndef LG_UTF8_H
#define LG_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length (1 to 4) of the well-formed UTF-8 sequence at p, or 0 when there is
 * none (a stray byte, an overlong form, a surrogate, a code point above U+10FFFF,
 * a sequence cut short). A NUL ends every check early: never reads past the
 * string. */
size_t lg_utf8_seq(const unsigned char *p);

/* True when the whole of s (NUL-terminated) is well-formed UTF-8. */
bool lg_utf8_valid(const char *s);

/* A copy of s with each byte that starts no well-formed sequence replaced by
 * U+FFFD; NULL gives NULL. The caller frees it. */
char *lg_utf8_clean(const char *s);

/* Cleans *s in place (frees the old string) when it is not well-formed; NULL and
 * well-formed strings are left as they are. */
void lg_utf8_settle(char **s);

#endif
