/* origin: the origin comparison runs only for a hop after a redirect, with
 * libcurl's own URL parser (the one that decides where the hop connects), so a
 * request that is not redirected pays nothing. */
#include "origin.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

int lg_origin_guard_init(struct lg_origin_guard *g, CURL *easy)
{
    memset(g, 0, sizeof(*g));
    g->jar = curl_share_init();
    if (!g->jar || curl_share_setopt(g->jar, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) ||
        curl_easy_setopt(easy, CURLOPT_SHARE, g->jar))
        return LG_ECURL;
    /* Turns the cookie engine on; with the share set it uses the share's jar. */
    curl_easy_setopt(easy, CURLOPT_COOKIEFILE, "");
    return LG_OK;
}

struct origin {
    char *scheme, *host, *port;
};

static void origin_free(struct origin *o)
{
    curl_free(o->scheme);
    curl_free(o->host);
    curl_free(o->port);
}

static bool origin_get(CURLU *u, struct origin *o)
{
    memset(o, 0, sizeof(*o));
    return !curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) &&
           !curl_url_get(u, CURLUPART_HOST, &o->host, 0) &&
           !curl_url_get(u, CURLUPART_PORT, &o->port, CURLU_DEFAULT_PORT);
}

static bool origin_of_text(CURLU *scratch, const char *url, struct origin *o)
{
    memset(o, 0, sizeof(*o));
    return url && !curl_url_set(scratch, CURLUPART_URL, url, 0) && origin_get(scratch, o);
}

/* Schemes and hosts ignore case; ports compare as libcurl writes them (digits,
 * the scheme's default filled in). */
static bool same_origin(CURLU *scratch, CURLU *first_cu, const char *first_url, const char *url)
{
    struct origin a, b;
    bool ok = (first_cu ? origin_get(first_cu, &a) : origin_of_text(scratch, first_url, &a)) &&
              origin_of_text(scratch, url, &b) && !strcasecmp(a.scheme, b.scheme) &&
              !strcasecmp(a.host, b.host) && !strcmp(a.port, b.port);
    origin_free(&a);
    origin_free(&b);
    return ok;
}

static void strip(struct lg_origin_guard *g, CURL *easy, struct curl_slist *nodes,
                  const bool *same_origin_only, size_t n);

void lg_origin_guard_hop(struct lg_origin_guard *g, CURL *easy, CURLU *first_cu,
                         const char *first_url, struct curl_slist *nodes,
                         const bool *same_origin_only, size_t n)
{
    const char *url = NULL;
    if (!g->scratch)
        g->scratch = curl_url();
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url);
    if (g->foreign)
        return; /* stripped from the start, for every hop */
    bool away = !g->scratch || !same_origin(g->scratch, first_cu, first_url, url);
    if (!away) {
        if (g->away) {
            curl_easy_setopt(easy, CURLOPT_HTTPHEADER, n ? nodes : NULL);
            curl_easy_setopt(easy, CURLOPT_SHARE, g->jar);
            g->away = false;
        }
        return;
    }
    if (g->away)
        return; /* already stripped by an earlier hop */
    strip(g, easy, nodes, same_origin_only, n);
}

static void strip(struct lg_origin_guard *g, CURL *easy, struct curl_slist *nodes,
                  const bool *same_origin_only, size_t n)
{
    if (n > g->cap) {
        g->cap = n;
        g->nodes = lg_realloc(g->nodes, n * sizeof(*g->nodes));
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (same_origin_only[i])
            continue;
        g->nodes[k] = (struct curl_slist){.data = nodes[i].data};
        if (k)
            g->nodes[k - 1].next = &g->nodes[k];
        k++;
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, k ? g->nodes : NULL);
    /* Detached, the jar keeps its cookies; libcurl then neither sends nor stores
     * any for this hop (lib/setopt.c, CURLOPT_SHARE). */
    curl_easy_setopt(easy, CURLOPT_SHARE, NULL);
    g->away = true;
}

bool lg_origin_guard_foreign(struct lg_origin_guard *g, CURL *easy, const char *url,
                             const char *ref_url, struct curl_slist *nodes,
                             const bool *same_origin_only, size_t n)
{
    if (!g->scratch)
        g->scratch = curl_url();
    if (ref_url && g->scratch && same_origin(g->scratch, NULL, ref_url, url))
        return false;
    strip(g, easy, nodes, same_origin_only, n);
    g->foreign = true;
    return true;
}

void lg_origin_guard_end(struct lg_origin_guard *g, CURL *easy)
{
    g->foreign = false;
    if (!g->away)
        return;
    curl_easy_setopt(easy, CURLOPT_SHARE, g->jar);
    g->away = false;
}

void lg_origin_guard_free(struct lg_origin_guard *g)
{
    if (!g)
        return;
    curl_share_cleanup(g->jar);
    curl_url_cleanup(g->scratch);
    free(g->nodes);
    memset(g, 0, sizeof(*g));
}
