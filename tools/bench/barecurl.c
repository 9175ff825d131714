/* barecurl: libcurl's own cost per request, for tools/bench/run: the same GET sent
 * again and again through a bare libcurl multi_socket loop on libev, counting only
 * the answers (no templates, checks, histograms or virtual users), so that what
 * loadgate costs above this loop is loadgate's own. */

/* Written the plain way (libcurl's evhiperfifo example) with the settings that
 * make libcurl 7.88 cheapest per request: transfers spread over multi handles of 40
 * on one loop, each connection's easy handle reused from one request to the next
 * (removed from its multi handle and added again), the URL parsed once
 * (CURLOPT_CURLU), no look-up of proxy variables, no signals, and the receive
 * buffer loadgate would give the same number of connections. It sends the bytes
 * loadgate sends by default: its User-Agent line and its Accept-Encoding line, in
 * that order, in the request's header list (the option set so that libcurl would
 * decode). What loadgate costs above wrk, this costs too unless loadgate's own work
 * or its glue differs: loadgate's transport also runs zero timeouts before the loop polls,
 * keeps reused sockets registered with epoll and sends requests in chunks
 * (engine/transport.c), which this loop does not.
 *
 *   loadgate-barecurl [--http2 | --multiplex CONNS] URL TRANSFERS SECONDS [CA_FILE]
 *
 * Without an option it speaks HTTP/1.1 (what libcurl negotiates with a server that
 * offers nothing else), one connection per transfer. --http2 asks for HTTP/2 (ALPN
 * over TLS, prior knowledge over plain HTTP) with multiplexing off
 * (CURLPIPE_NOTHING), so that each transfer keeps a connection to itself, as
 * loadgate's VUs do without `multiplex: true`. --multiplex CONNS spreads the
 * transfers as HTTP/2 streams over CONNS connections: one multi handle per
 * connection holding its share of the transfers, CURLPIPE_MULTIPLEX with
 * CURLOPT_PIPEWAIT, one connection per host and in all
 * (CURLMOPT_MAX_HOST_CONNECTIONS, CURLMOPT_MAX_TOTAL_CONNECTIONS) and the share as
 * CURLMOPT_MAX_CONCURRENT_STREAMS.
 *
 * URL must name 127.0.0.1, ::1 or localhost. An https URL is verified against
 * CA_FILE, as loadgate verifies. At the end it prints one line on stdout:
 *   requests N errors E seconds S connections C h1 A h2 B
 * where requests counts answers with status 200, errors everything else, S is the
 * time from the first transfer's start to the stop, C the connections it opened
 * (sockets, CURLOPT_OPENSOCKETFUNCTION), A and B the finished transfers that spoke
 * HTTP/1.x and HTTP/2 (CURLINFO_HTTP_VERSION), so that the bench can check that
 * the loop did what its options say. Exit code 0, or 2 on bad
 * arguments, 3 when libcurl or libev fails to start. */
#include <curl/curl.h>
#include <ev.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "request.h" /* LG_USER_AGENT */
#include "worker.h"  /* lg_recv_buffer_size */

#define TRANSFERS_PER_MULTI 40

struct multi {
    CURLM *m;
    ev_timer timer; /* the timeout this multi handle asked for */
};

/* Per descriptor, for the life of the process: the watcher and the multi handle
 * whose transfer uses the socket now. */
struct sock {
    ev_io io;
    struct multi *owner;
};

static struct ev_loop *loop;
static struct sock *socks;
static size_t n_socks;
static long long requests, errors, connects, h1, h2;
static bool stopping;

static void reap(struct multi *mh)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(mh->m, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        long status = 0, version = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
        if (version == CURL_HTTP_VERSION_2_0)
            h2++;
        else if (version == CURL_HTTP_VERSION_1_0 || version == CURL_HTTP_VERSION_1_1)
            h1++;
        if (msg->data.result == CURLE_OK && status == 200)
            requests++;
        else
            errors++;
        curl_multi_remove_handle(mh->m, e);
        if (!stopping)
            curl_multi_add_handle(mh->m, e);
    }
}

/* CURLOPT_WRITEFUNCTION: the body goes nowhere (libcurl's default writes it to
 * stdout). */
static size_t discard(char *data, size_t size, size_t n, void *userp)
{
    (void)data;
    (void)userp;
    return size * n;
}

static void io_cb(struct ev_loop *l, ev_io *w, int revents)
{
    (void)l;
    struct sock *s = (struct sock *)w;
    struct multi *mh = s->owner;
    int action =
        ((revents & EV_READ) ? CURL_CSELECT_IN : 0) | ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(mh->m, w->fd, action, &running);
    reap(mh);
}

static void timer_cb(struct ev_loop *l, ev_timer *w, int revents)
{
    (void)l;
    (void)revents;
    struct multi *mh = w->data;
    int running;
    curl_multi_socket_action(mh->m, CURL_SOCKET_TIMEOUT, 0, &running);
    reap(mh);
}

/* CURLOPT_OPENSOCKETFUNCTION: counts the connections opened. (CURLINFO_NUM_CONNECTS
 * would miss those whose first transfer was still running at the stop.) */
static curl_socket_t open_socket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)clientp;
    (void)purpose;
    curl_socket_t fd = socket(a->family, a->socktype, a->protocol);
    if (fd != CURL_SOCKET_BAD)
        connects++;
    return fd;
}

/* CURLMOPT_SOCKETFUNCTION */
static int socket_cb(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)e;
    (void)socketp;
    if (fd < 0 || (size_t)fd >= n_socks)
        return -1;
    struct sock *s = &socks[fd];
    ev_io_stop(loop, &s->io);
    if (what == CURL_POLL_REMOVE)
        return 0;
    s->owner = userp;
    int events = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    ev_io_set(&s->io, fd, events);
    ev_io_start(loop, &s->io);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION */
static int multi_timer_cb(CURLM *m, long timeout_ms, void *userp)
{
    (void)m;
    struct multi *mh = userp;
    ev_timer_stop(loop, &mh->timer);
    if (timeout_ms >= 0) {
        ev_timer_set(&mh->timer, (double)timeout_ms / 1000., 0.);
        ev_timer_start(loop, &mh->timer);
    }
    return 0;
}

static void stop_cb(struct ev_loop *l, ev_timer *w, int revents)
{
    (void)w;
    (void)revents;
    stopping = true;
    ev_break(l, EVBREAK_ALL);
}

static bool loopback(CURLU *u)
{
    char *host = NULL;
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        return false;
    bool ok = !strcmp(host, "127.0.0.1") || !strcmp(host, "[::1]") || !strcmp(host, "localhost");
    curl_free(host);
    return ok;
}

static int usage(const char *why)
{
    fprintf(stderr,
            "loadgate-barecurl: %s\nusage: loadgate-barecurl [--http2 | --multiplex CONNS] URL "
            "TRANSFERS SECONDS [CA_FILE]\n",
            why);
    return 2;
}

int main(int argc, char **argv)
{
    char *end;
    bool http2 = false;
    unsigned long conns = 0; /* --multiplex: the connections the streams share */
    int a = 1;
    if (a < argc && !strcmp(argv[a], "--http2")) {
        http2 = true;
        a++;
    } else if (a < argc && !strcmp(argv[a], "--multiplex")) {
        if (++a == argc)
            return usage("--multiplex needs CONNS");
        conns = strtoul(argv[a++], &end, 10);
        if (*end || conns == 0 || conns > 100000)
            return usage("CONNS must be 1 to 100000");
        http2 = true;
    }
    if (argc - a < 3 || argc - a > 4)
        return usage("wrong number of arguments");
    unsigned long n = strtoul(argv[a + 1], &end, 10);
    if (*end || n == 0 || n > 100000)
        return usage("TRANSFERS must be 1 to 100000");
    if (conns > n)
        return usage("CONNS must be at most TRANSFERS");
    double seconds = strtod(argv[a + 2], &end);
    if (*end || !(seconds > 0 && seconds <= 3600))
        return usage("SECONDS must be above 0 and at most 3600");
    const char *ca_file = argc - a == 4 ? argv[a + 3] : NULL;

    if (curl_global_init(CURL_GLOBAL_DEFAULT))
        return 3;
    CURLU *url = curl_url();
    const char *bad = NULL;
    if (!url || curl_url_set(url, CURLUPART_URL, argv[a], 0) != CURLUE_OK)
        bad = "URL does not parse";
    else if (!loopback(url))
        bad = "URL must name 127.0.0.1, ::1 or localhost";
    if (bad) {
        curl_url_cleanup(url);
        curl_global_cleanup();
        return usage(bad);
    }

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < n + 64) {
        fprintf(stderr,
                "loadgate-barecurl: %lu connections need an open-file limit (ulimit -n) of at "
                "least %lu\n",
                n, n + 64);
        return 3;
    }
    n_socks = rl.rlim_cur > 4 * n + 1024 ? 4 * n + 1024 : rl.rlim_cur;
    socks = calloc(n_socks, sizeof(*socks));
    loop = ev_default_loop(0);
    if (!socks || !loop)
        return 3;
    for (size_t i = 0; i < n_socks; i++)
        ev_init(&socks[i].io, io_cb);

    /* Multiplexed, a multi handle per connection: each keeps its own connection cache,
     * so its transfers share the one connection it may open. */
    size_t per_multi = conns ? (n + conns - 1) / conns : TRANSFERS_PER_MULTI;
    size_t n_multi = (n + per_multi - 1) / per_multi;
    struct multi *multis = calloc(n_multi, sizeof(*multis));
    CURL **easy = calloc(n, sizeof(*easy));
    if (!multis || !easy)
        return 3;
    for (size_t i = 0; i < n_multi; i++) {
        struct multi *mh = &multis[i];
        mh->m = curl_multi_init();
        if (!mh->m)
            return 3;
        ev_timer_init(&mh->timer, timer_cb, 0., 0.);
        mh->timer.data = mh;
        curl_multi_setopt(mh->m, CURLMOPT_SOCKETFUNCTION, socket_cb);
        curl_multi_setopt(mh->m, CURLMOPT_SOCKETDATA, mh);
        curl_multi_setopt(mh->m, CURLMOPT_TIMERFUNCTION, multi_timer_cb);
        curl_multi_setopt(mh->m, CURLMOPT_TIMERDATA, mh);
        /* libcurl multiplexes HTTP/2 transfers by default */
        curl_multi_setopt(mh->m, CURLMOPT_PIPELINING,
                          conns ? (long)CURLPIPE_MULTIPLEX : (long)CURLPIPE_NOTHING);
        if (conns) {
            curl_multi_setopt(mh->m, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
            curl_multi_setopt(mh->m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 1L);
            curl_multi_setopt(mh->m, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)per_multi);
        }
    }
    long buffer = lg_recv_buffer_size((uint32_t)n);
    char accept[64];
    snprintf(accept, sizeof(accept), "Accept-Encoding: %s", lg_accept_encodings());
    struct curl_slist accept_line = {.data = accept, .next = NULL};
    char agent[] = "User-Agent: " LG_USER_AGENT;
    struct curl_slist headers = {.data = agent, .next = &accept_line};
    for (size_t i = 0; i < n; i++) {
        CURL *e = easy[i] = curl_easy_init();
        if (!e)
            return 3;
        curl_easy_setopt(e, CURLOPT_CURLU, url);
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        curl_easy_setopt(e, CURLOPT_NOPROXY, "");
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_BUFFERSIZE, buffer);
        if (ca_file)
            curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, &headers);
        if (http2)
            curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
        if (conns) /* wait for the connection being set up rather than open another */
            curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    }

    ev_timer stop;
    ev_timer_init(&stop, stop_cb, seconds, 0.);
    ev_timer_start(loop, &stop);
    ev_tstamp started = ev_time();
    for (size_t i = 0; i < n; i++)
        curl_multi_add_handle(multis[i / per_multi].m, easy[i]);
    ev_run(loop, 0);
    ev_tstamp took = ev_time() - started;
    printf("requests %lld errors %lld seconds %.3f connections %lld h1 %lld h2 %lld\n", requests,
           errors, took, connects, h1, h2);

    for (size_t i = 0; i < n; i++) {
        curl_multi_remove_handle(multis[i / per_multi].m, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    for (size_t i = 0; i < n_multi; i++) {
        ev_timer_stop(loop, &multis[i].timer);
        curl_multi_cleanup(multis[i].m);
    }
    for (size_t i = 0; i < n_socks; i++)
        ev_io_stop(loop, &socks[i].io);
    curl_url_cleanup(url);
    curl_global_cleanup();
    free(easy);
    free(multis);
    free(socks);
    return 0;
}
