/* Unit tests for transport: when finished transfers are reported. A response is
 * read when its socket is ready, but its transfer is reported to the owner only
 * once LG_READ_AHEAD responses have been read, or when the loop is about to poll
 * again (or on lg_transport_flush), so that the owner's work does not delay the
 * reading of other ready responses; the requests the owners start then leave
 * together. The server is a libmicrohttpd daemon on 127.0.0.1 that answers every
 * request after 20 ms, and can hold every answer until the test releases it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"
#include "util.h"

#define BODY "hello"
#define N_MAX LG_READ_AHEAD

struct fx {
    struct MHD_Daemon *mhd;
    char url[64];
    struct ev_loop *loop;
    struct lg_transport *t;
    CURL *easy[N_MAX];
    unsigned n_done;
    CURLcode result[N_MAX];
    long status[N_MAX];
    unsigned want; /* break the loop after this many reports */
    bool restart;  /* the done callback starts the transfer again */

    /* The server side. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool hold;            /* answers wait until the test clears this */
    unsigned received;    /* requests read in full (under mu) */
    atomic_uint answered; /* responses sent in full */
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **req)
{
    struct fx *f = cls;
    if (!*req) { /* first call: headers only */
        *req = c;
        return MHD_YES;
    }
    pthread_mutex_lock(&f->mu);
    f->received++;
    pthread_cond_broadcast(&f->cv);
    while (f->hold)
        pthread_cond_wait(&f->cv, &f->mu);
    pthread_mutex_unlock(&f->mu);
    usleep(20 * 1000); /* the response cannot be there when libcurl looks right after sending */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(BODY), (void *)BODY, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static void completed(void *cls, struct MHD_Connection *c, void **req,
                      enum MHD_RequestTerminationCode why)
{
    struct fx *f = cls;
    if (why == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        atomic_fetch_add(&f->answered, 1);
}

static unsigned received(struct fx *f)
{
    pthread_mutex_lock(&f->mu);
    unsigned n = f->received;
    pthread_mutex_unlock(&f->mu);
    return n;
}

static void release(struct fx *f)
{
    pthread_mutex_lock(&f->mu);
    f->hold = false;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static size_t discard(char *data, size_t size, size_t n, void *ud)
{
    return size * n;
}

static void done(void *priv, CURL *easy, CURLcode result, void *ud)
{
    struct fx *f = ud;
    unsigned i = (unsigned)(uintptr_t)priv;
    f->result[i] = result;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &f->status[i]);
    if (f->restart)
        assert_int_equal(lg_transport_start(f->t, easy, i), 0);
    if (++f->n_done == f->want)
        ev_break(f->loop, EVBREAK_ALL);
}

static int setup(void **state)
{
    struct fx *f = lg_calloc(1, sizeof(*f));
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    f->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
                              NULL, NULL, answer, f, MHD_OPTION_NOTIFY_COMPLETED, completed, f,
                              MHD_OPTION_END);
    assert_non_null(f->mhd);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->mhd, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%u/", (unsigned)info->port);
    f->loop = ev_loop_new(EVFLAG_AUTO);
    assert_non_null(f->loop);
    assert_int_equal(lg_transport_init(f->loop, N_MAX, done, f, &f->t), 0);
    for (unsigned i = 0; i < N_MAX; i++) {
        f->easy[i] = curl_easy_init();
        assert_non_null(f->easy[i]);
        lg_transport_attach(f->t, f->easy[i]);
        curl_easy_setopt(f->easy[i], CURLOPT_URL, f->url);
        curl_easy_setopt(f->easy[i], CURLOPT_PRIVATE, (void *)(uintptr_t)i);
        curl_easy_setopt(f->easy[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(f->easy[i], CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(f->easy[i], CURLOPT_PROXY, "");
        curl_easy_setopt(f->easy[i], CURLOPT_TIMEOUT_MS, 10000L); /* bounds every loop below */
        f->result[i] = CURLE_GOT_NOTHING;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    release(f); /* a failed test may have left answers held */
    for (unsigned i = 0; i < N_MAX; i++) {
        if (f->result[i] == CURLE_GOT_NOTHING) /* never reported: still in a multi handle */
            lg_transport_cancel(f->t, f->easy[i], i);
        curl_easy_cleanup(f->easy[i]);
    }
    lg_transport_free(f->t);
    ev_loop_destroy(f->loop);
    MHD_stop_daemon(f->mhd);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
    return 0;
}

static curl_off_t downloaded(CURL *easy)
{
    curl_off_t n = 0;
    curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &n);
    return n;
}

static void test_transport_reports_after_reading_not_during(void **state)
{
    struct fx *f = *state;
    assert_int_equal(lg_transport_start(f->t, f->easy[0], 0), 0);
    /* One loop pass at a time until the response has been read. */
    for (int pass = 0; pass < 1000 && downloaded(f->easy[0]) == 0; pass++)
        ev_run(f->loop, EVRUN_ONCE);
    assert_int_equal(downloaded(f->easy[0]), (curl_off_t)strlen(BODY));
    assert_int_equal(f->n_done, 0); /* read, not yet reported */

    lg_transport_flush(f->t);
    assert_int_equal(f->n_done, 1);
    assert_int_equal(f->result[0], CURLE_OK);
    assert_int_equal(f->status[0], 200);

    lg_transport_flush(f->t); /* nothing more to report */
    assert_int_equal(f->n_done, 1);
}

static void test_transport_loop_reports_every_transfer(void **state)
{
    struct fx *f = *state;
    f->want = N_MAX;
    for (unsigned i = 0; i < N_MAX; i++)
        assert_int_equal(lg_transport_start(f->t, f->easy[i], i), 0);
    ev_run(f->loop, 0);
    assert_int_equal(f->n_done, N_MAX);
    for (unsigned i = 0; i < N_MAX; i++) {
        assert_int_equal(f->result[i], CURLE_OK);
        assert_int_equal(f->status[i], 200);
    }
}

static void test_transport_reports_in_chunks_and_sends_together(void **state)
{
    struct fx *f = *state;
    f->hold = true;
    for (unsigned i = 0; i < N_MAX; i++)
        assert_int_equal(lg_transport_start(f->t, f->easy[i], i), 0);
    /* Connect and send, until the server holds every request. */
    for (int pass = 0; pass < 10000 && received(f) < N_MAX; pass++) {
        ev_run(f->loop, EVRUN_NOWAIT);
        usleep(1000);
    }
    assert_int_equal(received(f), N_MAX);
    /* Every response sent: each lies in its socket, all ready for one poll. */
    release(f);
    for (int i = 0; i < 10000 && atomic_load(&f->answered) < N_MAX; i++)
        usleep(1000);
    assert_int_equal(atomic_load(&f->answered), N_MAX);
    assert_int_equal(f->n_done, 0);

    /* One loop pass reads LG_READ_AHEAD (= N_MAX) responses; the last read reports
     * them all, and the transfers the reports start send their requests in it. */
    f->restart = true;
    ev_run(f->loop, EVRUN_ONCE);
    assert_int_equal(f->n_done, N_MAX);
    for (unsigned i = 0; i < N_MAX; i++) {
        assert_int_equal(f->result[i], CURLE_OK);
        assert_int_equal(f->status[i], 200);
    }
    /* The loop does not run here: the server gets the new requests only if that
     * pass sent them. */
    for (int i = 0; i < 10000 && received(f) < 2 * N_MAX; i++)
        usleep(1000);
    assert_int_equal(received(f), 2 * N_MAX);

    /* The second round finishes as well. */
    f->restart = false;
    f->want = 2 * N_MAX;
    ev_run(f->loop, 0);
    assert_int_equal(f->n_done, 2 * N_MAX);
    for (unsigned i = 0; i < N_MAX; i++)
        assert_int_equal(f->status[i], 200);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transport_reports_after_reading_not_during, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transport_loop_reports_every_transfer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transport_reports_in_chunks_and_sends_together, setup,
                                        teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
