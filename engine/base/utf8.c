/* utf8: the UTF-8 checks and the cleaning every report's text goes through (see
 * utf8.h). */
#include "utf8.h"

#include <stdlib.h>

#include "alloc.h"
#include "buf.h"

size_t lg_utf8_seq(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
    }
    return 0;
}

bool lg_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n;
    while (*p && (n = lg_utf8_seq(p)) != 0)
        p += n;
    return *p == '\0';
}

char *lg_utf8_clean(const char *s)
{
    if (!s)
        return NULL;
    struct lg_buf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = lg_utf8_seq(p);
        if (n) {
            lg_buf_append(&b, p, n);
            p += n;
        } else {
            lg_buf_puts(&b, "\xef\xbf\xbd");
            p++;
        }
    }
    return lg_buf_take(&b);
}

void lg_utf8_settle(char **s)
{
    if (!*s || lg_utf8_valid(*s))
        return;
    char *c = lg_utf8_clean(*s);
    free(*s);
    *s = c;
}
