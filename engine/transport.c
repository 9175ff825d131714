/* transport: the libev <-> libcurl multi_socket glue, after the pattern of curl's
 * evhiperfifo example: per-socket state rides on curl_multi_assign and is freed
 * only on CURL_POLL_REMOVE; finished transfers are reaped in one place. Transfers
 * are spread over several multi handles (shards) that share the one loop. */
#include "transport.h"

#include <stdlib.h>

#include "util.h"

struct shard {
    struct lg_transport *t;
    CURLM *multi;
    ev_timer timer; /* the one timeout libcurl asks this multi handle for */
};

struct lg_transport {
    struct ev_loop *loop;
    struct shard *shards;
    unsigned n_shards;
    lg_transfer_done_fn done;
    void *ud;
};

struct sock {
    ev_io io;
    curl_socket_t fd;
    struct shard *sh;
};

static void reap(struct shard *sh)
{
    struct lg_transport *t = sh->t;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(sh->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode rc = msg->data.result;
        void *priv = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&priv);
        curl_multi_remove_handle(sh->multi, easy);
        t->done(priv, easy, rc, t->ud);
    }
}

/* libev: a socket is ready. */
static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct sock *s = w->data;
    int action =
        ((revents & EV_READ) ? CURL_CSELECT_IN : 0) | ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int still;
    struct shard *sh = s->sh; /* s may be freed inside socket_action */
    curl_multi_socket_action(sh->multi, s->fd, action, &still);
    reap(sh);
}

/* libev: libcurl's timeout expired. */
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct shard *sh = w->data;
    int still;
    curl_multi_socket_action(sh->multi, CURL_SOCKET_TIMEOUT, 0, &still);
    reap(sh);
}

/* CURLMOPT_TIMERFUNCTION: only re-arms the shard's timer; never calls libcurl. */
static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct shard *sh = userp;
    struct ev_loop *loop = sh->t->loop;
    ev_timer_stop(loop, &sh->timer);
    if (timeout_ms >= 0) {
        ev_timer_set(&sh->timer, (double)timeout_ms / 1000.0, 0.);
        ev_timer_start(loop, &sh->timer);
    }
    return 0;
}

/* CURLMOPT_SOCKETFUNCTION: watch, re-watch or forget a socket. */
static int multi_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
    struct shard *sh = userp;
    struct ev_loop *loop = sh->t->loop;
    struct sock *s = sockp;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            ev_io_stop(loop, &s->io);
            curl_multi_assign(sh->multi, fd, NULL);
            free(s);
        }
        return 0;
    }
    int events = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    if (!s) {
        s = lg_calloc(1, sizeof(*s));
        s->fd = fd;
        s->sh = sh;
        ev_io_init(&s->io, io_cb, fd, events);
        s->io.data = s;
        curl_multi_assign(sh->multi, fd, s);
    } else {
        ev_io_stop(loop, &s->io); /* never change an active watcher */
        ev_io_set(&s->io, fd, events);
    }
    ev_io_start(loop, &s->io);
    return 0;
}

int lg_transport_init(struct ev_loop *loop, unsigned max_transfers, lg_transfer_done_fn done,
                      void *ud, struct lg_transport **out)
{
    struct lg_transport *t = lg_calloc(1, sizeof(*t));
    t->loop = loop;
    t->done = done;
    t->ud = ud;
    t->n_shards = (max_transfers + LG_TRANSFERS_PER_SHARD - 1) / LG_TRANSFERS_PER_SHARD;
    if (t->n_shards == 0)
        t->n_shards = 1;
    t->shards = lg_calloc(t->n_shards, sizeof(*t->shards));
    unsigned per_shard = (max_transfers + t->n_shards - 1) / t->n_shards;
    for (unsigned i = 0; i < t->n_shards; i++) {
        struct shard *sh = &t->shards[i];
        sh->t = t;
        sh->multi = curl_multi_init();
        if (!sh->multi) {
            lg_transport_free(t);
            return LG_ECURL;
        }
        ev_timer_init(&sh->timer, timer_cb, 0., 0.);
        sh->timer.data = sh;
        curl_multi_setopt(sh->multi, CURLMOPT_SOCKETFUNCTION, multi_socket_cb);
        curl_multi_setopt(sh->multi, CURLMOPT_SOCKETDATA, sh);
        curl_multi_setopt(sh->multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
        curl_multi_setopt(sh->multi, CURLMOPT_TIMERDATA, sh);
        /* The cache is sized from the handles attached at the moment, which drops as
         * transfers complete: without a fixed size it closes idle keep-alive
         * connections that their VU is about to reuse. Room for every caller of
         * the shard, twice (a redirect to another host keeps a second one). */
        curl_multi_setopt(sh->multi, CURLMOPT_MAXCONNECTS, (long)(per_shard * 2 + 4));
    }
    *out = t;
    return LG_OK;
}

void lg_transport_free(struct lg_transport *t)
{
    if (!t)
        return;
    /* Transfers must have been cancelled by their owners. Cleanup closes every
     * cached connection, which reaches multi_socket_cb with CURL_POLL_REMOVE. */
    for (unsigned i = 0; i < t->n_shards; i++) {
        if (t->shards[i].multi)
            curl_multi_cleanup(t->shards[i].multi);
        ev_timer_stop(t->loop, &t->shards[i].timer);
    }
    free(t->shards);
    free(t);
}

int lg_transport_start(struct lg_transport *t, CURL *easy, unsigned slot)
{
    if (curl_multi_add_handle(t->shards[slot % t->n_shards].multi, easy) != CURLM_OK)
        return LG_ECURL;
    return LG_OK;
}

void lg_transport_cancel(struct lg_transport *t, CURL *easy, unsigned slot)
{
    curl_multi_remove_handle(t->shards[slot % t->n_shards].multi, easy);
}
