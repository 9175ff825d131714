/* url: what loadgate accepts as a request URL (http and https only; anything else
 * that names a scheme is refused, never joined to the base URL as a path) and how
 * it shows one: the password of a URL's userinfo never reaches an output. */
#ifndef LG_URL_H
#define LG_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "secrets.h"

/* What stands for a hidden userinfo password in an output. */
#define LG_URL_HIDDEN "***"

enum lg_url_kind {
    LG_URL_RELATIVE = 0, /* no scheme: a path (and query) for the base URL */
    LG_URL_HTTP,         /* http:// or https:// (any case) */
    LG_URL_OTHER,        /* another scheme (file:, ftp:, gopher:, ...) or an http: or
                            https: without "//": never requested */
};

/* Classifies the n bytes at s. A scheme is RFC 3986's: a letter, then letters,
 * digits, '+', '-' or '.', then ':' (so "localhost:8080/x" names the scheme
 * "localhost"). *scheme_len (may be NULL) gets the scheme's length without the
 * ':', 0 when there is none. */
enum lg_url_kind lg_url_kind(const char *s, size_t n, size_t *scheme_len);

/* Whether the scheme of n bytes at s is http or https (any case). */
bool lg_url_scheme_is_http(const char *s, size_t n);

/* Whether url (an http:// or https:// URL, lg_url_kind) can be a base URL that
 * paths are joined to: libcurl parses it, it names a host, and it has no query or
 * fragment (a path joined after "?x" or "#x" would be sent as part of them, every
 * step then requesting the same resource). Returns NULL when it can, else why not
 * (a static string). */
const char *lg_url_base_problem(const char *url);

/* The secret part of url's userinfo ("https://user:PASS@host"): the password, or
 * the user name when there is no password (a name alone is often a token). Sets
 * *len and returns a pointer into url, or returns NULL when there is none. */
const char *lg_url_userinfo_secret(const char *url, size_t *len);

/* Adds to sec every form in which url's userinfo secret (lg_url_userinfo_secret)
 * may come back in a response: as written, percent-decoded (what the server
 * receives: "p%40ss" is the password "p@ss") and as the Basic credentials libcurl
 * sends (base64 of the decoded "user:password"), which a server may echo. Does
 * nothing for a URL without one. */
void lg_url_userinfo_secrets(const char *url, struct lg_secrets *sec);

/* A copy of url with lg_url_userinfo_secret replaced by LG_URL_HIDDEN, as in
 * "https://user:***@host" (or "https://" "***@host" for a name alone). NULL gives
 * NULL; the caller frees the copy. */
char *lg_url_redact(const char *url);

/* True when url starts with http:// or https:// (any case). */
bool lg_url_is_absolute(const char *url);

#endif
