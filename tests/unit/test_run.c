/* test_run: the coordinator's own resources (lg_run). The open model's clock is a
 * timerfd; here timerfd_create is wrapped (-Wl,--wrap) to hand it out on
 * descriptor 0, as a process started with stdin closed could get it, which a real
 * run cannot arrange on demand. Requests go to a closed loopback port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "run.h"
#include "util.h"

int __real_timerfd_create(int clockid, int flags);
int __wrap_timerfd_create(int clockid, int flags);

static int timerfds; /* made by the wrapper */

/* Moves the real timerfd onto descriptor 0. */
int __wrap_timerfd_create(int clockid, int flags)
{
    int fd = __real_timerfd_create(clockid, flags);
    if (fd < 0)
        return fd;
    int zero = dup3(fd, 0, O_CLOEXEC);
    close(fd);
    if (zero == 0)
        timerfds++;
    return zero;
}

static void test_run_closes_timerfd_on_descriptor_0(void **state)
{
    char path[] = "/tmp/lg-test-run-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char yaml[] = "scenario: refused\n"
                               "steps:\n"
                               "  - name: refused\n"
                               "    request: {method: GET, url: \"http://127.0.0.1:1/\"}\n";
    assert_int_equal(write(fd, yaml, sizeof(yaml) - 1), (ssize_t)(sizeof(yaml) - 1));
    close(fd);
    struct lg_suite *s = NULL;
    struct lg_diags d = {0};
    struct lg_load_opts lo = {.for_run = true};
    assert_int_equal(lg_config_load(path, &lo, &s, &d), 0);
    unlink(path);

    int saved_stdin = dup(0);
    assert_true(saved_stdin >= 0);
    struct lg_run_opts o = {
        .suite = s,
        .vus = 2,
        .threads = 1,
        .open = true,
        .rate_per_s = 20,
        .duration_us = 300000,
        .seed = 1,
    };
    struct lg_run_report rep = {0};
    int rc = lg_run(&o, &rep);
    int closed = fcntl(0, F_GETFD) == -1 && errno == EBADF;
    dup2(saved_stdin, 0);
    close(saved_stdin);

    assert_int_equal(rc, 0);
    assert_int_equal(timerfds, 1);
    assert_true(closed); /* the run closed its clock, descriptor 0 included */
    lg_metrics_free(&rep.metrics);
    lg_suite_free(s);
    lg_diags_free(&d);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_closes_timerfd_on_descriptor_0),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
