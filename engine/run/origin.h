/* origin: keeps what belongs to a request's first origin (scheme, host, port) from
 * following a redirect to another: its header lines that carry secrets, and the
 * virtual user's cookie jar. libcurl follows the redirects; before each hop goes
 * out the VU asks the guard, which swaps the header list and detaches the jar
 * for a hop to another origin and puts both back for a hop to the first. */
#ifndef LG_ORIGIN_H
#define LG_ORIGIN_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

struct lg_origin_guard {
    CURLSH *jar;              /* the cookie jar: a share handle, so that detaching it
                                 from the easy handle keeps its cookies; owned */
    CURLU *scratch;           /* parses the hops' URLs; owned, made on first use */
    struct curl_slist *nodes; /* the header list without its secret lines */
    size_t cap;
    bool away;    /* the hop going out is to another origin: the jar is detached */
    bool foreign; /* the request's own URL was another origin (lg_origin_guard_foreign):
                     no hop gets the stripped lines or the jar back */
};

/* Gives easy its cookie jar (an in-memory jar in a share handle of its own).
 * Returns 0, or LG_ECURL when libcurl refuses the share handle. */
int lg_origin_guard_init(struct lg_origin_guard *g, CURL *easy);

/* Before a hop that a redirect led to (CURLOPT_PREREQFUNCTION, with the hop's URL
 * in CURLINFO_EFFECTIVE_URL): compares its origin with the request's first URL
 * (first_cu when the plan holds it parsed, else the text first_url). To another
 * origin (or a URL that cannot be parsed), easy gets the n header lines at nodes
 * without those flagged in same_origin_only, and no cookie jar: no cookie is sent
 * and none it sets is kept. To the first origin, it gets back the whole list
 * (nodes, NULL when n is 0) and its jar. Allocates only here, never for a request
 * that is not redirected. */
void lg_origin_guard_hop(struct lg_origin_guard *g, CURL *easy, CURLU *first_cu,
                         const char *first_url, struct curl_slist *nodes,
                         const bool *same_origin_only, size_t n);

/* Before a request whose URL names an origin a template chose (a captured link):
 * when url's origin is not that of ref_url (the base URL; none when NULL, or when
 * either cannot be parsed), easy gets the n header lines without those flagged in
 * same_origin_only and no cookie jar, as for a hop to another origin, and the
 * redirects that follow never get them back. Returns whether it stripped them. */
bool lg_origin_guard_foreign(struct lg_origin_guard *g, CURL *easy, const char *url,
                             const char *ref_url, struct curl_slist *nodes,
                             const bool *same_origin_only, size_t n);

/* Ends the request: gives easy its jar back if a hop had detached it (before the
 * response's cookies are read, and before the next request starts: libcurl would
 * make a new, empty jar for a handle without one). */
void lg_origin_guard_end(struct lg_origin_guard *g, CURL *easy);

/* Frees the guard; call it after curl_easy_cleanup of the handle. Accepts a
 * zeroed guard. */
void lg_origin_guard_free(struct lg_origin_guard *g);

#endif
