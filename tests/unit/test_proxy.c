/* Unit tests for proxy: libcurl's choice of proxy from the environment, as the run
 * reports it (variable, host without credentials, no_proxy exemptions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proxy.h"

static const char *const proxy_vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                         "all_proxy",  "ALL_PROXY",  "no_proxy",    "NO_PROXY"};

static int clear_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(proxy_vars) / sizeof(*proxy_vars); i++)
        unsetenv(proxy_vars[i]);
    return 0;
}

/* The proxy for url, as "variable host", or "direct". */
static const char *route(const char *url)
{
    static char out[300];
    char host[200];
    const char *var = NULL;
    if (!lg_proxy_for_url(url, host, sizeof(host), &var))
        return "direct";
    snprintf(out, sizeof(out), "%s %s", var, host);
    return out;
}

static void test_proxy_none_without_variables(void **state)
{
    assert_string_equal(route("http://127.0.0.1:8080"), "direct");
    assert_string_equal(route("https://example.com/x"), "direct");
}

static void test_proxy_scheme_variable_without_credentials(void **state)
{
    setenv("http_proxy", "http://user:secret@proxy.local:3128/", 1);
    setenv("https_proxy", "tunnel.local:8443", 1);
    assert_string_equal(route("http://127.0.0.1:8080/path"), "http_proxy proxy.local:3128");
    assert_string_equal(route("https://example.com"), "https_proxy tunnel.local:8443");
}

static void test_proxy_uppercase_http_is_ignored_as_libcurl_does(void **state)
{
    setenv("HTTP_PROXY", "http://evil:1", 1);
    assert_string_equal(route("http://example.com"), "direct");
    setenv("HTTPS_PROXY", "http://p:2", 1);
    assert_string_equal(route("https://example.com"), "HTTPS_PROXY p:2");
    setenv("ALL_PROXY", "socks5h://a@all:1080", 1);
    assert_string_equal(route("http://example.com"), "ALL_PROXY all:1080");
    setenv("all_proxy", "http://lower:9", 1);
    assert_string_equal(route("http://example.com"), "all_proxy lower:9");
}

static void test_proxy_empty_variable_means_direct(void **state)
{
    setenv("http_proxy", "", 1);
    assert_string_equal(route("http://example.com"), "direct");
    setenv("all_proxy", "", 1);
    assert_string_equal(route("http://example.com"), "direct");
}

/* libcurl's curl_getenv reads an empty variable as unset: the next one applies. */
static void test_proxy_empty_variable_falls_through_as_libcurl(void **state)
{
    setenv("http_proxy", "", 1);
    setenv("all_proxy", "http://all:1", 1);
    assert_string_equal(route("http://example.com"), "all_proxy all:1");
    setenv("https_proxy", "", 1);
    setenv("HTTPS_PROXY", "http://upper:2", 1);
    assert_string_equal(route("https://example.com"), "HTTPS_PROXY upper:2");
    setenv("all_proxy", "", 1);
    setenv("ALL_PROXY", "http://caps:3", 1);
    assert_string_equal(route("http://example.com"), "ALL_PROXY caps:3");
    setenv("no_proxy", "", 1);
    setenv("NO_PROXY", "example.com", 1);
    assert_string_equal(route("http://example.com"), "direct");
}

/* Where libcurl connects: its default proxy port (1080, 443 for an https:// proxy)
 * when none is given; a value it cannot parse shows none of its text. */
static void test_proxy_port_and_credentials_as_libcurl_parses(void **state)
{
    setenv("http_proxy", "http://proxy.local", 1);
    assert_string_equal(route("http://example.com"), "http_proxy proxy.local:1080");
    setenv("http_proxy", "https://proxy.local/", 1);
    assert_string_equal(route("http://example.com"), "http_proxy proxy.local:443");
    setenv("http_proxy", "http://user:pa/ss@proxy.local:3128", 1);
    assert_string_equal(route("http://example.com"), "http_proxy (unparsable value)");
    setenv("http_proxy", "http://user:p%40ss@[::1]:3128", 1);
    assert_string_equal(route("http://example.com"), "http_proxy [::1]:3128");
}

static void test_proxy_no_proxy_exempts_as_libcurl(void **state)
{
    setenv("http_proxy", "http://p:1", 1);
    setenv("no_proxy", "localhost, .example.com,10.0.0.0/8", 1);
    assert_string_equal(route("http://api.example.com"), "direct");
    assert_string_equal(route("http://example.com"), "direct");
    assert_string_equal(route("http://notexample.com"), "http_proxy p:1");
    assert_string_equal(route("http://10.1.2.3:80"), "direct");
    assert_string_equal(route("http://11.1.2.3:80"), "http_proxy p:1");
    assert_string_equal(route("http://LOCALHOST:80"), "direct");
    setenv("no_proxy", "*", 1);
    assert_string_equal(route("http://anything"), "direct");
    unsetenv("no_proxy");
    setenv("NO_PROXY", "127.0.0.1", 1);
    assert_string_equal(route("http://127.0.0.1:8080"), "direct");
    assert_string_equal(route("http://127.0.0.2:8080"), "http_proxy p:1");
}

static void test_proxy_exempt_ipv6_and_edges(void **state)
{
    assert_true(lg_proxy_exempt("[::1]", "::1"));
    assert_true(lg_proxy_exempt("[2001:db8::5]", "2001:db8::/32"));
    assert_false(lg_proxy_exempt("[2001:db9::5]", "2001:db8::/32"));
    assert_false(lg_proxy_exempt("example.com", ""));
    assert_false(lg_proxy_exempt("example.com", NULL));
    assert_true(lg_proxy_exempt("example.com.", "example.com"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_proxy_none_without_variables, clear_env),
        cmocka_unit_test_setup(test_proxy_scheme_variable_without_credentials, clear_env),
        cmocka_unit_test_setup(test_proxy_uppercase_http_is_ignored_as_libcurl_does, clear_env),
        cmocka_unit_test_setup(test_proxy_empty_variable_means_direct, clear_env),
        cmocka_unit_test_setup(test_proxy_empty_variable_falls_through_as_libcurl, clear_env),
        cmocka_unit_test_setup(test_proxy_port_and_credentials_as_libcurl_parses, clear_env),
        cmocka_unit_test_setup(test_proxy_no_proxy_exempts_as_libcurl, clear_env),
        cmocka_unit_test_setup(test_proxy_exempt_ipv6_and_edges, clear_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
