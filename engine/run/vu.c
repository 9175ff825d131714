/* vu: the virtual user's state machine. Each request is rendered from compiled
 * templates onto the VU's one reused easy handle; its completion evaluates checks
 * and captures, records metrics, and moves the VU to its next step, poll, item or
 * iteration. Nothing here parses a string the loader could have compiled. */
#include "vu.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "url.h"
#include "jnum.h"
#include "host.h"
#include "plan.h"
#include "transport.h"
#include "pacer.h"

/* The capacity of a VU's response buffer kept between requests; a larger one is
 * freed after its response (a new one grows again as needed). */
#define LG_RESP_KEEP_BYTES (64 * 1024)

static void run_step(struct lg_vu *vu);
static void iteration_begin(struct lg_vu *vu);
static void send_now(struct lg_vu *vu, bool paced);
static bool pace(struct lg_vu *vu, int64_t now);

/* CURLOPT_WRITEFUNCTION: counts the body, and keeps it in the VU's buffer when a
 * check or capture reads it. libcurl calls it with decoded bytes (a small gzip body
 * that inflates without end is stopped here too) in pieces of at most
 * CURLOPT_BUFFERSIZE (its decoders' own 16 KiB at most). Past the step's max_body
 * the transfer stops: returning less than given fails it with CURLE_WRITE_ERROR. */
static size_t write_cb(char *data, size_t size, size_t n, void *userp)
{
    struct lg_vu *vu = userp;
    size_t len = size * n;
    if (vu->body_bytes + len > vu->max_body) {
        vu->body_too_large = true;
        return 0;
    }
    if (vu->keep_body)
        lg_buf_append(&vu->resp, data, len);
    vu->body_bytes += len;
    return len;
}

/* CURLOPT_PREREQFUNCTION: libcurl calls it each time the request is about to go
 * out on a connection (lib/multi.c, state MSTATE_DO), so once per attempt, the
 * attempts after a redirect included. An attempt beyond the first that no redirect
 * explains (CURLINFO_REDIRECT_COUNT) is libcurl sending the request again on a new
 * connection because a reused one closed without a byte of answer
 * (Curl_retry_request): let it go and count it for idempotent methods; refuse it
 * for the others, whose body the server may have acted on already. Runs per
 * attempt: no allocation, no formatting.
 * For steps that check TLS, the connection and its TLS session are established
 * and still attached to the handle here (by the end of the transfer libcurl has
 * released them), so this is also where the version and the peer certificate's
 * expiry are read; again after a redirect.
 * Before a hop that a redirect led to, the origin guard decides what of the
 * request may go along (origin.h).
 * Under a rate cap, every attempt after the first (a redirect's hop, a re-send)
 * is a request the server receives too, so it is accounted to the pacer: it
 * cannot wait (libcurl sends it on return), so it takes a free turn or the next
 * one that comes (lg_pacer_extra). Otherwise a step that redirects twice would
 * send three times the cap. */
static int prereq_cb(void *clientp, char *primary_ip, char *local_ip, int primary_port,
                     int local_port)
{
    struct lg_vu *vu = clientp;
    long redirects = 0;
    vu->on_wire = true;
    vu->attempts++;
    struct lg_pacer *pacer = vu->host->pacer;
    if (vu->sends++ > 0 && pacer)
        lg_pacer_extra(pacer, lg_now_us());
    if (vu->attempts > 1) /* the first attempt of a transfer follows no redirect */
        curl_easy_getinfo(vu->easy, CURLINFO_REDIRECT_COUNT, &redirects);
    if ((long)vu->attempts - 1 - redirects > (long)vu->replays) {
        if (!vu->idempotent) {
            vu->replay_refused = true;
            return CURL_PREREQFUNC_ABORT;
        }
        vu->replays++;
    }
    if (redirects > 0) {
        struct lg_header_list *h = vu->req_hdrs;
        vu->opts_known = false; /* the guard may replace the header list */
        lg_origin_guard_hop(&vu->origin, vu->easy, vu->req_cu, vu->url.data, h ? h->nodes : NULL,
                            h ? h->same_origin_only : NULL, h ? h->n : 0);
    }
    if (!vu->tls_wanted)
        return CURL_PREREQFUNC_OK;
    struct curl_tlssessioninfo *ti = NULL;
    vu->tls_known = false;
    if (curl_easy_getinfo(vu->easy, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK || !ti ||
        ti->backend != CURLSSLBACKEND_OPENSSL || !ti->internals)
        return CURL_PREREQFUNC_OK; /* not TLS: the check says "not HTTPS" */
    SSL *ssl = ti->internals;
    X509 *cert = SSL_get0_peer_certificate(ssl);
    struct tm tm;
    if (cert && ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) {
        vu->tls_version = SSL_version(ssl);
        vu->tls_not_after = (int64_t)timegm(&tm);
        vu->tls_known = true;
    }
    return CURL_PREREQFUNC_OK;
}

/* CURLOPT_SOCKOPTFUNCTION: a socket for a new connection, about to connect. From
 * here the request has reached the wire (prereq_cb says so on a reused one). */
static int sockopt_cb(void *clientp, curl_socket_t fd, curlsocktype purpose)
{
    struct lg_vu *vu = clientp;
    vu->on_wire = true;
    return CURL_SOCKOPT_OK;
}

static const struct lg_step *cur_step(const struct lg_vu *vu)
{
    return &vu->sc->steps[vu->step];
}

static void wait_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct lg_vu *vu = t->data;
    if (vu->idle_pending) { /* open model: the deferred hand-back (iteration_end) */
        vu->idle_pending = false;
        vu->busy = false;
        vu->host->vu_idle(vu->host, vu);
        return;
    }
    if (vu->pace_at_us) {
        /* The timer runs on the loop's cached clock, which may lag: never send
         * before the reserved instant. */
        int64_t now = lg_now_us();
        if (now < vu->pace_at_us) {
            ev_timer_set(&vu->wait, (double)(vu->pace_at_us - now) / 1e6, 0.);
            ev_timer_start(vu->host->loop, &vu->wait);
            return;
        }
        vu->pace_at_us = 0;
        /* The turn goes to a hop that went out without one, if one is owed: then
         * this request reserves again. */
        if (lg_pacer_settle(vu->host->pacer) && pace(vu, now))
            return;
        send_now(vu, true);
        return;
    }
    run_step(vu);
}

/* Continues with run_step after `us` microseconds (0: on the next loop pass, which
 * also keeps a scenario of skipped steps from recursing). */
static void continue_after(struct lg_vu *vu, int64_t us)
{
    ev_timer_stop(vu->host->loop, &vu->wait);
    ev_timer_set(&vu->wait, (double)us / 1e6, 0.);
    ev_timer_start(vu->host->loop, &vu->wait);
}

static void vu_finish(struct lg_vu *vu)
{
    if (vu->done)
        return;
    vu->done = true;
    ev_timer_stop(vu->host->loop, &vu->wait);
    if (vu->busy) {
        vu->busy = false;
        vu->host->vu_done(vu->host);
    }
}

static void clear_slots(struct lg_vu *vu)
{
    for (size_t i = 0; i < vu->n_slots; i++) {
        json_decref(vu->slots[i]);
        vu->slots[i] = NULL;
    }
}

int lg_vu_init(struct lg_vu *vu, struct lg_host *w, uint32_t id, uint64_t run_seed)
{
    const struct lg_plan *p = w->plan;
    memset(vu, 0, sizeof(*vu));
    vu->id = id;
    vu->transfer_slot = id;
    vu->host = w;
    vu->run_seed = run_seed;
    lg_rng_seed(&vu->rng, run_seed + id);
    vu->easy = curl_easy_init();
    if (!vu->easy)
        return LG_ECURL;
    vu->n_slots = p->max_slots;
    vu->slots = lg_calloc(p->max_slots, sizeof(json_t *));
    ev_timer_init(&vu->wait, wait_cb, 0., 0.);
    vu->wait.data = vu;

    CURL *e = vu->easy;
    curl_easy_setopt(e, CURLOPT_PRIVATE, vu);
    lg_transport_attach(w->transport, e);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, vu->errbuf); /* written on failure only */
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, vu);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, prereq_cb);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, vu);
    curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, sockopt_cb);
    curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, vu);
    if (lg_origin_guard_init(&vu->origin, e)) /* in-memory jar, one per VU */
        return LG_ECURL;
    /* The User-Agent goes in the request's header list (lg_request_render_headers): as
     * CURLOPT_USERAGENT, libcurl 7.88 formats it anew for every request, byte by
     * byte. A proxy's CONNECT sees only this option, so it stays set then. */
    if (p->proxy_from_env)
        curl_easy_setopt(e, CURLOPT_USERAGENT, LG_USER_AGENT);
    /* Said, never left to libcurl, which would negotiate h2 wherever TLS offers it.
     * Prior knowledge is h2c for http:// and ALPN for https://; a TLS server that
     * offers only http/1.1 gets HTTP/1.1 (each step reports what was used). */
    if (p->http == LG_HTTP_2) {
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
        /* Multiplexed: wait for a connection being set up rather than open another. */
        if (p->multiplex)
            curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    }
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)LG_MAX_REDIRECTS);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (p->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, p->ca_file);
    /* No proxy variable was set at start: an empty proxy and an empty no-proxy list
     * spare libcurl its look-ups of the environment for every request (a getenv of
     * each *_proxy, and of no_proxy and NO_PROXY even with the proxy set empty). */
    if (!p->proxy_from_env) {
        curl_easy_setopt(e, CURLOPT_PROXY, "");
        curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    }
    /* Sized by the number of VUs (lg_plan_init): at 16 KiB, the buffers alone would
     * hold 160 MiB for 10,000 virtual users. */
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, p->recv_buffer);
    /* Set, the option makes libcurl decode the response before write_cb, so checks,
     * captures and the byte count see the decoded body, as a browser's user would.
     * The header that asks for the encodings is in the request's header list
     * (p->accept_encoding): left to libcurl, it is formatted anew for every
     * request, byte by byte, as the User-Agent would be. */
    if (p->accept_encoding)
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    if (p->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    return LG_OK;
}

void lg_vu_free(struct lg_vu *vu)
{
    if (!vu)
        return;
    if (vu->in_flight) {
        lg_transport_cancel(vu->host->transport, vu->easy, vu->transfer_slot);
        lg_origin_guard_end(&vu->origin, vu->easy);
        vu->in_flight = false;
    }
    clear_slots(vu);
    free(vu->slots);
    lg_wallet_free(vu->wallet);
    lg_feed_rows_free(&vu->feed_rows);
    if (vu->easy)
        curl_easy_cleanup(vu->easy);
    lg_origin_guard_free(&vu->origin);
    lg_header_list_free(&vu->hdrs);
    lg_buf_free(&vu->url);
    lg_buf_free(&vu->resend_url);
    lg_buf_free(&vu->body);
    lg_buf_free(&vu->resp);
}

void lg_vu_start(struct lg_vu *vu)
{
    vu->busy = true;
    vu->parked = false;
    vu->step = SIZE_MAX; /* wait_cb begins an iteration */
    continue_after(vu, 0);
}

/* Open model: the first request of an iteration that started late is measured from
 * when the iteration was due (coordinated omission, as wrk2 does), not from when
 * it got a VU. */
static void correct_first(struct lg_vu *vu, struct lg_sample *s)
{
    if (!vu->first_pending)
        return;
    vu->first_pending = false;
    /* The wait for the rate cap (limits.max_rate) is the harness's own pacing, which
     * the user asked for: the service is not blamed for it. */
    int64_t late = vu->req_start_us - vu->sched_us - vu->first_paced_us;
    if (vu->sched_us && late > 0) {
        s->uncorrected_us = s->total_us;
        s->total_us += late;
    }
}

/* The iteration in progress is cut short by the end of the run. It is a duration
 * sample only when it ended in an unfinished request (see lg_metrics_interrupted). */
static void iteration_interrupted(struct lg_vu *vu, int64_t now, bool unfinished)
{
    if (!vu->in_iteration)
        return;
    vu->in_iteration = false;
    lg_metrics_interrupted(&vu->host->metrics, vu->sc->index,
                           now - (vu->sched_us ? vu->sched_us : vu->iter_start_us),
                           now - vu->iter_start_us, vu->iter_failed, unfinished);
}

void lg_vu_stop(struct lg_vu *vu)
{
    int64_t now = lg_now_us();
    /* A request that had not reached the wire (no connection begun for it, nothing
     * sent: it was started just now) is cancelled uncounted, its iteration merely
     * interrupted: the run ended before it, not the server. */
    bool unfinished = vu->in_flight && vu->on_wire;
    if (unfinished) {
        /* What a server that never answers looks like: a failure, timed until now
         * (ttfb too, unless the first byte came). */
        curl_off_t ttfb = 0;
        curl_easy_getinfo(vu->easy, CURLINFO_STARTTRANSFER_TIME_T, &ttfb);
        struct lg_sample s = {.err = LG_ERRC_UNFINISHED,
                              .total_us = now - vu->req_start_us,
                              .bytes_in = vu->body_bytes,
                              .retries = vu->replays};
        s.ttfb_us = ttfb > 0 && ttfb < s.total_us ? (int64_t)ttfb : s.total_us;
        correct_first(vu, &s);
        lg_metrics_record(&vu->host->metrics, cur_step(vu)->id, &s);
        vu->iter_failed = true;
    }
    if (vu->in_flight) {
        lg_transport_cancel(vu->host->transport, vu->easy, vu->transfer_slot);
        lg_origin_guard_end(&vu->origin, vu->easy);
        vu->in_flight = false;
    }
    vu->pace_at_us = 0; /* a request waiting for the rate cap was never sent */
    iteration_interrupted(vu, now, unfinished);
    vu_finish(vu);
}

static struct lg_tmpl_ctx tmpl_ctx(struct lg_vu *vu)
{
    return (struct lg_tmpl_ctx){
        .slots = vu->slots,
        .n_slots = vu->sc ? vu->sc->scope.n : 0,
        .scope = vu->sc ? &vu->sc->scope : NULL,
        .vu_id = vu->id,
        .iteration = vu->iteration,
        .rng = &vu->rng,
        .scratch = &vu->host->tmpl_scratch,
        .data = &vu->feed_rows,
        .wallet = &vu->wallet,
        .wallet_seed = vu->run_seed,
    };
}

static void iteration_end(struct lg_vu *vu)
{
    struct lg_host *w = vu->host;
    int64_t now = lg_now_us();
    vu->in_iteration = false;
    lg_metrics_iteration(&w->metrics, vu->sc->index,
                         now - (vu->sched_us ? vu->sched_us : vu->iter_start_us),
                         now - vu->iter_start_us, vu->iter_failed);
    vu->iteration++;
    vu->step = SIZE_MAX;
    if (vu->sched_us && vu->iter_sent) { /* open model: back to the worker's pool */
        vu->busy = false;
        w->vu_idle(w, vu);
    } else if (vu->sched_us) {
        /* Sent nothing: hand back from the loop, or a queue of due iterations that
         * all fail before sending would recurse once per queued iteration. */
        vu->idle_pending = true;
        continue_after(vu, 0);
    } else if (vu->iter_sent) {
        /* The next iteration begins at once: its first request returns to the loop,
         * so this cannot recurse. */
        iteration_begin(vu);
    } else {
        continue_after(vu, 0); /* sent nothing (skipped steps): yield to the loop */
    }
}

/* Picks the scenario and runs the first step of a new iteration. */
static void start_iteration(struct lg_vu *vu, int64_t sched_us)
{
    const struct lg_plan *p = vu->host->plan;
    size_t k = 0;
    if (vu->host->in_turn) {
        k = atomic_fetch_add_explicit(vu->host->next_scenario, vu->host->turn_step,
                                      memory_order_relaxed) %
            p->suite->n_scenarios;
    } else if (p->suite->n_scenarios > 1) {
        double r = lg_rng_double(&vu->rng);
        while (k + 1 < p->suite->n_scenarios && r >= p->scenario_cdf[k])
            k++;
    }
    vu->sc = &p->suite->scenarios[k];
    if (lg_feeds_next(vu->sc->feeds, vu->sc->n_feeds, &vu->feed_rows, &vu->rng) ==
        LG_FEED_EXHAUSTED) {
        /* A unique feed is used up: no iteration can start for this VU any more. In
         * the open model the arrival it took never starts: dropped, so that what
         * was due still adds up (started = finished + interrupted). */
        vu->host->metrics.feed_exhausted++;
        if (sched_us)
            vu->host->metrics.dropped++;
        vu_finish(vu);
        return;
    }
    clear_slots(vu);
    for (size_t i = 0; i < vu->sc->scope.n; i++)
        vu->slots[i] = vu->sc->init[i] ? json_incref(vu->sc->init[i]) : NULL;
    vu->iter_start_us = lg_now_us();
    vu->sched_us = sched_us;
    vu->in_iteration = true;
    vu->first_pending = true;
    vu->first_paced_us = 0;
    vu->pace_at_us = 0;
    vu->iter_sent = false;
    vu->iter_failed = false;
    vu->step = 0;
    vu->item = 0;
    vu->poll_start_us = 0;
    run_step(vu);
}

void lg_vu_begin(struct lg_vu *vu, int64_t sched_us)
{
    vu->done = false;
    vu->busy = true;
    start_iteration(vu, sched_us);
}

static void iteration_begin(struct lg_vu *vu)
{
    struct lg_host *w = vu->host;
    if (!w->stopping && !w->vu_wanted(w, vu)) {
        vu->parked = true;
        vu->busy = false;
        w->vu_done(w);
        return;
    }
    if (w->stopping || !w->take_iteration(w)) {
        vu_finish(vu);
        return;
    }
    start_iteration(vu, 0);
}

/* Moves to the next step, or the next item of a for_each, after the think time. */
static void advance(struct lg_vu *vu, bool think)
{
    const struct lg_step *st = cur_step(vu);
    vu->poll_start_us = 0;
    if (st->foreach_slot >= 0)
        vu->item++;
    else
        vu->step++;
    int64_t pause = 0;
    if (think && st->think_max_us > 0)
        pause = st->think_min_us == st->think_max_us
                    ? st->think_min_us
                    : lg_rng_range(&vu->rng, st->think_min_us, st->think_max_us);
    if (pause > 0)
        continue_after(vu, pause);
    else
        run_step(vu);
}

/* Ends the current step as failed: the iteration fails, and stops unless the step
 * says on_failure: continue. */
static void step_failed(struct lg_vu *vu)
{
    const struct lg_step *st = cur_step(vu);
    vu->iter_failed = true;
    if (st->on_failure == LG_ON_FAILURE_CONTINUE) {
        vu->item = 0;
        vu->poll_start_us = 0;
        vu->step++;
        run_step(vu);
    } else {
        iteration_end(vu);
    }
}

/* The step's request could not be sent: the step fails, but nothing reached the
 * wire, so it is counted apart from requests (lg_metrics_unsent). */
static void record_unsent(struct lg_vu *vu, enum lg_unsent_why why)
{
    lg_metrics_unsent(&vu->host->metrics, cur_step(vu)->id, why);
    step_failed(vu);
}

/* Gives the easy handle the request's URL, header list, method, redirect rule and
 * timeout: each option only when it differs from what the handle holds from its
 * last request (vu->opts_known), as setting it costs libcurl a call each time. A
 * body goes with every request that has one, as its bytes are rendered anew. */
static void set_options(struct lg_vu *vu, const struct lg_request *rq, CURLU *cu,
                        struct curl_slist *hdrs)
{
    CURL *e = vu->easy;
    bool known = vu->opts_known;
    if (cu) {
        if (!known || vu->set_cu != cu)
            curl_easy_setopt(e, CURLOPT_CURLU, cu);
    } else {
        if (!known || vu->set_cu)
            curl_easy_setopt(e, CURLOPT_CURLU, NULL);
        curl_easy_setopt(e, CURLOPT_URL, vu->url.data); /* rendered anew */
    }
    vu->set_cu = cu;
    if (!known || vu->set_hdrs != hdrs)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    vu->set_hdrs = hdrs;

    bool has_body = rq->body_kind != LG_BODY_NONE;
    bool plain = !has_body && rq->method_kind != LG_METHOD_POST;
    if (!known || !plain || vu->set_method != rq) {
        /* Method: reset what an earlier request of this handle may have set. */
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        if (rq->method_kind == LG_METHOD_HEAD) {
            curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        } else if (!plain) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)vu->body.len);
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, vu->body.data ? vu->body.data : "");
            if (rq->method_kind != LG_METHOD_POST)
                curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
        } else if (rq->method_kind != LG_METHOD_GET) {
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
        }
    }
    vu->set_method = plain ? rq : NULL;

    long follow = rq->follow ? 1L : 0L;
    if (!known || vu->set_follow != follow)
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, follow);
    vu->set_follow = follow;
    long timeout_ms = (long)((rq->timeout_us ? rq->timeout_us : LG_DEFAULT_TIMEOUT_US) / 1000);
    if (!known || vu->set_timeout_ms != timeout_ms)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    vu->set_timeout_ms = timeout_ms;
    vu->opts_known = true;
}

/* Renders and starts the current step's request. Returns -1 when it is on its
 * way, else why it could not be sent (enum lg_unsent_why): nothing reached the
 * wire, and the caller counts it as unsent. */
static int send_request(struct lg_vu *vu)
{
    struct lg_host *w = vu->host;
    const struct lg_step *st = cur_step(vu);
    const struct lg_request *rq = &st->req;
    struct lg_tmpl_ctx ctx = tmpl_ctx(vu);
    CURL *e = vu->easy;
    int unset = -1;

    CURLU *cu = w->plan->const_url[st->id];
    vu->req_cu = cu;
    if (!cu) {
        int rc = lg_request_render_url(st, w->plan->base_url, &ctx, &vu->url, &unset);
        if (rc)
            return rc == LG_EUNSAFE  ? LG_UNSENT_UNSAFE_URL
                   : rc == LG_EUNSET ? LG_UNSENT_UNSET
                                     : LG_UNSENT_BAD_VALUE;
    }

    lg_buf_reset(&vu->body);
    if (rq->body_kind != LG_BODY_NONE) {
        int rc = lg_tmpl_render(rq->body, &ctx, &vu->body, &unset);
        if (rc)
            return rc == LG_EUNSET ? LG_UNSENT_UNSET : LG_UNSENT_BAD_VALUE;
    }

    vu->req_hdrs = &w->plan->const_headers[st->id];
    struct curl_slist *hdrs = lg_header_list_head(vu->req_hdrs);
    if (!hdrs) {
        int rc = lg_request_render_headers(st, w->plan->env, w->plan->accept_encoding, &ctx,
                                           &vu->hdrs, &unset);
        if (rc)
            return rc == LG_EUNSAFE  ? LG_UNSENT_UNSAFE_HEADER
                   : rc == LG_EUNSET ? LG_UNSENT_UNSET
                                     : LG_UNSENT_BAD_VALUE;
        vu->req_hdrs = &vu->hdrs;
        hdrs = lg_header_list_head(&vu->hdrs);
    }
    set_options(vu, rq, cu, hdrs);
    /* A link a server gave (url: "{{next}}") gets the secret headers and the
     * cookies only on the base URL's origin, as a redirect would. */
    if (!cu && rq->origin_rendered && lg_url_kind(vu->url.data, vu->url.len, NULL) == LG_URL_HTTP &&
        lg_origin_guard_foreign(&vu->origin, e, vu->url.data, w->plan->base_url,
                                vu->req_hdrs->nodes, vu->req_hdrs->same_origin_only,
                                vu->req_hdrs->n))
        vu->opts_known = false; /* it replaced the header list */
    vu->tls_known = false;
    vu->tls_wanted = st->needs_tls;
    vu->idempotent = rq->idempotent;
    vu->attempts = vu->replays = vu->sends = 0;
    vu->resends = 0;
    vu->resent_us = 0;
    vu->replay_refused = false;
    vu->on_wire = false;

    lg_buf_reset(&vu->resp);
    vu->body_bytes = 0;
    vu->keep_body = w->plan->keep_body[st->id];
    vu->max_body = w->plan->max_body[st->id];
    vu->body_too_large = false;
    if (lg_transport_start(w->transport, e, vu->transfer_slot))
        return LG_UNSENT_REFUSED; /* refused before anything was sent */
    vu->in_flight = true;
    vu->iter_sent = true;
    vu->req_start_us = lg_now_us();
    if (!vu->poll_start_us)
        vu->poll_start_us = vu->req_start_us;
    return -1;
}

/* Sends the current step's request now; one that cannot be sent is counted so.
 * paced: it waited for the rate cap. */
static void send_now(struct lg_vu *vu, bool paced)
{
    int why = send_request(vu);
    if (why >= 0)
        record_unsent(vu, why);
    else if (paced)
        vu->host->metrics.paced++;
}

/* Under the environment's rate cap: reserves the current request's turn, and
 * returns true when it is not yet (the VU then waits on its timer, as in think
 * time; the wait is not part of the request's latency). A turn that comes while
 * requests that went out without one are owed is given to them (lg_pacer_settle),
 * and the request reserves again. Returns false when it may be sent now. */
static bool pace(struct lg_vu *vu, int64_t now)
{
    struct lg_pacer *p = vu->host->pacer;
    if (!p)
        return false;
    for (;;) {
        int64_t at = lg_pacer_reserve(p, now);
        if (at > now) {
            if (vu->first_pending)
                vu->first_paced_us += at - now;
            vu->pace_at_us = at;
            continue_after(vu, at - now);
            return true;
        }
        if (!lg_pacer_settle(p))
            return false;
    }
}

/* Sends the current step's request, after the instant the run's pacer gives it
 * when the environment caps the request rate. */
static void send_paced(struct lg_vu *vu)
{
    if (!pace(vu, lg_now_us()))
        send_now(vu, false);
}

static void run_step(struct lg_vu *vu)
{
    struct lg_host *w = vu->host;
    if (vu->done)
        return;
    if (vu->step == SIZE_MAX) {
        iteration_begin(vu);
        return;
    }
    for (;;) {
        if (vu->step >= vu->sc->n_steps) { /* finished, even if the run is stopping */
            iteration_end(vu);
            return;
        }
        if (w->stopping) {
            iteration_interrupted(vu, lg_now_us(), false);
            vu_finish(vu);
            return;
        }
        const struct lg_step *st = cur_step(vu);
        if (vu->item == 0 && !vu->poll_start_us && st->weight < 1.0 &&
            lg_rng_double(&vu->rng) >= st->weight) {
            vu->step++;
            continue;
        }
        if (st->foreach_slot >= 0) {
            json_t *list = vu->slots[st->foreach_slot];
            if (!json_is_array(list)) {
                record_unsent(vu, LG_UNSENT_NO_LIST);
                return;
            }
            if (vu->item >= json_array_size(list)) {
                vu->item = 0;
                vu->step++;
                continue;
            }
            json_decref(vu->slots[st->foreach_var]);
            vu->slots[st->foreach_var] = json_incref(json_array_get(list, vu->item));
        }
        send_paced(vu);
        return;
    }
}

/* Maps a libcurl result to an error class (DESIGN.md section 3). */
static enum lg_errclass curl_errclass(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return LG_ERRC_NONE;
    case CURLE_OPERATION_TIMEDOUT:
        return LG_ERRC_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        return LG_ERRC_CONNECT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        return LG_ERRC_TLS;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return LG_ERRC_RESET;
    case CURLE_TOO_MANY_REDIRECTS:
        return LG_ERRC_REDIRECT;
    default:
        return LG_ERRC_OTHER;
    }
}

static int64_t info_us(CURL *e, CURLINFO what)
{
    curl_off_t v = 0;
    curl_easy_getinfo(e, what, &v);
    return (int64_t)v;
}

/* CURLINFO_HTTP_VERSION's value as a protocol. */
static enum lg_proto proto_of(long v)
{
    switch (v) {
    case CURL_HTTP_VERSION_1_0:
        return LG_PROTO_HTTP_1_0;
    case CURL_HTTP_VERSION_1_1:
        return LG_PROTO_HTTP_1_1;
    case CURL_HTTP_VERSION_2_0:
        return LG_PROTO_HTTP_2;
    case CURL_HTTP_VERSION_3:
        return LG_PROTO_HTTP_3;
    default:
        return LG_PROTO_NONE;
    }
}

static void fill_timings(CURL *e, struct lg_sample *s)
{
    long status = 0, connects = 0, version = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
    s->proto = status > 0 ? proto_of(version) : LG_PROTO_NONE;
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
    s->status = (int)status;
    s->total_us = info_us(e, CURLINFO_TOTAL_TIME_T);
    s->ttfb_us = info_us(e, CURLINFO_STARTTRANSFER_TIME_T);
    if (connects > 0) {
        /* NAMELOOKUP_TIME_T counts from the start to the end of the lookup: near 0
         * for an IP literal or a name in the multi handle's DNS cache. */
        int64_t dns = info_us(e, CURLINFO_NAMELOOKUP_TIME_T);
        s->new_conn = true;
        int64_t conn = info_us(e, CURLINFO_CONNECT_TIME_T);
        int64_t app = info_us(e, CURLINFO_APPCONNECT_TIME_T);
        s->dns_us = dns;
        s->connect_us = conn > dns ? conn - dns : 0;
        s->tls_us = app > conn ? app - conn : 0;
    }
}

/* struct lg_response callbacks over the finished easy handle. */
static const char *resp_header(void *ud, const char *name)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(ud, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
        return NULL;
    return h->value;
}

static char *resp_cookie(void *ud, const char *name)
{
    struct curl_slist *list = NULL;
    char *found = NULL;
    if (curl_easy_getinfo(ud, CURLINFO_COOKIELIST, &list) != CURLE_OK)
        return NULL;
    /* Netscape cookie-file lines: domain, flag, path, secure, expiry, name, value. */
    for (struct curl_slist *l = list; l && !found; l = l->next) {
        const char *f = l->data;
        for (int tab = 0; tab < 5 && f; tab++) {
            f = strchr(f, '\t');
            if (f)
                f++;
        }
        if (!f)
            continue;
        const char *v = strchr(f, '\t');
        if (v && (size_t)(v - f) == strlen(name) && !strncmp(f, name, (size_t)(v - f)))
            found = lg_strdup(v + 1);
    }
    curl_slist_free_all(list);
    return found;
}

/* struct lg_response's TLS callback: what prereq_cb kept. */
static int resp_tls(void *ud, int *version, int64_t *not_after_unix)
{
    struct lg_vu *vu = NULL;
    curl_easy_getinfo((CURL *)ud, CURLINFO_PRIVATE, (char **)&vu);
    if (!vu || !vu->tls_known)
        return -1;
    *version = vu->tls_version;
    *not_after_unix = vu->tls_not_after;
    return 0;
}

/* Runs the step's checks over the response, counts them and keeps the reasons of
 * those that fail; returns the error class they imply. A status >= 400 the step did
 * not expect (it has no status expectation, or that failed too) is http_4xx or
 * http_5xx whatever else failed, and every other failing check's reason starts with
 * "HTTP <status>: ", since the status is what went wrong first; otherwise a failed
 * check makes the request a `check` failure. */
static enum lg_errclass evaluate(struct lg_vu *vu, const struct lg_step *st,
                                 const struct lg_response *r)
{
    struct lg_metrics *m = &vu->host->metrics;
    struct lg_tmpl_ctx ctx = tmpl_ctx(vu);
    bool http_err = r->status >= 400 && !st->has_status_check, failed = false;
    char why[LG_REASON_MAX + 1];
    for (size_t i = 0; i < st->n_checks; i++) {
        const struct lg_check *c = &st->checks[i];
        if (c->kind == LG_CHECK_UNTIL)
            continue;
        int pre = http_err ? snprintf(why, sizeof(why), "HTTP %ld: ", r->status) : 0;
        if (lg_check_eval(c, r, &ctx, why + pre, sizeof(why) - (size_t)pre)) {
            lg_metrics_check(m, st->id, i, true);
            continue;
        }
        failed = true;
        if (c->kind == LG_CHECK_STATUS && r->status >= 400)
            http_err = true; /* the status check comes first: the others see it */
        lg_metrics_check_failed(m, st->id, i, why);
    }
    if (http_err)
        return r->status >= 500 ? LG_ERRC_HTTP_5XX : LG_ERRC_HTTP_4XX;
    return failed ? LG_ERRC_CHECK : LG_ERRC_NONE;
}

/* Whether every until-condition holds; if not, the first that does not writes its
 * reason into why. */
static bool until_holds(struct lg_vu *vu, const struct lg_step *st, const struct lg_response *r,
                        char *why, size_t whylen)
{
    struct lg_tmpl_ctx ctx = tmpl_ctx(vu);
    for (size_t i = 0; i < st->n_until; i++)
        if (!lg_check_eval(&st->until[i], r, &ctx, why, whylen))
            return false;
    return true;
}

/* Counts the step's until check (the LG_CHECK_UNTIL entry of its checks); why is
 * the reason when it failed. */
static void count_until(struct lg_vu *vu, const struct lg_step *st, bool ok, const char *why)
{
    for (size_t i = 0; i < st->n_checks; i++) {
        if (st->checks[i].kind != LG_CHECK_UNTIL)
            continue;
        if (ok)
            lg_metrics_check(&vu->host->metrics, st->id, i, true);
        else
            lg_metrics_check_failed(&vu->host->metrics, st->id, i, why);
    }
}

static bool apply_captures(struct lg_vu *vu, const struct lg_step *st, const struct lg_response *r)
{
    char why[160];
    for (size_t i = 0; i < st->n_captures; i++) {
        const struct lg_capture *c = &st->captures[i];
        json_t *v = NULL;
        if (lg_capture_eval(c, r, &v, why, sizeof(why)))
            return false;
        json_decref(vu->slots[c->slot]);
        vu->slots[c->slot] = c->kind == LG_CAPTURE_JSON ? lg_response_keep(v) : v;
    }
    return true;
}

/* libcurl before 8.17 counts its re-sends on a new connection (Curl_retry_request,
 * CONN_MAX_RETRIES 5) over the life of the easy handle, not per request, and resets
 * the count only when it gives up: a VU's every sixth re-send fails, the request
 * unanswered, with this message (the transfer's first, so nothing was received
 * before; libcurl clears the buffer when the transfer starts), as a send error, or
 * as the receive error a refused HTTP/2 stream reports. An HTTP/2 server's GOAWAY or
 * REFUSED_STREAM (streams it never processed) takes that path on every multiplexed
 * connection it retires. */
static bool curl_gave_up_resending(const struct lg_vu *vu, CURLcode rc)
{
    static const char msg[] = "Connection died, tried ";
    return (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR) &&
           !strncmp(vu->errbuf, msg, sizeof(msg) - 1);
}

/* Sends the request again on a new connection after libcurl gave up re-sending it
 * (curl_gave_up_resending): the re-send libcurl would have made had it counted per
 * request, under the same rule (idempotent methods only, prereq_cb) and counted
 * the same way, as one retry. Returns false when it cannot (the transport refused
 * the handle): the caller records the failure. */
static bool resend(struct lg_vu *vu, CURL *easy)
{
    long redirects = 0;
    char *effective = NULL;
    curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective);
    if (redirects > 0 && effective) {
        /* where the redirects led, as libcurl's own re-send would: not through them
         * again (copied before the option replaces libcurl's copy). vu->url keeps
         * the first URL, against which the origin guard judges later hops; the
         * guard's state, still that of the last hop, holds for this one. */
        lg_buf_reset(&vu->resend_url);
        lg_buf_puts(&vu->resend_url, effective);
        curl_easy_setopt(easy, CURLOPT_CURLU, NULL);
        curl_easy_setopt(easy, CURLOPT_URL, vu->resend_url.data);
        vu->opts_known = false;
    }
    vu->resent_us += info_us(easy, CURLINFO_TOTAL_TIME_T);
    vu->replays++;
    vu->attempts = vu->replays; /* the next prereq_cb is this send, not a replay */
    vu->errbuf[0] = '\0';
    lg_buf_reset(&vu->resp);
    vu->body_bytes = 0;
    vu->body_too_large = false;
    if (lg_transport_start(vu->host->transport, easy, vu->transfer_slot))
        return false;
    vu->in_flight = true;
    return true;
}

void lg_vu_transfer_done(void *priv, CURL *easy, CURLcode rc, void *ud)
{
    struct lg_vu *vu = priv;
    struct lg_host *w = vu->host;
    const struct lg_step *st = cur_step(vu);
    vu->in_flight = false;
    if (curl_gave_up_resending(vu, rc) && !w->stopping) {
        if (!vu->idempotent)
            vu->replay_refused = true; /* as prereq_cb refuses libcurl's own re-sends */
        else if (vu->resends++ < LG_MAX_RESENDS && resend(vu, easy))
            return;
    }
    lg_origin_guard_end(&vu->origin, easy); /* before the cookies are read */

    struct lg_sample s = {.err = curl_errclass(rc),
                          .bytes_in = vu->body_bytes,
                          .retries = vu->replays,
                          .retry_refused = vu->replay_refused};
    /* prereq_cb refused to send it again: the reused connection closed unanswered */
    if (rc != CURLE_OK && vu->replay_refused)
        s.err = LG_ERRC_RESET;
    if (rc == CURLE_WRITE_ERROR && vu->body_too_large)
        s.err = LG_ERRC_BODY_TOO_LARGE;
    fill_timings(easy, &s);
    /* the time lost before a resend counts: the request waited for it */
    s.total_us += vu->resent_us;
    if (s.ttfb_us > 0)
        s.ttfb_us += vu->resent_us;
    if (rc != CURLE_OK) {
        s.status = 0; /* a partial response is no response */
        s.proto = LG_PROTO_NONE;
    }
    correct_first(vu, &s);

    bool polling = false, until_counted = false;
    int64_t poll_wait_us = 0;
    char why[LG_REASON_MAX + 1];
    if (s.err == LG_ERRC_NONE) {
        struct lg_response r = {
            .status = s.status,
            .body = vu->resp.data ? vu->resp.data : "",
            .body_len = vu->resp.len,
            .total_us = s.total_us,
            .header = resp_header,
            .cookie = resp_cookie,
            .tls = resp_tls,
            .ud = easy,
            .secrets = &w->plan->suite->secrets,
        };
        json_error_t jerr;
        if (st->needs_json)
            lg_response_parse_json(&r, &jerr);
        s.err = evaluate(vu, st, &r);
        if (s.err == LG_ERRC_NONE && st->has_until) {
            int64_t left = st->until_timeout_us - (lg_now_us() - vu->poll_start_us);
            static const char timed_out[] = "timed out: ";
            memcpy(why, timed_out, sizeof(timed_out));
            if (until_holds(vu, st, &r, why + sizeof(timed_out) - 1,
                            sizeof(why) - (sizeof(timed_out) - 1))) {
                count_until(vu, st, true, NULL);
                until_counted = true;
            } else if (left > 0) {
                /* Poll again after `every`, or at the deadline if that comes first:
                 * the last look is taken when the timeout is reached, not before. */
                poll_wait_us = left < st->until_every_us ? left : st->until_every_us;
                polling = true;
            } else {
                count_until(vu, st, false, why);
                until_counted = true;
                s.err = LG_ERRC_CHECK;
            }
        }
        if (s.err == LG_ERRC_NONE && !polling && !apply_captures(vu, st, &r))
            s.err = LG_ERRC_CAPTURE;
        lg_response_release_json(&r);
    }
    lg_metrics_record(&w->metrics, st->id, &s);
    /* A large body's buffer is let go once read: kept, every VU would hold the
     * largest body it ever read until the run ends. */
    if (vu->resp.cap > LG_RESP_KEEP_BYTES)
        lg_buf_free(&vu->resp);

    if (s.err != LG_ERRC_NONE) {
        if (st->has_until && !until_counted) {
            snprintf(why, sizeof(why), "polling stopped by a failed request (%s)",
                     lg_errclass_name(s.err));
            count_until(vu, st, false, why);
        }
        step_failed(vu);
    } else if (polling) {
        continue_after(vu, poll_wait_us);
    } else {
        advance(vu, true);
    }
}
