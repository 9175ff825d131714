/* url: scheme rules and userinfo redaction over URL text. Plain string work with
 * no allocation except the redacted copy; libcurl parses the URLs it requests. */
#include "url.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static bool scheme_char(char c)
{
    return isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

bool lg_url_scheme_is_http(const char *s, size_t n)
{
    return (n == 4 && !strncasecmp(s, "http", 4)) || (n == 5 && !strncasecmp(s, "https", 5));
}

enum lg_url_kind lg_url_kind(const char *s, size_t n, size_t *scheme_len)
{
    size_t i = 0;
    if (scheme_len)
        *scheme_len = 0;
    if (n == 0 || !isalpha((unsigned char)s[0]))
        return LG_URL_RELATIVE;
    while (i < n && scheme_char(s[i]))
        i++;
    if (i == n || s[i] != ':')
        return LG_URL_RELATIVE;
    if (scheme_len)
        *scheme_len = i;
    bool slashes = n - i >= 3 && s[i + 1] == '/' && s[i + 2] == '/';
    return lg_url_scheme_is_http(s, i) && slashes ? LG_URL_HTTP : LG_URL_OTHER;
}

const char *lg_url_userinfo_secret(const char *url, size_t *len)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p)
        return NULL;
    const char *auth = p + 3, *end = auth + strcspn(auth, "/?#"), *at = NULL;
    for (const char *q = auth; q < end; q++)
        if (*q == '@')
            at = q; /* the last '@': a password may hold one unencoded */
    if (!at || at == auth)
        return NULL;
    const char *colon = memchr(auth, ':', (size_t)(at - auth));
    const char *from = colon ? colon + 1 : auth;
    if (from == at)
        return NULL;
    *len = (size_t)(at - from);
    return from;
}

char *lg_url_redact(const char *url)
{
    size_t len = 0;
    const char *secret = lg_url_userinfo_secret(url, &len);
    if (!url)
        return NULL;
    if (!secret)
        return lg_strdup(url);
    struct lg_buf b = {0};
    lg_buf_append(&b, url, (size_t)(secret - url));
    lg_buf_puts(&b, LG_URL_HIDDEN);
    lg_buf_puts(&b, secret + len);
    return lg_buf_take(&b);
}
