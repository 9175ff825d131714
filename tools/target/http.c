/* http: libmicrohttpd glue. A thread pool on epoll; delayed answers suspend their
 * connection and the delay thread resumes it, so a stall holds no thread. */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "delay.h"
#include "util.h"

#define MAX_BODY (1u << 20)

struct lg_http {
    struct lg_http_config cfg;
    struct lg_api *api;
    struct MHD_Daemon *daemon;
    struct lg_delay delay;
    pthread_mutex_t rng_lock;
    struct lg_rng rng; /* fault draws, under rng_lock */
    atomic_ullong request_seq;
    atomic_int stopping;
};

/* Per-request state, from the access handler's first call to request_completed_cb. */
struct request {
    struct lg_buf body;
    int too_large;
    int delayed; /* the injected delay is over (or there was none) */
};

static const char *const security_headers[][2] = {
    {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "strict-origin-when-cross-origin"},
    {"Content-Security-Policy", "default-src 'none'"},
};

static int origin_allowed(const struct lg_http *h, const char *origin)
{
    if (!origin || h->cfg.faults.cors_broken)
        return 0;
    for (size_t i = 0; i < h->cfg.n_cors_origins; i++)
        if (strcmp(h->cfg.cors_origins[i], origin) == 0)
            return 1;
    return 0;
}

/* Adds the headers every response carries. */
static void add_common_headers(struct lg_http *h, struct MHD_Connection *c, struct MHD_Response *r)
{
    for (size_t i = 0; i < sizeof(security_headers) / sizeof(*security_headers); i++)
        if (!lg_fault_header_missing(&h->cfg.faults, security_headers[i][0]))
            MHD_add_response_header(r, security_headers[i][0], security_headers[i][1]);
    if (!lg_fault_header_missing(&h->cfg.faults, "X-Request-Id")) {
        char id[32];
        snprintf(id, sizeof(id), "r-%llu", (unsigned long long)++h->request_seq);
        MHD_add_response_header(r, "X-Request-Id", id);
    }
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (origin_allowed(h, origin)) {
        MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
        MHD_add_response_header(r, "Vary", "Origin");
    }
}

static enum MHD_Result send_reply(struct lg_http *h, struct MHD_Connection *c, unsigned status,
                                  json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(text ? strlen(text) : 0, text ? text : (char *)"",
                                        text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (text)
        MHD_add_response_header(r, "Content-Type", "application/json");
    add_common_headers(h, c, r);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result preflight(struct lg_http *h, struct MHD_Connection *c)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
    add_common_headers(h, c, r);
    if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Method")) {
        MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        MHD_add_response_header(r, "Access-Control-Allow-Headers", "Authorization, Content-Type");
        MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    } else {
        MHD_add_response_header(r, "Allow", "GET, POST, OPTIONS");
    }
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    return ret;
}

/* MHD_OPTION_EXTERNAL_LOGGER: libmicrohttpd's messages on stderr, except the one
 * it prints for every injected reset (the handler's MHD_NO). */
static void log_cb(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (strstr(msg, "Application reported internal error"))
        return;
    fprintf(stderr, "loadgate-target: %s", msg);
}

/* MHD_OPTION_NOTIFY_COMPLETED: frees the request state. */
static void request_completed_cb(void *cls, struct MHD_Connection *c, void **req_cls,
                                 enum MHD_RequestTerminationCode toe)
{
    struct request *rq = *req_cls;
    if (!rq)
        return;
    lg_buf_free(&rq->body);
    free(rq);
    *req_cls = NULL;
}

/* The access handler (MHD_start_daemon's MHD_AccessHandlerCallback). */
static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
    struct lg_http *h = cls;
    struct request *rq = *req_cls;
    if (!rq) {
        *req_cls = lg_calloc(1, sizeof(*rq));
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (rq->body.len + *upload_data_size > MAX_BODY)
            rq->too_large = 1;
        else
            lg_buf_append(&rq->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }

    if (!rq->delayed) {
        rq->delayed = 1;
        pthread_mutex_lock(&h->rng_lock);
        int reset =
            h->cfg.faults.reset_share > 0 && lg_rng_double(&h->rng) < h->cfg.faults.reset_share;
        int64_t delay_us = lg_fault_delay_us(&h->cfg.faults, url, &h->rng);
        pthread_mutex_unlock(&h->rng_lock);
        if (reset)
            return MHD_NO; /* libmicrohttpd closes the connection without an answer */
        if (delay_us > 0 && !h->stopping) {
            MHD_suspend_connection(c);
            lg_delay_add(&h->delay, c, lg_now_us() + delay_us);
            return MHD_YES; /* called again once resumed */
        }
    }

    if (h->cfg.faults.error_share > 0) {
        pthread_mutex_lock(&h->rng_lock);
        int fail = lg_rng_double(&h->rng) < h->cfg.faults.error_share;
        pthread_mutex_unlock(&h->rng_lock);
        if (fail) {
            json_t *body = json_pack("{s:s}", "error", "injected failure");
            enum MHD_Result ret = send_reply(h, c, 500, body);
            json_decref(body);
            return ret;
        }
    }
    if (strcmp(method, "OPTIONS") == 0)
        return preflight(h, c);
    if (rq->too_large) {
        json_t *body = json_pack("{s:s}", "error", "body too large");
        enum MHD_Result ret = send_reply(h, c, 413, body);
        json_decref(body);
        return ret;
    }

    struct lg_api_request req = {
        .method = method,
        .path = url,
        .body = rq->body.data,
        .body_len = rq->body.len,
        .authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
        .season = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "season"),
        .category = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "category"),
        .limit = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit"),
        .offset = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "offset"),
    };
    struct lg_api_reply rep;
    lg_api_handle(h->api, &req, &rep);
    enum MHD_Result ret = send_reply(h, c, rep.status, rep.body);
    json_decref(rep.body);
    return ret;
}

int lg_http_start(const struct lg_http_config *cfg, struct lg_api *api, struct lg_http **out,
                  uint16_t *port)
{
    struct lg_http *h = lg_calloc(1, sizeof(*h));
    h->cfg = *cfg;
    h->api = api;
    pthread_mutex_init(&h->rng_lock, NULL);
    lg_rng_seed(&h->rng, cfg->seed ^ 0x9e3779b97f4a7c15ull);
    if (lg_delay_start(&h->delay) != 0) {
        fprintf(stderr, "loadgate-target: cannot start the delay thread\n");
        goto fail;
    }

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    if (cfg->cert_pem)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)log_cb, NULL}, /* first, so it sees everything */
        {MHD_OPTION_SOCK_ADDR, 0, &addr},
        {MHD_OPTION_THREAD_POOL_SIZE, cfg->threads ? cfg->threads : 1, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, 20000, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed_cb, NULL},
        {cfg->cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)cfg->cert_pem},
        {cfg->cert_pem ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)cfg->key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    h->daemon = MHD_start_daemon(flags, cfg->port, NULL, NULL, access_cb, h, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    if (!h->daemon) {
        fprintf(stderr, "loadgate-target: cannot listen on 127.0.0.1:%u%s\n", cfg->port,
                cfg->cert_pem ? " (or the certificate and key were refused)" : "");
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : cfg->port;
    *out = h;
    return 0;
fail:
    lg_delay_stop(&h->delay);
    lg_delay_free(&h->delay);
    pthread_mutex_destroy(&h->rng_lock);
    free(h);
    return LG_EIO;
}

void lg_http_stop(struct lg_http *h)
{
    if (!h)
        return;
    h->stopping = 1;
    lg_delay_stop(&h->delay); /* answers whatever is held, so no connection stays suspended */
    MHD_stop_daemon(h->daemon);
    lg_delay_free(&h->delay);
    pthread_mutex_destroy(&h->rng_lock);
    free(h);
}
