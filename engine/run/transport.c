/* transport: the libev <-> libcurl multi_socket glue, after curl's evhiperfifo:
 * per-socket state rides on curl_multi_assign, finished transfers are reaped in one
 * place. Transfers are spread over several multi handles (shards) on one loop. Why
 * responses are read ahead, requests sent in chunks and sockets kept registered:
 * docs/benchmarks.md, "Why the transport is built this way". */
#include "transport.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

struct shard {
    struct lg_transport *t;
    CURLM *multi;
    ev_timer timer; /* the one timeout libcurl asks this multi handle for */
    bool due;       /* libcurl asked for a zero timeout not yet run */
    bool on_due;    /* on the transport's due list */
    bool on_reap;   /* on the transport's reap list */
};

/* Shards to visit before the loop polls, each at most once (the shard's flag says
 * whether it is on the list). The list is taken whole: shards added while the
 * taken ones are visited wait for the next turn. */
struct shard_list {
    struct shard **items;
    struct shard **taken; /* swapped with items by shard_list_take */
    unsigned n;
};

struct sock {
    ev_io io;
    curl_socket_t fd;
    struct shard *sh; /* NULL while libcurl does not watch the socket */
    bool ours;        /* a socket opened by open_socket_cb and not closed since */
    bool fresh;       /* opened since the watcher last started */
};

struct lg_transport {
    struct ev_loop *loop;
    struct shard *shards;
    unsigned n_shards;
    lg_transfer_done_fn done;
    void *ud;
    ev_prepare kick;        /* reaps and runs the listed shards before the loop polls */
    struct shard_list due;  /* shards with a zero timeout */
    struct shard_list reap; /* shards whose sockets were ready: may hold finished transfers */
    unsigned n_read_ahead;  /* ready sockets read since the last flush */
    struct sock **socks;    /* by descriptor; kept and reused */
    size_t n_socks;
    uint64_t connections; /* sockets opened by open_socket_cb */
};

static void shard_list_init(struct shard_list *l, unsigned n_shards)
{
    l->items = lg_calloc(n_shards, sizeof(*l->items));
    l->taken = lg_calloc(n_shards, sizeof(*l->taken));
    l->n = 0;
}

static void shard_list_free(struct shard_list *l)
{
    free(l->items);
    free(l->taken);
}

static void shard_list_add(struct shard_list *l, struct shard *sh, bool *on)
{
    if (!*on) {
        *on = true;
        l->items[l->n++] = sh;
    }
}

/* Empties the list; returns what it held (valid until the next take). */
static struct shard **shard_list_take(struct shard_list *l, unsigned *n)
{
    struct shard **taken = l->items;
    *n = l->n;
    l->items = l->taken;
    l->taken = taken;
    l->n = 0;
    return taken;
}

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

static void flush_and_send(struct lg_transport *t);

/* libev: a socket is ready. libcurl stamps a transfer's end when it reads the
 * response, so up to LG_READ_AHEAD ready responses are read before their owners'
 * work (checks, metrics, the next request) runs and delays the reading of the rest. */
static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct sock *s = w->data;
    int action =
        ((revents & EV_READ) ? CURL_CSELECT_IN : 0) | ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int still;
    struct shard *sh = s->sh; /* socket_action may clear s->sh (CURL_POLL_REMOVE) */
    curl_multi_socket_action(sh->multi, s->fd, action, &still);
    struct lg_transport *t = sh->t;
    shard_list_add(&t->reap, sh, &sh->on_reap);
    if (++t->n_read_ahead == LG_READ_AHEAD)
        flush_and_send(t); /* else before the loop polls (kick_cb) */
}

static void run_timeouts(struct shard *sh)
{
    int still;
    sh->due = false;
    curl_multi_socket_action(sh->multi, CURL_SOCKET_TIMEOUT, 0, &still);
    reap(sh);
}

/* libev: libcurl's timeout expired. */
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    run_timeouts(w->data);
}

/* Reports the transfers that ready sockets finished, then runs the shards that asked
 * for a zero timeout: the transfers the owners started while they were told (or
 * since the loop last polled) send their requests now, one after the other, so that
 * a server on the same machine is woken once per chunk rather than per request. Shards
 * that become due while these run wait for the next turn; their zero-delay timer
 * (armed as well) keeps the loop from blocking before it. */
static void flush_and_send(struct lg_transport *t)
{
    lg_transport_flush(t);
    unsigned n;
    struct shard **run = shard_list_take(&t->due, &n);
    for (unsigned i = 0; i < n; i++) {
        run[i]->on_due = false;
        if (run[i]->due)
            run_timeouts(run[i]);
    }
}

/* libev, before it polls: libcurl's zero timeouts run here rather than from a
 * zero-delay timer, which would cost a poll of its own. */
static void kick_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    flush_and_send(w->data);
}

/* CURLMOPT_TIMERFUNCTION: only re-arms the shard's timer; never calls libcurl. */
static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct shard *sh = userp;
    struct lg_transport *t = sh->t;
    ev_timer_stop(t->loop, &sh->timer);
    if (timeout_ms == 0) {
        sh->due = true;
        shard_list_add(&t->due, sh, &sh->on_due);
    }
    if (timeout_ms >= 0) {
        ev_timer_set(&sh->timer, (double)timeout_ms / 1000.0, 0.);
        ev_timer_start(t->loop, &sh->timer);
    }
    return 0;
}

/* The kept state of descriptor fd, made on first use. */
static struct sock *sock_for(struct lg_transport *t, curl_socket_t fd)
{
    if ((size_t)fd >= t->n_socks) {
        size_t n = t->n_socks ? t->n_socks : 64;
        while (n <= (size_t)fd)
            n *= 2;
        t->socks = lg_realloc(t->socks, n * sizeof(*t->socks));
        memset(t->socks + t->n_socks, 0, (n - t->n_socks) * sizeof(*t->socks));
        t->n_socks = n;
    }
    struct sock *s = t->socks[fd];
    if (!s) {
        s = lg_calloc(1, sizeof(*s));
        s->fd = fd;
        ev_init(&s->io, io_cb);
        s->io.data = s;
        t->socks[fd] = s;
    }
    return s;
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
            s->sh = NULL;
            curl_multi_assign(sh->multi, fd, NULL);
        }
        return 0;
    }
    int events = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    if (!s) {
        s = sock_for(sh->t, fd);
        s->sh = sh;
        curl_multi_assign(sh->multi, fd, s);
    }
    ev_io_stop(loop, &s->io); /* never change an active watcher */
    if (s->ours && !s->fresh && s->io.fd == fd)
        ev_io_modify(&s->io, events); /* the same socket: no re-registration */
    else
        ev_io_set(&s->io, fd, events);
    s->fresh = false;
    ev_io_start(loop, &s->io);
    return 0;
}

/* CURLOPT_OPENSOCKETFUNCTION: a new socket for a connection. The transport opens
 * and closes its transfers' sockets itself to know when a descriptor number means a
 * new socket: only then does the watcher need ev_io_set, which re-registers with
 * epoll; the same socket keeps its registration (ev_io_modify). A descriptor it did
 * not open (a resolver's socket pair) is always registered anew. */
static curl_socket_t open_socket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    (void)purpose;
    curl_socket_t fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd == CURL_SOCKET_BAD)
        return fd;
    struct sock *s = sock_for(clientp, fd);
    ((struct lg_transport *)clientp)->connections++;
    s->ours = true;
    s->fresh = true;
    return fd;
}

/* CURLOPT_CLOSESOCKETFUNCTION: libcurl has forgotten the socket (CURL_POLL_REMOVE
 * came first); after the close its number may come back as another socket. */
static int close_socket_cb(void *clientp, curl_socket_t fd)
{
    struct lg_transport *t = clientp;
    if ((size_t)fd < t->n_socks && t->socks[fd]) {
        ev_io_stop(t->loop, &t->socks[fd]->io);
        t->socks[fd]->ours = false;
    }
    return close(fd) == 0 ? 0 : 1; /* libcurl's convention: 1 is an error */
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
    shard_list_init(&t->due, t->n_shards);
    shard_list_init(&t->reap, t->n_shards);
    ev_prepare_init(&t->kick, kick_cb);
    t->kick.data = t;
    ev_prepare_start(loop, &t->kick);
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
        /* libcurl multiplexes HTTP/2 by default: transfers would share connections
         * unless the run asks for it (lg_transport_set_multiplex). */
        curl_multi_setopt(sh->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING);
    }
    *out = t;
    return LG_OK;
}

void lg_transport_set_multiplex(struct lg_transport *t, bool multiplex)
{
    for (unsigned i = 0; i < t->n_shards; i++)
        curl_multi_setopt(t->shards[i].multi, CURLMOPT_PIPELINING,
                          multiplex ? (long)CURLPIPE_MULTIPLEX : (long)CURLPIPE_NOTHING);
}

uint64_t lg_transport_connections(const struct lg_transport *t)
{
    return t->connections;
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
    ev_prepare_stop(t->loop, &t->kick);
    for (size_t fd = 0; fd < t->n_socks; fd++) {
        if (t->socks[fd])
            ev_io_stop(t->loop, &t->socks[fd]->io);
        free(t->socks[fd]);
    }
    free(t->socks);
    shard_list_free(&t->due);
    shard_list_free(&t->reap);
    free(t->shards);
    free(t);
}

void lg_transport_flush(struct lg_transport *t)
{
    unsigned n;
    struct shard **run = shard_list_take(&t->reap, &n);
    t->n_read_ahead = 0;
    for (unsigned i = 0; i < n; i++) {
        run[i]->on_reap = false;
        reap(run[i]);
    }
}

void lg_transport_attach(struct lg_transport *t, CURL *easy)
{
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, t);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, close_socket_cb);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, t);
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
