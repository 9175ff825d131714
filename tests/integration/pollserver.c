/* pollserver: a small HTTP server on 127.0.0.1 (libmicrohttpd) for the
 * behaviours nginx cannot give the integration tests: asynchronous jobs that must
 * be polled, slow responses, and an exact count of the requests it received. */

/* Usage and routes (add a route's line here when you add the route):
 *
 *   pollserver [--port N] [--pending-polls K] [--lifetime S]
 *
 * With --port 0 (the default) it prints the chosen port on stdout, then serves
 * until SIGTERM or SIGINT, or for at most --lifetime seconds (default 300) so a
 * test can never leave it running.
 *
 *   POST /jobs      201 {"id":"jN"}, Location: /jobs/jN
 *   GET  /jobs/ID   {"id":"jN","status":"pending","polls":P} for the first K polls,
 *                   then {"id":"jN","status":"done","polls":P}; 404 if unknown
 *   GET  /slow?ms=N waits N ms (at most 10000), then 200 {"slept_ms":N}
 *   GET  /slow-first?ms=N  the first request to it waits N ms (at most 10000),
 *                   every later one answers at once; 200 {"slept_ms":N or 0}
 *                   (one slow sample at the start of a run, then fast ones)
 *   GET  /health    200 {"status":"ok"}
 *   POST /echo      200 with the request's body as it arrived (at most ECHO_MAX
 *                   bytes; more is 413), Content-Type application/json: what
 *                   loadgate rendered and sent, for the scenario to check
 *   GET  /bad-gzip  200 {"ok":true} labelled Content-Encoding: gzip, which it is
 *                   not: a response no client can decode
 *   GET  /count     the number of requests received so far, /count excluded
 *   GET  /hang?every=N  every N-th request to /hang (counted over the server's
 *                   life, default N = 20) is never answered: it waits until the
 *                   server exits; the others get 200 {"hung":false} at once
 *   ANY  /first-only  the first request to it on a connection gets 200
 *                   {"first":true}; a later one on the same connection is read
 *                   whole and counted, then the connection is closed unanswered
 *                   (what a server's keep-alive race looks like to its client)
 *   GET  /redirect?to=PATH  302 to PATH (a path on this server)
 *   GET  /endless   200 application/json, chunked, never ends: "[0,0,0,..." until
 *                   the client goes away or the server stops (an endless body)
 *   GET  /bytes?n=N 200 application/json with a Content-Length of N (2 to 2^40):
 *                   the JSON string "aaa...a", N bytes with its quotes
 *   GET  /gzip-bomb 200 application/json, Content-Encoding: gzip: about 130 KiB
 *                   that inflate to "[", 128 MiB of spaces, "]" (a valid, huge,
 *                   JSON document)
 */
#include <microhttpd.h>
#include <zlib.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOBS 4096
#define MAX_SLOW_MS 10000
#define ECHO_MAX 65536

/* POST /echo: the body of the request being read. One thread serves each
 * connection (MHD_USE_THREAD_PER_CONNECTION), one request after another, so a
 * thread-local buffer holds it. */
static __thread char echo_body[ECHO_MAX + 1];
static __thread size_t echo_len;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long n_requests;
static unsigned n_jobs;
static unsigned job_polls[MAX_JOBS];
static unsigned pending_polls = 3;
static volatile sig_atomic_t stopping;
static unsigned long n_slow_first; /* requests to /slow-first so far */
static unsigned long hang_seen;    /* requests to /hang so far (under lock) */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *body,
                             const char *location)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
    ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void sleep_ms(long ms)
{
    /* in slices, so that shutdown does not wait for a long sleep */
    while (ms > 0 && !stopping) {
        long slice = ms < 10 ? ms : 10;
        struct timespec ts = {0, slice * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
}

static enum MHD_Result job_create(struct MHD_Connection *conn)
{
    char body[64], location[64];
    unsigned id;
    pthread_mutex_lock(&lock);
    if (n_jobs >= MAX_JOBS) {
        pthread_mutex_unlock(&lock);
        return reply(conn, 503, "{\"error\":\"too many jobs\"}", NULL);
    }
    id = ++n_jobs;
    job_polls[id - 1] = 0;
    pthread_mutex_unlock(&lock);
    snprintf(body, sizeof body, "{\"id\":\"j%u\"}", id);
    snprintf(location, sizeof location, "/jobs/j%u", id);
    return reply(conn, 201, body, location);
}

static enum MHD_Result job_poll(struct MHD_Connection *conn, const char *id_text)
{
    char body[128], *end = NULL;
    unsigned long id;
    unsigned polls;
    if (id_text[0] != 'j')
        return reply(conn, 404, "{\"error\":\"no such job\"}", NULL);
    id = strtoul(id_text + 1, &end, 10);
    pthread_mutex_lock(&lock);
    if (!end || *end || id == 0 || id > n_jobs) {
        pthread_mutex_unlock(&lock);
        return reply(conn, 404, "{\"error\":\"no such job\"}", NULL);
    }
    polls = ++job_polls[id - 1];
    pthread_mutex_unlock(&lock);
    snprintf(body, sizeof body, "{\"id\":\"j%lu\",\"status\":\"%s\",\"polls\":%u}", id,
             polls <= pending_polls ? "pending" : "done", polls);
    return reply(conn, 200, body, NULL);
}

/* GET /hang: a request that never gets its answer holds its connection's thread
 * (one per connection) until the server stops. */
static enum MHD_Result hang(struct MHD_Connection *conn)
{
    const char *every_text = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "every");
    unsigned long every = every_text ? strtoul(every_text, NULL, 10) : 20, seen;
    if (every == 0)
        every = 20;
    pthread_mutex_lock(&lock);
    seen = ++hang_seen;
    pthread_mutex_unlock(&lock);
    if (seen % every == 0) {
        while (!stopping)
            sleep_ms(10);
        return MHD_NO;
    }
    return reply(conn, 200, "{\"hung\":false}", NULL);
}

/* /first-only: a thread serves one connection (MHD_USE_THREAD_PER_CONNECTION), so a
 * thread-local counter counts the requests of one connection. */
static __thread unsigned first_only_seen;

static enum MHD_Result first_only(struct MHD_Connection *conn)
{
    if (first_only_seen++ > 0)
        return MHD_NO; /* closes the connection without a response */
    return reply(conn, 200, "{\"first\":true}", NULL);
}

/* GET /endless: MHD_ContentReaderCallback over an unknown size. */
static ssize_t endless_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    if (stopping)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t i = 0;
    if (pos == 0 && max > 0)
        buf[i++] = '[';
    for (; i + 1 < max; i += 2) {
        buf[i] = '0';
        buf[i + 1] = ',';
    }
    return (ssize_t)i;
}

/* GET /bytes?n=N: the string "aaa...a", N bytes in all. */
static ssize_t bytes_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    uint64_t total = *(uint64_t *)cls;
    if (pos >= total)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = total - pos < max ? (size_t)(total - pos) : max;
    memset(buf, 'a', n);
    if (pos == 0)
        buf[0] = '"';
    if (pos + n == total)
        buf[n - 1] = '"';
    return (ssize_t)n;
}

static enum MHD_Result bytes(struct MHD_Connection *conn)
{
    const char *n_text = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "n");
    char *end = NULL;
    unsigned long long n = n_text ? strtoull(n_text, &end, 10) : 0;
    if (!n_text || *end || n < 2 || n > (1ULL << 40))
        return reply(conn, 400, "{\"error\":\"n must be 2 to 2^40\"}", NULL);
    uint64_t *total = malloc(sizeof(*total));
    if (!total)
        return MHD_NO;
    *total = n;
    struct MHD_Response *resp = MHD_create_response_from_callback(n, 65536, bytes_cb, total, free);
    if (!resp) {
        free(total);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* GET /gzip-bomb: made once, on first use. */
static unsigned char *bomb;
static size_t bomb_len;
static pthread_once_t bomb_once = PTHREAD_ONCE_INIT;

static void make_bomb(void)
{
    static unsigned char spaces[65536];
    const size_t inflated = 128u << 20;
    z_stream z;
    memset(&z, 0, sizeof z);
    memset(spaces, ' ', sizeof spaces);
    if (deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return;
    size_t cap = deflateBound(&z, inflated + 2);
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return;
    }
    z.next_out = out;
    z.avail_out = (uInt)cap;
    z.next_in = (unsigned char *)"[";
    z.avail_in = 1;
    deflate(&z, Z_NO_FLUSH);
    for (size_t done = 0; done < inflated; done += sizeof spaces) {
        z.next_in = spaces;
        z.avail_in = sizeof spaces;
        deflate(&z, Z_NO_FLUSH);
    }
    z.next_in = (unsigned char *)"]";
    z.avail_in = 1;
    if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
        bomb = out;
        bomb_len = cap - z.avail_out;
    } else {
        free(out);
    }
    deflateEnd(&z);
}

static enum MHD_Result gzip_bomb(struct MHD_Connection *conn)
{
    pthread_once(&bomb_once, make_bomb);
    if (!bomb)
        return reply(conn, 500, "{\"error\":\"zlib\"}", NULL);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(bomb_len, bomb, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    enum MHD_Result ret = MHD_queue_response(conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result handle_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    static int marker;
    char body[64];
    unsigned long count;

    /* MHD_AccessHandlerCallback: called first with headers only, then once per
     * chunk of request body, then once more to respond. */
    if (*con_cls == NULL) {
        *con_cls = &marker;
        echo_len = 0;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        if (strcmp(url, "/echo") == 0) { /* kept for the reply, up to one byte too many */
            size_t n = *upload_data_size;
            if (n > ECHO_MAX + 1 - echo_len)
                n = ECHO_MAX + 1 - echo_len;
            memcpy(echo_body + echo_len, upload_data, n);
            echo_len += n;
        }
        *upload_data_size = 0; /* the body is read (and otherwise ignored) */
        return MHD_YES;
    }

    if (strcmp(url, "/count") == 0) {
        pthread_mutex_lock(&lock);
        count = n_requests;
        pthread_mutex_unlock(&lock);
        snprintf(body, sizeof body, "%lu", count);
        return reply(conn, 200, body, NULL);
    }
    pthread_mutex_lock(&lock);
    n_requests++;
    pthread_mutex_unlock(&lock);

    if (strcmp(url, "/jobs") == 0 && strcmp(method, "POST") == 0)
        return job_create(conn);
    if (strncmp(url, "/jobs/", 6) == 0 && strcmp(method, "GET") == 0)
        return job_poll(conn, url + 6);
    if (strcmp(url, "/slow") == 0) {
        const char *ms_text = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "ms");
        long ms = ms_text ? strtol(ms_text, NULL, 10) : 0;
        if (ms < 0)
            ms = 0;
        if (ms > MAX_SLOW_MS)
            ms = MAX_SLOW_MS;
        sleep_ms(ms);
        snprintf(body, sizeof body, "{\"slept_ms\":%ld}", ms);
        return reply(conn, 200, body, NULL);
    }
    if (strcmp(url, "/slow-first") == 0) {
        const char *ms_text = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "ms");
        long ms = ms_text ? strtol(ms_text, NULL, 10) : 0;
        pthread_mutex_lock(&lock);
        bool first = n_slow_first++ == 0;
        pthread_mutex_unlock(&lock);
        if (!first || ms < 0)
            ms = 0;
        if (ms > MAX_SLOW_MS)
            ms = MAX_SLOW_MS;
        sleep_ms(ms);
        snprintf(body, sizeof body, "{\"slept_ms\":%ld}", ms);
        return reply(conn, 200, body, NULL);
    }
    if (strcmp(url, "/health") == 0)
        return reply(conn, 200, "{\"status\":\"ok\"}", NULL);
    if (strcmp(url, "/bad-gzip") == 0) {
        static const char plain[] = "{\"ok\":true}";
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            sizeof(plain) - 1, (void *)plain, MHD_RESPMEM_PERSISTENT);
        enum MHD_Result ret;
        if (!resp)
            return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
        ret = MHD_queue_response(conn, 200, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (strcmp(url, "/echo") == 0 && strcmp(method, "POST") == 0) {
        if (echo_len > ECHO_MAX)
            return reply(conn, 413, "{\"error\":\"body too large\"}", NULL);
        echo_body[echo_len] = '\0';
        return reply(conn, 200, echo_body, NULL);
    }
    if (strcmp(url, "/hang") == 0)
        return hang(conn);
    if (strcmp(url, "/first-only") == 0)
        return first_only(conn);
    if (strcmp(url, "/endless") == 0) {
        struct MHD_Response *resp =
            MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, endless_cb, NULL, NULL);
        if (!resp)
            return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        enum MHD_Result ret = MHD_queue_response(conn, 200, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (strcmp(url, "/bytes") == 0)
        return bytes(conn);
    if (strcmp(url, "/gzip-bomb") == 0)
        return gzip_bomb(conn);
    if (strcmp(url, "/redirect") == 0) {
        const char *to = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "to");
        if (!to || to[0] != '/')
            return reply(conn, 400, "{\"error\":\"to must be a path\"}", NULL);
        return reply(conn, 302, "{}", to);
    }
    return reply(conn, 404, "{\"error\":\"not found\"}", NULL);
}

static void usage(void)
{
    fprintf(stderr, "usage: pollserver [--port N] [--pending-polls K] [--lifetime S]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned port = 0, lifetime_s = 300;
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    sigset_t set;
    int sig = 0;

    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--port") == 0)
            port = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--pending-polls") == 0)
            pending_polls = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--lifetime") == 0)
            lifetime_s = (unsigned)strtoul(argv[++i], NULL, 10);
        else
            usage();
    }

    /* Block the stop signals in every thread; the main thread waits for them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, handle_cb, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "pollserver: cannot listen on 127.0.0.1:%u\n", port);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("%u\n", info ? (unsigned)info->port : port);
    fflush(stdout);

    alarm(lifetime_s);
    sigwait(&set, &sig);
    stopping = 1;
    MHD_stop_daemon(d);
    free(bomb);
    return 0;
}
