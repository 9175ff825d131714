/* transport: the libev <-> libcurl multi_socket glue, after the pattern of curl's
 * evhiperfifo example: per-socket state rides on curl_multi_assign and is freed
 * only on CURL_POLL_REMOVE; finished transfers are reaped in one place. */
#include "transport.h"

#include <stdlib.h>

#include "util.h"

struct lg_transport {
    struct ev_loop *loop;
    CURLM *multi;
    ev_timer timer; /* the one timeout libcurl asks for */
    int running;    /* transfers added and not yet reaped */
    lg_transfer_done_fn done;
    void *ud;
};

struct sock {
    ev_io io;
    curl_socket_t fd;
    struct lg_transport *t;
};

static void reap(struct lg_transport *t)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(t->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode rc = msg->data.result;
        void *priv = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&priv);
        curl_multi_remove_handle(t->multi, easy);
        t->running--;
        t->done(priv, easy, rc, t->ud);
    }
}

/* libev: a socket is ready. */
static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct sock *s = w->data;
    struct lg_transport *t = s->t;
    int action =
        ((revents & EV_READ) ? CURL_CSELECT_IN : 0) | ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int still;
    curl_multi_socket_action(t->multi, s->fd, action, &still);
    reap(t);
}

/* libev: libcurl's timeout expired. */
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct lg_transport *t = w->data;
    int still;
    curl_multi_socket_action(t->multi, CURL_SOCKET_TIMEOUT, 0, &still);
    reap(t);
}

/* CURLMOPT_TIMERFUNCTION: only re-arms the one timer; never calls libcurl. */
static int multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct lg_transport *t = userp;
    ev_timer_stop(t->loop, &t->timer);
    if (timeout_ms >= 0) {
        ev_timer_set(&t->timer, (double)timeout_ms / 1000.0, 0.);
        ev_timer_start(t->loop, &t->timer);
    }
    return 0;
}

/* CURLMOPT_SOCKETFUNCTION: watch, re-watch or forget a socket. */
static int multi_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
    struct lg_transport *t = userp;
    struct sock *s = sockp;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            ev_io_stop(t->loop, &s->io);
            curl_multi_assign(t->multi, fd, NULL);
            free(s);
        }
        return 0;
    }
    int events = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    if (!s) {
        s = lg_calloc(1, sizeof(*s));
        s->fd = fd;
        s->t = t;
        ev_io_init(&s->io, io_cb, fd, events);
        s->io.data = s;
        curl_multi_assign(t->multi, fd, s);
    } else {
        ev_io_stop(t->loop, &s->io); /* never change an active watcher */
        ev_io_set(&s->io, fd, events);
    }
    ev_io_start(t->loop, &s->io);
    return 0;
}

int lg_transport_init(struct ev_loop *loop, lg_transfer_done_fn done, void *ud,
                      struct lg_transport **out)
{
    struct lg_transport *t = lg_calloc(1, sizeof(*t));
    t->loop = loop;
    t->done = done;
    t->ud = ud;
    t->multi = curl_multi_init();
    if (!t->multi) {
        free(t);
        return LG_ECURL;
    }
    ev_timer_init(&t->timer, timer_cb, 0., 0.);
    t->timer.data = t;
    curl_multi_setopt(t->multi, CURLMOPT_SOCKETFUNCTION, multi_socket_cb);
    curl_multi_setopt(t->multi, CURLMOPT_SOCKETDATA, t);
    curl_multi_setopt(t->multi, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
    curl_multi_setopt(t->multi, CURLMOPT_TIMERDATA, t);
    *out = t;
    return LG_OK;
}

void lg_transport_free(struct lg_transport *t)
{
    if (!t)
        return;
    /* Handles still attached belong to their owners; cleanup detaches them and
     * closes every socket, which calls multi_socket_cb with CURL_POLL_REMOVE. */
    curl_multi_cleanup(t->multi);
    ev_timer_stop(t->loop, &t->timer);
    free(t);
}

int lg_transport_start(struct lg_transport *t, CURL *easy)
{
    if (curl_multi_add_handle(t->multi, easy) != CURLM_OK)
        return LG_ECURL;
    t->running++;
    return LG_OK;
}

void lg_transport_cancel(struct lg_transport *t, CURL *easy)
{
    if (curl_multi_remove_handle(t->multi, easy) == CURLM_OK)
        t->running--;
}

int lg_transport_running(const struct lg_transport *t)
{
    return t->running;
}
