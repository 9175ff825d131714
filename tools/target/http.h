/* http: the target's libmicrohttpd server. It reads requests (bodies up to 1 MiB),
 * applies the injected faults, answers CORS preflights itself and hands the rest to
 * api, then adds the security, CORS and request-id headers to every response. */
#ifndef LG_HTTP_H
#define LG_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "faults.h"

#define LG_HTTP_MAX_ORIGINS 16

struct lg_http_config {
    uint16_t port;    /* 0: any free port */
    unsigned threads; /* worker threads (MHD thread pool), >= 1 */
    uint64_t seed;    /* for the fault draws */
    struct lg_faults faults;
    const char *cors_origins[LG_HTTP_MAX_ORIGINS]; /* allowed origins (not owned) */
    size_t n_cors_origins;
    const char *cert_pem, *key_pem; /* PEM text (not owned; kept while running); HTTPS if set */
};

struct lg_http;

/* Starts serving api on 127.0.0.1; writes the server and the bound port. Returns 0
 * or LG_EIO (message on stderr). cfg is copied; api must outlive the server. */
int lg_http_start(const struct lg_http_config *cfg, struct lg_api *api, struct lg_http **out,
                  uint16_t *port);
/* Stops serving (held connections are answered first) and frees; accepts NULL. */
void lg_http_stop(struct lg_http *h);

#endif
