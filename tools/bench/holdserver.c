/* holdserver: the reference server for tools/bench's accuracy check and its
 * coordinated-omission demonstration. It holds every reply for exactly --hold-ms
 * and records its own hold times, so that a client's latency figures can be
 * compared with the server's. */

/* Each hold is measured from the request's arrival, with an absolute
 * clock_nanosleep; libmicrohttpd parses HTTP and one thread per connection sleeps.
 *
 *   loadgate-holdserver [--port N] [--hold-ms MS] [--freeze-ms MS --freeze-every-ms MS]
 *                       [--lifetime S]
 *
 * With --freeze-ms F --freeze-every-ms E the server freezes for the last F ms of
 * every E ms since it started: a reply that would leave during a freeze leaves
 * when the freeze ends. With --port 0 (the default) it prints the chosen port on
 * stdout, then serves on 127.0.0.1 until SIGTERM or SIGINT, or for at most
 * --lifetime seconds (default 900). At exit it prints its statistics on stderr.
 *
 *   GET  /stats   {"requests":N,"delayed_by_freeze":D,"hold_ms":{"min":..,"p50":..,
 *                 "p90":..,"p95":..,"p99":..,"p999":..,"max":..,"mean":..}}
 *                 over every request since the start or the last /reset
 *   POST /reset   forgets the recorded hold times
 *   anything else 200 {"status":"ok","hold_ms":MS} after the hold; recorded
 *
 * A hold time runs from the request's arrival (libmicrohttpd's first call of the
 * access handler, headers parsed) to the moment its response is queued.
 * Percentiles are nearest-rank over the exact samples (no histogram).
 */
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_MS 1000000ull

enum hs_kind { HS_HOLD, HS_STATS, HS_RESET };

/* Per-request state, from the first call of the access handler to the
 * MHD_OPTION_NOTIFY_COMPLETED callback that frees it. */
struct hs_request {
    enum hs_kind kind;
    uint64_t arrival_ns;
};

static uint64_t hold_ns = 20 * NS_PER_MS;
static uint64_t freeze_ns, freeze_every_ns;
static uint64_t start_ns;
static unsigned hold_ms_arg = 20;
static struct MHD_Response *hold_response;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t *samples_ns; /* under lock */
static size_t n_samples, cap_samples;
static unsigned long n_delayed;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The instant a request that arrived at ARRIVAL_NS may be answered: after the
 * hold, and not inside a freeze window. Sets *DELAYED when a freeze moved it. */
static uint64_t due_ns(uint64_t arrival_ns, int *delayed)
{
    uint64_t due = arrival_ns + hold_ns;
    *delayed = 0;
    if (freeze_ns && freeze_every_ns) {
        uint64_t phase = (due - start_ns) % freeze_every_ns;
        if (phase >= freeze_every_ns - freeze_ns) {
            due += freeze_every_ns - phase;
            *delayed = 1;
        }
    }
    return due;
}

static void sleep_until_ns(uint64_t t_ns)
{
    struct timespec ts = {(time_t)(t_ns / 1000000000ull), (long)(t_ns % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static void record(uint64_t hold_time_ns, int delayed)
{
    pthread_mutex_lock(&lock);
    if (n_samples == cap_samples) {
        size_t cap = cap_samples ? cap_samples * 2 : 65536;
        uint64_t *p = realloc(samples_ns, cap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&lock);
            fprintf(stderr, "holdserver: out of memory\n");
            abort();
        }
        samples_ns = p;
        cap_samples = cap;
    }
    samples_ns[n_samples++] = hold_time_ns;
    n_delayed += (unsigned long)delayed;
    pthread_mutex_unlock(&lock);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least P% of the samples at or below it
 * (HdrHistogram's definition, without its bucketing). */
static double pct_ms(const uint64_t *sorted, size_t n, double p)
{
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.9999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)sorted[rank - 1] / 1e6;
}

/* Writes the statistics as one JSON object into BUF (at most LEN bytes). */
static void stats_json(char *buf, size_t len)
{
    uint64_t *copy = NULL;
    size_t n;
    unsigned long delayed;
    double sum = 0;

    pthread_mutex_lock(&lock);
    n = n_samples;
    delayed = n_delayed;
    if (n) {
        copy = malloc(n * sizeof *copy);
        if (copy)
            memcpy(copy, samples_ns, n * sizeof *copy);
    }
    pthread_mutex_unlock(&lock);
    if (!copy) {
        snprintf(buf, len, "{\"requests\":%zu,\"delayed_by_freeze\":%lu,\"hold_ms\":null}", n,
                 delayed);
        return;
    }
    qsort(copy, n, sizeof *copy, cmp_u64);
    for (size_t i = 0; i < n; i++)
        sum += (double)copy[i];
    snprintf(buf, len,
             "{\"requests\":%zu,\"delayed_by_freeze\":%lu,\"hold_ms\":{\"min\":%.3f,"
             "\"p50\":%.3f,\"p90\":%.3f,\"p95\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,"
             "\"mean\":%.3f}}",
             n, delayed, (double)copy[0] / 1e6, pct_ms(copy, n, 50), pct_ms(copy, n, 90),
             pct_ms(copy, n, 95), pct_ms(copy, n, 99), pct_ms(copy, n, 99.9),
             (double)copy[n - 1] / 1e6, sum / (double)n / 1e6);
    free(copy);
}

static enum MHD_Result reply_copy(struct MHD_Connection *conn, const char *body)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* MHD_AccessHandlerCallback: called first with the headers, then once per chunk
 * of request body, then once more to respond. */
static enum MHD_Result handle_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
    struct hs_request *req = *req_cls;
    char body[512];
    enum MHD_Result ret;
    uint64_t due, queued;
    int delayed;

    if (!req) {
        req = malloc(sizeof *req);
        if (!req)
            return MHD_NO;
        req->arrival_ns = now_ns();
        if (strcmp(url, "/stats") == 0)
            req->kind = HS_STATS;
        else if (strcmp(url, "/reset") == 0 && strcmp(method, "POST") == 0)
            req->kind = HS_RESET;
        else
            req->kind = HS_HOLD;
        *req_cls = req;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* a body is read and ignored */
        return MHD_YES;
    }

    switch (req->kind) {
    case HS_STATS:
        stats_json(body, sizeof body);
        return reply_copy(conn, body);
    case HS_RESET:
        pthread_mutex_lock(&lock);
        n_samples = 0;
        n_delayed = 0;
        pthread_mutex_unlock(&lock);
        return reply_copy(conn, "{\"reset\":true}");
    case HS_HOLD:
        break;
    }
    due = due_ns(req->arrival_ns, &delayed);
    sleep_until_ns(due);
    ret = MHD_queue_response(conn, MHD_HTTP_OK, hold_response);
    queued = now_ns();
    if (ret == MHD_YES)
        record(queued - req->arrival_ns, delayed);
    return ret;
}

/* MHD_OPTION_NOTIFY_COMPLETED: the request is over (answered or not). */
static void completed_cb(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    free(*req_cls);
    *req_cls = NULL;
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgate-holdserver [--port N] [--hold-ms MS] "
                    "[--freeze-ms MS --freeze-every-ms MS] [--lifetime S]\n");
    exit(2);
}

static unsigned long parse_num(const char *name, const char *text, unsigned long max)
{
    char *end = NULL;
    unsigned long v;
    errno = 0;
    v = strtoul(text, &end, 10);
    if (errno || !end || end == text || *end || v > max) {
        fprintf(stderr, "holdserver: invalid %s '%s'\n", name, text);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    unsigned long port = 0, lifetime_s = 900, freeze_ms = 0, every_ms = 0;
    static char hold_body[64];
    char stats[512];
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    sigset_t set;
    int sig = 0;

    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--port") == 0)
            port = parse_num("--port", argv[++i], 65535);
        else if (strcmp(argv[i], "--hold-ms") == 0)
            hold_ms_arg = (unsigned)parse_num("--hold-ms", argv[++i], 60000);
        else if (strcmp(argv[i], "--freeze-ms") == 0)
            freeze_ms = parse_num("--freeze-ms", argv[++i], 3600000);
        else if (strcmp(argv[i], "--freeze-every-ms") == 0)
            every_ms = parse_num("--freeze-every-ms", argv[++i], 3600000);
        else if (strcmp(argv[i], "--lifetime") == 0)
            lifetime_s = parse_num("--lifetime", argv[++i], 86400);
        else
            usage();
    }
    if ((freeze_ms != 0) != (every_ms != 0) || (every_ms && freeze_ms >= every_ms)) {
        fprintf(stderr, "holdserver: --freeze-ms needs --freeze-every-ms, and must be shorter\n");
        return 2;
    }
    hold_ns = hold_ms_arg * NS_PER_MS;
    freeze_ns = freeze_ms * NS_PER_MS;
    freeze_every_ns = every_ms * NS_PER_MS;

    /* Timer slack is inherited by every thread created after this: the default
     * 50 us would show in the hold times. */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

    /* Block the stop signals in every thread; the main thread waits for them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    snprintf(hold_body, sizeof hold_body, "{\"status\":\"ok\",\"hold_ms\":%u}", hold_ms_arg);
    hold_response =
        MHD_create_response_from_buffer(strlen(hold_body), hold_body, MHD_RESPMEM_PERSISTENT);
    if (!hold_response) {
        fprintf(stderr, "holdserver: cannot create the response\n");
        return 1;
    }
    MHD_add_response_header(hold_response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");

    start_ns = now_ns();
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, handle_cb, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
        MHD_OPTION_CONNECTION_LIMIT, 4000u, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "holdserver: cannot listen on 127.0.0.1:%lu\n", port);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("%u\n", info ? (unsigned)info->port : (unsigned)port);
    fflush(stdout);

    alarm((unsigned)lifetime_s);
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    MHD_destroy_response(hold_response);
    stats_json(stats, sizeof stats);
    fprintf(stderr, "holdserver: %s\n", stats);
    free(samples_ns);
    return 0;
}
