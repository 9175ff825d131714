/* plan: what every request of a run can share, decided once before the workers
 * start and read-only after (struct lg_plan). */
#ifndef LG_PLAN_H
#define LG_PLAN_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct lg_header_list;
struct lg_run_opts;

/* Read-only for the whole run, shared by every worker. */
struct lg_plan {
    const struct lg_suite *suite;
    const struct lg_environment *env; /* may be NULL */
    const char *base_url;             /* without trailing '/'; may be NULL */
    const char *ca_file;              /* may be NULL */
    bool insecure;
    enum lg_http_version http;            /* LG_HTTP_1_1 or LG_HTTP_2 */
    bool multiplex;                       /* HTTP/2 transfers share connections */
    double *scenario_cdf;                 /* cumulative weights, n_scenarios entries, last = 1 */
    size_t max_slots;                     /* largest scenario scope */
    struct lg_header_list *const_headers; /* by step id: prebuilt when every header
                                             is constant, else empty (head NULL) */
    CURLU **const_url;                    /* by step id: pre-parsed when the whole URL
                                             (base, path, query) is constant, else NULL */
    bool *keep_body;                      /* by step id: some check or capture reads the
                                             response body (else it is only counted) */
    uint64_t *max_body;                   /* by step id: the body limit in bytes (the
                                             step's, the environment's or the default) */
    bool proxy_from_env;                  /* a *_proxy variable is set: let libcurl
                                             read the environment per request */
    long recv_buffer;                     /* CURLOPT_BUFFERSIZE of every VU's handle */
    const char *accept_encoding;          /* what the requests ask for (static; NULL:
                                             compression is off), lg_accept_encodings */
};

/* Decides once what every request of the run can share (see struct lg_plan). */
void lg_plan_init(struct lg_plan *p, const struct lg_run_opts *o);
/* The receive buffer (CURLOPT_BUFFERSIZE) of each VU's handle in a run of `vus`
 * virtual users: 16 KiB up to 512 VUs, halved as they double, 1 KiB from 4,097. */
long lg_recv_buffer_size(uint32_t vus);
void lg_plan_free(struct lg_plan *p);
/* The content encodings this libcurl decodes, as an Accept-Encoding value:
 * "deflate, gzip, br, zstd" with Debian's. Static string. */
const char *lg_accept_encodings(void);

#endif
