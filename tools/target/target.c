/* loadgate-target: the reference trivia API (tools/target/API.md) for the trivia
 * suites and the tests. Parses the flags, starts the server on 127.0.0.1, prints
 * where it listens, and serves until SIGINT, SIGTERM or --lifetime. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "faults.h"
#include "http.h"
#include "util.h"

static const char usage[] =
    "usage: loadgate-target [options]\n"
    "  --port N               listen on 127.0.0.1:N (0: a free port; default 8080)\n"
    "  --threads N            worker threads (default 4)\n"
    "  --seed N               seed for ids, demo leaderboard and fault draws (default 1)\n"
    "  --lifetime SECONDS     exit after this long (default 3600; 0: never)\n"
    "  --questions N          questions per session (default 10)\n"
    "  --season S             the current season (default 2025-s1)\n"
    "  --mint-delay DURATION  pending for half, submitted until the end (default 2s)\n"
    "  --mint-fail F          share of mints that fail (default 0)\n"
    "  --mint-stuck           mints stay pending\n"
    "  --cors-origin ORIGIN   an allowed origin (repeatable; default https://app.example.com)\n"
    "  --cors-broken          never send Access-Control-Allow-Origin\n"
    "  --latency ROUTE=DIST   delay (50ms, or uniform 20ms..80ms) on a path prefix or *\n"
    "  --stall ROUTE=DURATION answer after DURATION on a path prefix or *\n"
    "  --error-share F        share of answers that become 500\n"
    "  --reset-share F        share of requests whose connection is closed unanswered\n"
    "  --missing-header NAME  leave this response header out (repeatable)\n"
    "  --cert FILE --key FILE serve HTTPS with this PEM certificate and key\n"
    "  --max-items N          cap of each in-memory store, oldest evicted (default 200000)\n";

static int bad(const char *flag, const char *value)
{
    fprintf(stderr, "loadgate-target: invalid value for %s: '%s'\n%s", flag,
            value ? value : "(missing)", usage);
    return 2;
}

static int parse_share(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = s ? strtod(s, &end) : -1;
    if (!s || errno || end == s || *end || !(v >= 0 && v <= 1))
        return -1;
    *out = v;
    return 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct lg_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        lg_buf_append(&b, chunk, n);
    fclose(f);
    lg_buf_putc(&b, '\0');
    return lg_buf_take(&b);
}

int main(int argc, char **argv)
{
    struct lg_api_config api_cfg = {.questions = 10,
                                    .mint_delay_us = 2000000,
                                    .season = "2025-s1",
                                    .seed = 1,
                                    .max_items = 200000};
    struct lg_http_config http_cfg = {.port = 8080, .threads = 4};
    unsigned long long lifetime_s = 3600, v;
    const char *cert_file = NULL, *key_file = NULL;
    char *cert = NULL, *key = NULL;
    struct lg_api *api = NULL;
    struct lg_http *http = NULL;
    int rc = 1;

    for (int i = 1; i < argc; i++) {
        const char *f = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (strcmp(f, "--help") == 0 || strcmp(f, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(f, "--port") == 0) {
            if (!a || lg_parse_uint(a, 65535, &v) != 0)
                return bad(f, a);
            http_cfg.port = (uint16_t)v;
        } else if (strcmp(f, "--threads") == 0) {
            if (!a || lg_parse_uint(a, 256, &v) != 0 || v == 0)
                return bad(f, a);
            http_cfg.threads = (unsigned)v;
        } else if (strcmp(f, "--seed") == 0) {
            if (!a || lg_parse_uint(a, UINT64_MAX, &v) != 0)
                return bad(f, a);
            api_cfg.seed = v;
        } else if (strcmp(f, "--lifetime") == 0) {
            if (!a || lg_parse_uint(a, 365ull * 86400, &lifetime_s) != 0)
                return bad(f, a);
        } else if (strcmp(f, "--questions") == 0) {
            if (!a || lg_parse_uint(a, 100, &v) != 0 || v == 0)
                return bad(f, a);
            api_cfg.questions = (int)v;
        } else if (strcmp(f, "--season") == 0) {
            if (!a || !*a || strlen(a) >= 32)
                return bad(f, a);
            api_cfg.season = a;
        } else if (strcmp(f, "--mint-delay") == 0) {
            if (!a || lg_parse_duration_us(a, 1000000, &api_cfg.mint_delay_us) != 0)
                return bad(f, a);
        } else if (strcmp(f, "--mint-fail") == 0) {
            if (parse_share(a, &api_cfg.mint_fail) != 0)
                return bad(f, a);
        } else if (strcmp(f, "--mint-stuck") == 0) {
            api_cfg.mint_stuck = 1;
            takes = 0;
        } else if (strcmp(f, "--cors-origin") == 0) {
            if (!a || http_cfg.n_cors_origins >= LG_HTTP_MAX_ORIGINS)
                return bad(f, a);
            http_cfg.cors_origins[http_cfg.n_cors_origins++] = a;
        } else if (strcmp(f, "--cors-broken") == 0) {
            http_cfg.faults.cors_broken = 1;
            takes = 0;
        } else if (strcmp(f, "--latency") == 0) {
            struct lg_faults *fl = &http_cfg.faults;
            if (fl->n_latency >= LG_FAULT_MAX_ROUTES ||
                lg_fault_parse_route(a, 1, &fl->latency[fl->n_latency]) != 0)
                return bad(f, a);
            fl->n_latency++;
        } else if (strcmp(f, "--stall") == 0) {
            struct lg_faults *fl = &http_cfg.faults;
            if (fl->n_stall >= LG_FAULT_MAX_ROUTES ||
                lg_fault_parse_route(a, 0, &fl->stall[fl->n_stall]) != 0)
                return bad(f, a);
            fl->n_stall++;
        } else if (strcmp(f, "--error-share") == 0) {
            if (parse_share(a, &http_cfg.faults.error_share) != 0)
                return bad(f, a);
        } else if (strcmp(f, "--reset-share") == 0) {
            if (parse_share(a, &http_cfg.faults.reset_share) != 0)
                return bad(f, a);
        } else if (strcmp(f, "--missing-header") == 0) {
            struct lg_faults *fl = &http_cfg.faults;
            if (!a || !*a || fl->n_missing_headers >= LG_FAULT_MAX_HEADERS)
                return bad(f, a);
            fl->missing_headers[fl->n_missing_headers++] = a;
        } else if (strcmp(f, "--cert") == 0) {
            if (!a)
                return bad(f, a);
            cert_file = a;
        } else if (strcmp(f, "--key") == 0) {
            if (!a)
                return bad(f, a);
            key_file = a;
        } else if (strcmp(f, "--max-items") == 0) {
            if (!a || lg_parse_uint(a, 100000000, &v) != 0 || v == 0)
                return bad(f, a);
            api_cfg.max_items = v;
        } else {
            fprintf(stderr, "loadgate-target: unknown option '%s'\n%s", f, usage);
            return 2;
        }
        i += takes;
    }
    if (!cert_file != !key_file) {
        fprintf(stderr, "loadgate-target: --cert and --key go together\n");
        return 2;
    }
    if (http_cfg.n_cors_origins == 0)
        http_cfg.cors_origins[http_cfg.n_cors_origins++] = "https://app.example.com";
    http_cfg.seed = api_cfg.seed;

    if (cert_file) {
        cert = read_file(cert_file);
        key = read_file(key_file);
        if (!cert || !key) {
            fprintf(stderr, "loadgate-target: cannot read %s: %s\n", !cert ? cert_file : key_file,
                    strerror(errno));
            goto out;
        }
        http_cfg.cert_pem = cert;
        http_cfg.key_pem = key;
    }

    /* Block the stop signals before any thread starts, so that only sigtimedwait
     * below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    api = lg_api_new(&api_cfg);
    uint16_t port = 0;
    if (lg_http_start(&http_cfg, api, &http, &port) != 0)
        goto out;
    printf("listening on %s://127.0.0.1:%u\n", cert ? "https" : "http", port);
    fflush(stdout);

    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)lifetime_s;
    for (;;) {
        struct timespec now, wait = {.tv_sec = 3600};
        if (lifetime_s) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            int64_t left_ns = (int64_t)(deadline.tv_sec - now.tv_sec) * 1000000000 +
                              (deadline.tv_nsec - now.tv_nsec);
            if (left_ns <= 0)
                break;
            wait.tv_sec = left_ns / 1000000000;
            wait.tv_nsec = left_ns % 1000000000;
        }
        int sig = sigtimedwait(&stop, NULL, &wait);
        if (sig == SIGINT || sig == SIGTERM)
            break;
    }
    rc = 0;
out:
    lg_http_stop(http);
    lg_api_free(api);
    free(cert);
    free(key);
    return rc;
}
