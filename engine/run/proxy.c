/* proxy: libcurl 7.88's choice of proxy from the environment (lib/url.c
 * detect_proxy and lib/noproxy.c), redone at load time so that the summary and
 * result.json can name the proxy a run goes through. Never sent anywhere: the
 * credentials a proxy URL may carry are left out of what it returns. */
#include "proxy.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether the first `bits` bits of two addresses of len bytes agree (all when
 * bits is 0 or too large). */
static bool prefix_match(const unsigned char *a, const unsigned char *b, size_t len, unsigned bits)
{
    if (bits == 0 || bits > len * 8)
        bits = (unsigned)(len * 8);
    size_t whole = bits / 8;
    if (memcmp(a, b, whole))
        return false;
    unsigned rest = bits % 8;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

static bool token_matches(const char *name, size_t namelen, int family, const char *token,
                          size_t tokenlen)
{
    if (family == 0) { /* a host name */
        if (tokenlen && token[tokenlen - 1] == '.')
            tokenlen--;
        if (tokenlen && token[0] == '.') {
            token++;
            tokenlen--;
        }
        if (tokenlen == namelen)
            return strncasecmp(token, name, namelen) == 0;
        return tokenlen < namelen && name[namelen - tokenlen - 1] == '.' &&
               strncasecmp(token, name + namelen - tokenlen, tokenlen) == 0;
    }
    char check[128];
    if (tokenlen >= sizeof(check))
        return false;
    memcpy(check, token, tokenlen);
    check[tokenlen] = '\0';
    unsigned bits = 0;
    char *slash = strchr(check, '/');
    if (slash) {
        bits = (unsigned)atoi(slash + 1);
        *slash = '\0';
    }
    unsigned char a[16], b[16];
    if (inet_pton(family, name, a) != 1 || inet_pton(family, check, b) != 1)
        return false;
    return prefix_match(a, b, family == AF_INET ? 4 : 16, bits);
}

bool lg_proxy_exempt(const char *host, const char *list)
{
    if (!host || !*host || !list || !*list)
        return false;
    if (!strcmp(list, "*"))
        return true;
    char name[128];
    size_t namelen = strlen(host);
    int family = 0;
    unsigned char addr[16];
    if (host[0] == '[') {
        const char *end = strchr(host, ']');
        if (!end || (size_t)(end - host - 1) >= sizeof(name))
            return false;
        namelen = (size_t)(end - host - 1);
        memcpy(name, host + 1, namelen);
        family = AF_INET6;
    } else {
        if (namelen >= sizeof(name))
            return false;
        memcpy(name, host, namelen);
        if (inet_pton(AF_INET, host, addr) == 1)
            family = AF_INET;
        else if (name[namelen - 1] == '.')
            namelen--;
    }
    name[namelen] = '\0';
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *token = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',')
            p++;
        if (p > token && token_matches(name, namelen, family, token, (size_t)(p - token)))
            return true;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
    }
    return false;
}

/* host[:port] of a proxy variable's value, without scheme, userinfo or path. */
static void proxy_host(const char *value, char *out, size_t out_len)
{
    const char *s = strstr(value, "://");
    s = s ? s + 3 : value;
    size_t end = strcspn(s, "/?#");
    const char *at = NULL;
    for (const char *q = s; q < s + end; q++)
        if (*q == '@')
            at = q;
    if (at) {
        end -= (size_t)(at + 1 - s);
        s = at + 1;
    }
    if (end >= out_len)
        end = out_len - 1;
    memcpy(out, s, end);
    out[end] = '\0';
}

bool lg_proxy_for_url(const char *url, char *host, size_t host_len, const char **variable)
{
    static const char *const vars[][2] = {{"http", "http_proxy"}, {"https", "https_proxy"}};
    CURLU *u = curl_url();
    char *scheme = NULL, *name = NULL;
    bool found = false;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &name, 0) != CURLUE_OK)
        goto done;
    const char *no_proxy = getenv("no_proxy");
    if (!no_proxy)
        no_proxy = getenv("NO_PROXY");
    if (lg_proxy_exempt(name, no_proxy))
        goto done;
    const char *var = NULL, *value = NULL;
    for (size_t i = 0; i < sizeof(vars) / sizeof(*vars) && !var; i++) {
        if (strcasecmp(scheme, vars[i][0]))
            continue;
        if ((value = getenv(vars[i][1])))
            var = vars[i][1];
        else if (i == 1 && (value = getenv("HTTPS_PROXY"))) /* never HTTP_PROXY */
            var = "HTTPS_PROXY";
    }
    if (!var && (value = getenv("all_proxy")))
        var = "all_proxy";
    if (!var && (value = getenv("ALL_PROXY")))
        var = "ALL_PROXY";
    if (!var || !*value)
        goto done;
    proxy_host(value, host, host_len);
    *variable = var;
    found = true;
done:
    curl_free(scheme);
    curl_free(name);
    curl_url_cleanup(u);
    return found;
}
