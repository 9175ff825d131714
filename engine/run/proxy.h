/* proxy: which proxy from the environment libcurl routes a URL through (http_proxy,
 * https_proxy, all_proxy and no_proxy, with libcurl's own rules), so that the run
 * can say so. libcurl does the routing; this only reports it. */
#ifndef LG_PROXY_H
#define LG_PROXY_H

#include <stdbool.h>
#include <stddef.h>

/* The proxy a request to url goes through, by libcurl 7.88's rules: the variable
 * <scheme>_proxy (lowercase, then uppercase, except HTTP_PROXY, which libcurl never
 * reads), else all_proxy or ALL_PROXY; none when no_proxy (else NO_PROXY) exempts
 * the URL's host ("*", host names matching as themselves or as a domain suffix,
 * IP addresses with an optional /bits). An empty variable counts as unset, as
 * libcurl reads it. Returns true and writes the proxy's host:port as libcurl
 * connects to it (its default port when none is given; scheme, user name,
 * password and path left out; "(unparsable value)" when libcurl cannot parse it;
 * cut to host_len - 1 bytes) into host and the variable's name (static) into
 * *variable; false when the URL goes direct or cannot be parsed. */
bool lg_proxy_for_url(const char *url, char *host, size_t host_len, const char **variable);

/* Whether no_proxy_list exempts host (libcurl's Curl_check_noproxy): exposed for
 * tests. host may be an IPv6 address in brackets. */
bool lg_proxy_exempt(const char *host, const char *no_proxy_list);

#endif
