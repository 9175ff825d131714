/* request: a step's URL and header list rendered for libcurl (the base URL joined,
 * the query appended, loadgate's own headers added), refusing what cannot go on
 * the wire as it is. */
#ifndef LG_REQUEST_H
#define LG_REQUEST_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "util.h"

struct lg_tmpl_ctx;

/* What every request says it is, unless the environment or the step sets its own. */
#define LG_USER_AGENT "loadgate/" LG_VERSION

/* A rendered header list in the shape libcurl reads (CURLOPT_HTTPHEADER): the lines
 * in one buffer, the list nodes in one array, both kept and reused from request to
 * request, so rendering allocates nothing once they have grown. */
struct lg_header_list {
    struct lg_buf text;       /* the lines, each ending in a NUL */
    size_t *starts;           /* each line's offset in text */
    struct curl_slist *nodes; /* nodes[i].data = text.data + starts[i] */
    bool *same_origin_only;   /* line i carries a secret (lg_header_tmpl) */
    size_t n, cap;
};
/* The list to hand libcurl, or NULL when the last render failed or none was made. */
static inline struct curl_slist *lg_header_list_head(struct lg_header_list *l)
{
    return l->n ? l->nodes : NULL;
}
/* Frees the list's memory and zeroes it (ready to render into again). */
void lg_header_list_free(struct lg_header_list *l);

/* Renders a step's header list into *out, replacing what it held: "Name: value" for
 * the environment's headers, then the step's, which win over the environment's of
 * the same name; loadgate's User-Agent and, when accept_encoding is not NULL,
 * "Accept-Encoding: <accept_encoding>", each unless those headers set their own;
 * the content type of JSON and form bodies; an empty Expect:. Returns 0; LG_EUNSET
 * with *unset naming the slot; or LG_EUNSAFE when a rendered value holds CR, LF or
 * NUL (it would inject a header line or be cut short). On an error *out is
 * unusable until rendered again. */
int lg_request_render_headers(const struct lg_step *st, const struct lg_environment *env,
                              const char *accept_encoding, const struct lg_tmpl_ctx *ctx,
                              struct lg_header_list *out, int *unset);

/* Renders a step's full URL (base URL joined with a relative URL, then the query)
 * into out (reset first). Returns 0; LG_EUNSET with *unset naming the slot; or
 * LG_EUNSAFE when the URL cannot be requested: it names a scheme other than http
 * or https, it is a path and base_url is NULL, or it holds a control character or
 * a space. */
int lg_request_render_url(const struct lg_step *st, const char *base_url,
                          const struct lg_tmpl_ctx *ctx, struct lg_buf *out, int *unset);

#endif
