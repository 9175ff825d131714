/* url: scheme rules and userinfo redaction over URL text. Plain string work with
 * no allocation except the redacted copy; libcurl parses the URLs it requests. */
#include "url.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
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

const char *lg_url_base_problem(const char *url)
{
    CURLU *u = curl_url();
    if (!u)
        return "out of memory";
    const char *why = NULL;
    char *part = NULL;
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (rc)
        why = curl_url_strerror(rc);
    else if (!curl_url_get(u, CURLUPART_QUERY, &part, 0))
        why = "a base URL cannot have a query ('?'): put it in the steps";
    else if (!curl_url_get(u, CURLUPART_FRAGMENT, &part, 0))
        why = "a base URL cannot have a fragment ('#')";
    curl_free(part);
    curl_url_cleanup(u);
    return why;
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

/* The percent-decoded copy of n bytes at s (an invalid escape stays as written). */
static char *unescape(const char *s, size_t n, size_t *out_len)
{
    struct lg_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], '\0'};
            lg_buf_putc(&b, (char)strtol(hex, NULL, 16));
            i += 2;
        } else {
            lg_buf_putc(&b, s[i]);
        }
    }
    *out_len = b.len;
    if (!b.data)
        lg_buf_putc(&b, '\0');
    return lg_buf_take(&b);
}

static void base64_append(struct lg_buf *b, const unsigned char *p, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        lg_buf_putc(b, abc[v >> 18 & 63]);
        lg_buf_putc(b, abc[v >> 12 & 63]);
        lg_buf_putc(b, i + 1 < n ? abc[v >> 6 & 63] : '=');
        lg_buf_putc(b, i + 2 < n ? abc[v & 63] : '=');
    }
}

void lg_url_userinfo_secrets(const char *url, struct lg_secrets *sec)
{
    size_t len = 0;
    const char *secret = lg_url_userinfo_secret(url, &len);
    if (!secret)
        return;
    lg_secrets_add(sec, secret, len);
    size_t plain_len = 0;
    char *plain = unescape(secret, len, &plain_len);
    lg_secrets_add(sec, plain, plain_len);
    free(plain);
    /* user[:password], decoded, as libcurl puts it in "Authorization: Basic". */
    const char *auth = strstr(url, "://") + 3, *at = secret + len;
    const char *colon = memchr(auth, ':', (size_t)(at - auth));
    size_t user_len = 0, pw_len = 0;
    char *user = unescape(auth, (size_t)((colon ? colon : at) - auth), &user_len);
    char *pw = colon ? unescape(colon + 1, (size_t)(at - colon - 1), &pw_len) : NULL;
    struct lg_buf cred = {0};
    lg_buf_append(&cred, user, user_len);
    lg_buf_putc(&cred, ':');
    if (pw)
        lg_buf_append(&cred, pw, pw_len);
    struct lg_buf b64 = {0};
    base64_append(&b64, (const unsigned char *)cred.data, cred.len);
    lg_secrets_add(sec, b64.data, b64.len);
    lg_buf_free(&b64);
    lg_buf_free(&cred);
    free(user);
    free(pw);
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

bool lg_url_is_absolute(const char *url)
{
    return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}
