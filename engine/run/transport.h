/* transport: drives libcurl's multi_socket API from a libev loop (one per worker):
 * curl tells us which sockets to watch and when to time out; libev tells curl when
 * a socket is ready. No polling loop, no threads. */
#ifndef LG_TRANSPORT_H
#define LG_TRANSPORT_H

#include <curl/curl.h>
#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

struct lg_transport;

/* Called once per finished transfer, after the handle has left the multi handle,
 * with the handle's CURLOPT_PRIVATE pointer and libcurl's result: from the loop (a
 * transfer that a ready socket finished after LG_READ_AHEAD responses have been
 * read, or just before the loop polls again), or from lg_transport_flush. The
 * callback may start new transfers. */
typedef void (*lg_transfer_done_fn)(void *priv, CURL *easy, CURLcode result, void *ud);

/* Transfers per multi handle. libcurl's multi handle does per-transfer work that
 * grows with the number of transfers it holds, and each handle has a fixed memory
 * cost, so a transport keeps several multi handles ("shards") on its one loop. The
 * size and its figures: docs/benchmarks.md. */
#define LG_TRANSFERS_PER_SHARD 100

/* Responses read before their transfers are reported (and the requests that the
 * reports start are sent): the rest of a loop pass's ready sockets wait for the
 * next chunk; what is left when the pass ends is reported before the loop polls
 * again. Why, and the figures: docs/benchmarks.md. */
#define LG_READ_AHEAD 8

/* Creates a transport on loop for up to max_transfers concurrent transfers (the
 * number of shards follows from it). done(…, ud) is called for every finished
 * transfer. Returns 0 and *out, or LG_ECURL. Free with lg_transport_free. */
int lg_transport_init(struct ev_loop *loop, unsigned max_transfers, lg_transfer_done_fn done,
                      void *ud, struct lg_transport **out);
/* Lets HTTP/2 transfers of one shard share a connection (CURLMOPT_PIPELINING
 * CURLPIPE_MULTIPLEX) or not (CURLPIPE_NOTHING, the default that lg_transport_init
 * sets: each transfer has a connection to itself while it runs). Each shard keeps
 * its own connection cache, so multiplexed transfers share connections only
 * within their shard. Call before the first transfer starts. */
void lg_transport_set_multiplex(struct lg_transport *t, bool multiplex);
/* The connections opened so far (sockets opened for them, whether or not they
 * connected). */
uint64_t lg_transport_connections(const struct lg_transport *t);
/* Removes every transfer still running (no callbacks) and frees. Accepts NULL. */
void lg_transport_free(struct lg_transport *t);

/* Lets the transport open and close the sockets of easy's connections (it needs
 * to know when a descriptor number starts to mean another socket). Call once per
 * easy handle, before its first transfer. */
void lg_transport_attach(struct lg_transport *t, CURL *easy);
/* Starts a transfer whose options are set; CURLOPT_PRIVATE must hold priv. `slot`
 * picks the shard (slot % shards): give each caller a fixed slot so that its
 * keep-alive connection stays in one shard's connection cache. Returns 0 or
 * LG_ECURL. */
int lg_transport_start(struct lg_transport *t, CURL *easy, unsigned slot);
/* Abandons a running transfer started with that slot (no callback). */
void lg_transport_cancel(struct lg_transport *t, CURL *easy, unsigned slot);
/* Reports the transfers that have finished but not been reported yet. The loop does
 * this itself before it polls; call it before abandoning transfers, so that none
 * that finished is lost. */
void lg_transport_flush(struct lg_transport *t);

#endif
