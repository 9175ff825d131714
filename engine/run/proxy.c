/* proxy: libcurl 7.88's choice of proxy from the environment (lib/url.c
 * detect_proxy and lib/noproxy.c), redone at load time so that the summary and
 * result.json can name the proxy a run goes through. Never sent anywhere: the
 * credentials a proxy URL may carry are left out of what it returns. */
#include "proxy.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
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

/* A variable as libcurl's curl_getenv reads it: an empty value is no value, and
 * the next variable in libcurl's order applies. */
static const char *env_value(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* host:port where libcurl connects for a proxy variable's value, parsed as libcurl
 * parses it (lib/url.c parse_proxy: a URL, the scheme guessed when missing, port
 * 1080 unless given, 443 for an https:// proxy). A value libcurl cannot parse (it
 * then fails every request, sending nothing) is not shown at all: what looks like
 * its host may be part of its credentials. */
static void proxy_host(const char *value, char *out, size_t out_len)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *scheme = NULL;
    if (u &&
        curl_url_set(u, CURLUPART_URL, value, CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME) ==
            CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        const char *dflt = scheme && !strcasecmp(scheme, "https") ? "443" : "1080";
        snprintf(out, out_len, "%s:%s", host, port ? port : dflt);
    } else {
        snprintf(out, out_len, "(unparsable value)");
    }
    curl_free(host);
    curl_free(port);
    curl_free(scheme);
    curl_url_cleanup(u);
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
    const char *no_proxy = env_value("no_proxy");
    if (!no_proxy)
        no_proxy = env_value("NO_PROXY");
    if (lg_proxy_exempt(name, no_proxy))
        goto done;
    const char *var = NULL, *value = NULL;
    for (size_t i = 0; i < sizeof(vars) / sizeof(*vars) && !var; i++) {
        if (strcasecmp(scheme, vars[i][0]))
            continue;
        if ((value = env_value(vars[i][1])))
            var = vars[i][1];
        else if (i == 1 && (value = env_value("HTTPS_PROXY"))) /* never HTTP_PROXY */
            var = "HTTPS_PROXY";
    }
    if (!var && (value = env_value("all_proxy")))
        var = "all_proxy";
    if (!var && (value = env_value("ALL_PROXY")))
        var = "ALL_PROXY";
    if (!var)
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
