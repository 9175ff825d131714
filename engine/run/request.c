/* request: renders what a step sends, from its compiled templates: the full URL
 * (base URL, path, query) and the header list in the shape libcurl reads. The
 * plan renders constant ones once; a VU renders the others per request, reusing
 * its buffers. */
#include "request.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tmpl.h"
#include "url.h"

/* Whether one of the n headers is called name (header names ignore case). */
static bool names_header(const struct lg_header_tmpl *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(h[i].name, name))
            return true;
    return false;
}

void lg_header_list_free(struct lg_header_list *l)
{
    lg_buf_free(&l->text);
    free(l->starts);
    free(l->nodes);
    free(l->same_origin_only);
    memset(l, 0, sizeof(*l));
}

/* Starts a new line in l->text (the previous one is NUL-terminated already). */
static void header_line_begin(struct lg_header_list *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->starts = lg_realloc(l->starts, l->cap * sizeof(*l->starts));
        l->nodes = lg_realloc(l->nodes, l->cap * sizeof(*l->nodes));
        l->same_origin_only =
            lg_realloc(l->same_origin_only, l->cap * sizeof(*l->same_origin_only));
    }
    l->same_origin_only[l->n] = false;
    l->starts[l->n++] = l->text.len;
}

static void header_line_end(struct lg_header_list *l)
{
    lg_buf_putc(&l->text, '\0');
}

static void header_line(struct lg_header_list *l, const char *line)
{
    header_line_begin(l);
    lg_buf_puts(&l->text, line);
    header_line_end(l);
}

/* A rendered value with CR or LF would end its header line and start another
 * (header injection); one with a NUL would be cut short where libcurl reads it. */
static bool header_value_safe(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == '\r' || v[i] == '\n' || v[i] == '\0')
            return false;
    return true;
}

/* Renders "Name: value" lines for the environment's and the step's headers, plus
 * loadgate's User-Agent and Accept-Encoding unless either sets one, and the
 * content type of JSON and form bodies. Used per request only when some header is not constant;
 * otherwise the plan holds the list prebuilt. The nodes point into the text only once it is
 * complete, as appending may move it. */
int lg_request_render_headers(const struct lg_step *st, const struct lg_environment *env,
                              const char *accept_encoding, const struct lg_tmpl_ctx *ctx,
                              struct lg_header_list *out, int *unset)
{
    out->n = 0;
    lg_buf_reset(&out->text);
    const struct lg_header_tmpl *own = st->req.headers, *env_h = env ? env->headers : NULL;
    size_t n_own = st->req.n_headers, n_env = env ? env->n_headers : 0;
    for (size_t i = 0; i < n_env + n_own; i++) {
        const struct lg_header_tmpl *h = i < n_env ? &env_h[i] : &own[i - n_env];
        if (i < n_env && names_header(own, n_own, h->name))
            continue; /* the step's own header wins */
        header_line_begin(out);
        lg_buf_puts(&out->text, h->name);
        lg_buf_puts(&out->text, ": ");
        size_t value_at = out->text.len;
        int rc = lg_tmpl_render(h->value, ctx, &out->text, unset);
        if (!rc && !header_value_safe(out->text.data + value_at, out->text.len - value_at))
            rc = LG_EUNSAFE;
        if (rc) {
            out->n = 0;
            return rc;
        }
        out->same_origin_only[out->n - 1] = h->same_origin_only;
        header_line_end(out);
    }
    if (!names_header(own, n_own, "user-agent") && !names_header(env_h, n_env, "user-agent"))
        header_line(out, "User-Agent: " LG_USER_AGENT);
    if (accept_encoding && !names_header(own, n_own, "accept-encoding") &&
        !names_header(env_h, n_env, "accept-encoding")) {
        header_line_begin(out);
        lg_buf_puts(&out->text, "Accept-Encoding: ");
        lg_buf_puts(&out->text, accept_encoding);
        header_line_end(out);
    }
    if (st->req.body_kind == LG_BODY_JSON && !names_header(own, n_own, "content-type"))
        header_line(out, "Content-Type: application/json");
    if (st->req.body_kind == LG_BODY_FORM && !names_header(own, n_own, "content-type"))
        header_line(out, "Content-Type: application/x-www-form-urlencoded");
    header_line(out, "Expect:"); /* no 100-continue round trip */
    for (size_t i = 0; i < out->n; i++) {
        out->nodes[i].data = out->text.data + out->starts[i];
        out->nodes[i].next = i + 1 < out->n ? &out->nodes[i + 1] : NULL;
    }
    return LG_OK;
}

int lg_request_render_url(const struct lg_step *st, const char *base_url,
                          const struct lg_tmpl_ctx *ctx, struct lg_buf *out, int *unset)
{
    const struct lg_request *rq = &st->req;
    lg_buf_reset(out);
    if (lg_tmpl_render(rq->url, ctx, out, unset))
        return LG_EUNSET;
    /* Rendered first, the URL may turn out absolute (it may come whole from a
     * variable); otherwise the base URL goes in front, without allocating. A
     * scheme other than http and https is refused, never taken for a path; so is
     * a path with no base URL, which libcurl would guess a scheme and host for. */
    enum lg_url_kind kind = lg_url_kind(out->data ? out->data : "", out->len, NULL);
    if (kind == LG_URL_OTHER || (kind == LG_URL_RELATIVE && !base_url))
        return LG_EUNSAFE;
    if (kind == LG_URL_RELATIVE) {
        size_t path_len = out->len;
        bool slash = path_len > 0 && out->data[0] == '/';
        size_t base_len = strlen(base_url), pre = base_len + (slash ? 0 : 1);
        lg_buf_append(out, base_url, pre > base_len ? base_len : pre); /* grow by pre */
        if (pre > base_len)
            lg_buf_putc(out, '/');
        memmove(out->data + pre, out->data, path_len);
        memcpy(out->data, base_url, base_len);
        if (!slash)
            out->data[base_len] = '/';
        out->data[out->len] = '\0';
    }
    bool has_query = memchr(out->data, '?', out->len) != NULL;
    for (size_t i = 0; i < rq->n_query; i++) {
        lg_buf_putc(out, (i == 0 && !has_query) ? '?' : '&');
        lg_buf_puts(out, rq->query[i].name);
        lg_buf_putc(out, '=');
        int rc = lg_tmpl_render(rq->query[i].value, ctx, out, unset);
        if (rc)
            return rc;
    }
    /* A rendered value may hold what no URL may: libcurl would refuse controls
     * and spaces only once the request is under way, and stop at a NUL. */
    for (size_t i = 0; i < out->len; i++)
        if ((unsigned char)out->data[i] <= ' ' || out->data[i] == 0x7f)
            return LG_EUNSAFE;
    return LG_OK;
}
