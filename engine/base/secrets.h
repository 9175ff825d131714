/* secrets: the values a run must never show in a report or a log (whatever came
 * from env.*), collected at load time, and the look-up that failure reasons use to
 * hide them. */
#ifndef LG_SECRETS_H
#define LG_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

/* The text that stands for a hidden value in a reason. */
#define LG_SECRET_MARK "[secret]"

/* A set of secret values, longest first. Zero-initialise ({0}). */
struct lg_secrets {
    char **vals;
    size_t *lens;
    size_t n, cap;
};

/* Adds a copy of s (len bytes). Empty values and values already held are ignored. */
void lg_secrets_add(struct lg_secrets *sec, const char *s, size_t len);

/* The length of the longest secret that starts at s (len bytes available), or 0.
 * sec may be NULL (no secrets). */
size_t lg_secrets_match(const struct lg_secrets *sec, const char *s, size_t len);

/* Whether a header called name carries a credential by its name alone: its name
 * contains auth, cookie, key, token, secret, session, password or credential,
 * ignoring case (Authorization, Proxy-Authorization, Cookie, X-Api-Key,
 * X-Auth-Token, ...). Such headers, and those whose value reads env.*, never
 * follow a redirect to another origin. */
bool lg_secrets_header_name(const char *name);

/* Frees the values; accepts NULL. */
void lg_secrets_free(struct lg_secrets *sec);

#endif
