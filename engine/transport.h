/* transport: drives libcurl's multi_socket API from a libev loop (one per worker):
 * curl tells us which sockets to watch and when to time out; libev tells curl when
 * a socket is ready. No polling loop, no threads. */
#ifndef LG_TRANSPORT_H
#define LG_TRANSPORT_H

#include <curl/curl.h>
#include <ev.h>

struct lg_transport;

/* Called once per finished transfer, after the handle has left the multi handle,
 * with the handle's CURLOPT_PRIVATE pointer and libcurl's result. The callback may
 * start new transfers. */
typedef void (*lg_transfer_done_fn)(void *priv, CURL *easy, CURLcode result, void *ud);

/* Creates a transport on loop. done(…, ud) is called for every finished transfer.
 * Returns 0 and *out, or LG_ECURL. Free with lg_transport_free. */
int lg_transport_init(struct ev_loop *loop, lg_transfer_done_fn done, void *ud,
                      struct lg_transport **out);
/* Removes every transfer still running (no callbacks) and frees. Accepts NULL. */
void lg_transport_free(struct lg_transport *t);

/* Starts a transfer whose options are set; CURLOPT_PRIVATE must hold priv. Returns 0
 * or LG_ECURL. */
int lg_transport_start(struct lg_transport *t, CURL *easy);
/* Abandons a running transfer (no callback). */
void lg_transport_cancel(struct lg_transport *t, CURL *easy);
/* Number of transfers running. */
int lg_transport_running(const struct lg_transport *t);

#endif
