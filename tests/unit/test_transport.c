/* Unit tests for transport: when finished transfers are reported. A response is
 * read when its socket is ready, but its transfer is reported to the owner only
 * when the loop is about to poll again (or on lg_transport_flush), so that the
 * owner's work does not delay the reading of other ready responses. The server is
 * a libmicrohttpd daemon on 127.0.0.1 that answers every request after 20 ms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transport.h"
#include "util.h"

#define BODY "hello"
#define N_MAX 3

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
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **req)
{
    if (!*req) { /* first call: headers only */
        *req = c;
        return MHD_YES;
    }
    usleep(20 * 1000); /* the response cannot be there when libcurl looks right after sending */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(BODY), (void *)BODY, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
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
    if (++f->n_done == f->want)
        ev_break(f->loop, EVBREAK_ALL);
}

static int setup(void **state)
{
    struct fx *f = lg_calloc(1, sizeof(*f));
    f->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0,
                              NULL, NULL, answer, NULL, MHD_OPTION_END);
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
    for (unsigned i = 0; i < N_MAX; i++) {
        if (f->result[i] == CURLE_GOT_NOTHING) /* never reported: still in a multi handle */
            lg_transport_cancel(f->t, f->easy[i], i);
        curl_easy_cleanup(f->easy[i]);
    }
    lg_transport_free(f->t);
    ev_loop_destroy(f->loop);
    MHD_stop_daemon(f->mhd);
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

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transport_reports_after_reading_not_during, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transport_loop_reports_every_transfer, setup,
                                        teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
