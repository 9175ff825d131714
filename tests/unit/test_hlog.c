/* Unit tests for hlog (latency.hlog): the tag of hostile names, the header for a
 * fixed start, the exact line of a tiny histogram, a file of two intervals, and a
 * write that fails. HdrHistogram's own reader checks real files
 * (tests/integration/test_hlog.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <errno.h>
#include <signal.h>

#include <cmocka.h>

#include "errors.h"
#include "hlog.h"

/* A suite of one scenario with two steps, named as a hostile suite might. */
struct fixture {
    struct lg_suite suite;
    struct lg_scenario sc;
    struct lg_step steps[2];
    struct lg_step *table[2];
    char path[64];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->steps[0] = (struct lg_step){.name = "get, a=b", .id = 0};
    f->steps[1] = (struct lg_step){.name = "idle", .id = 1};
    f->table[0] = &f->steps[0];
    f->table[1] = &f->steps[1];
    f->sc = (struct lg_scenario){.name = "my scen", .steps = f->steps, .n_steps = 2};
    f->suite =
        (struct lg_suite){.scenarios = &f->sc, .n_scenarios = 1, .steps = f->table, .n_steps = 2};
    snprintf(f->path, sizeof(f->path), "/tmp/lg-test-hlog-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    unlink(f->path);
    free(f);
    return 0;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, fp);
    text[n] = '\0';
    fclose(fp);
    return text;
}

static void assert_tag(const char *scenario, const char *step, const char *want)
{
    char *tag = lg_hlog_tag(scenario, step);
    assert_string_equal(tag, want);
    free(tag);
}

static void test_hlog_tag_encodes_hostile_names(void **state)
{
    assert_tag("trivia", "get-question_2.v~1", "trivia/get-question_2.v~1");
    /* what ends a tag for HdrHistogram's readers: comma, space, '=', line breaks */
    assert_tag("orders, & co", "list, all = \"ok\"",
               "orders%2C%20%26%20co/list%2C%20all%20%3D%20%22ok%22");
    assert_tag("a\r\nb\tc", "#x", "a%0D%0Ab%09c/%23x");
    /* '/' inside a name is not the separator; '%' itself is encoded, so no two
     * steps share a tag */
    assert_tag("a/b", "c", "a%2Fb/c");
    assert_tag("a", "b/c", "a/b%2Fc");
    assert_tag("s", "a b", "s/a%20b");
    assert_tag("s", "a%20b", "s/a%2520b");
    /* UTF-8 byte by byte, upper-case hex; markup and RFC 3986 sub-delimiters */
    assert_tag("über", "</script>!*'()", "%C3%BCber/%3C%2Fscript%3E%21%2A%27%28%29");
    assert_tag("", "", "/");
}

static void test_hlog_header_for_a_fixed_start(void **state)
{
    struct lg_buf b = {0};
    lg_hlog_header(&b, 1700000000123LL);
    assert_string_equal(
        b.data, "#[Histogram log format version 1.3]\n"
                "#[StartTime: 1700000000.123 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]\n"
                "#[BaseTime: 1700000000.123 (seconds since epoch)]\n"
                "#[loadgate: corrected latency in microseconds (Interval_Max in milliseconds); "
                "untagged: all steps, Tag=SCENARIO/STEP: one step]\n"
                "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                "\"Interval_Compressed_Histogram\"\n");
    lg_buf_reset(&b);
    lg_hlog_header(&b, 5); /* 0.005 s: the milliseconds keep their zeros */
    assert_non_null(strstr(b.data, "#[StartTime: 0.005 (seconds since epoch), Thu Jan 01 00:00:00 "
                                   "UTC 1970]\n#[BaseTime: 0.005 (seconds since epoch)]\n"));
    lg_buf_free(&b);
}

static void test_hlog_line_of_a_tiny_histogram(void **state)
{
    struct lg_hist *h = lg_hist_new();
    struct lg_buf b = {0};
    /* empty: Interval_Max 0 */
    lg_hlog_line(&b, NULL, 0, 1000, h);
    char *empty = lg_hist_encode(h);
    char want[256];
    snprintf(want, sizeof(want), "0.000,1.000,0.000,%s\n", empty);
    assert_string_equal(b.data, want);
    assert_string_equal(empty, "HISTFAAAAB94nJNpmSzMwMDAyAABzFAazL82eQmD/QeoCABVgwSI");
    free(empty);

    /* 1 ms twice and 1.999 ms: values below 2048 us are exact, so is the max. (Java's
     * Histogram.decodeFromCompressedByteBuffer reads this string as count 3, max
     * 1999, 2 at 1000, 1 at 1999; its getMaxValue after recording 1234567 is 1234943.) */
    lg_hist_record(h, 1000);
    lg_hist_record(h, 1000);
    lg_hist_record(h, 1999);
    lg_buf_reset(&b);
    lg_hlog_line(&b, "my%20scen/get", 12034, 987, h);
    assert_string_equal(b.data,
                        "Tag=my%20scen/get,12.034,0.987,1.999,"
                        "HISTFAAAACZ4nJNpmSzMwMDAxgABzFCaEURcm7yEwf4DROA8P8tpfiYAdKQGSw==\n");
    /* above 2048 us the max is the highest value equivalent to it (1 us steps at
     * 3 digits become 2 us steps): as HdrHistogram reports it */
    lg_hist_record(h, 1234567);
    lg_buf_reset(&b);
    lg_hlog_line(&b, NULL, 3000, 1000, h);
    assert_memory_equal(b.data, "3.000,1.000,1234.943,HISTF", 26);
    lg_buf_free(&b);
    lg_hist_free(h);
}

static void test_hlog_file_of_two_intervals(void **state)
{
    struct fixture *f = *state;
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    struct lg_hlog *h = NULL;
    assert_int_equal(lg_hlog_open(f->path, &f->suite, 1700000000123LL, &h), LG_OK);
    lg_metrics_record(&m, 0, &(struct lg_sample){.status = 200, .total_us = 1500});
    assert_int_equal(lg_hlog_interval(h, &m, 0, 1000), LG_OK);
    lg_metrics_tick(&m, 0, 1);
    /* a second without samples: the untagged line alone, empty */
    assert_int_equal(lg_hlog_interval(h, &m, 1000, 1500), LG_OK);
    assert_int_equal(lg_hlog_close(h), LG_OK);

    struct lg_hist *one = lg_hist_new();
    lg_hist_record(one, 1500);
    char *enc = lg_hist_encode(one), *none = NULL;
    lg_hist_reset(one);
    none = lg_hist_encode(one);
    struct lg_buf want = {0};
    lg_hlog_header(&want, 1700000000123LL);
    lg_buf_printf(&want,
                  "0.000,1.000,1.500,%s\n"
                  "Tag=my%%20scen/get%%2C%%20a%%3Db,0.000,1.000,1.500,%s\n"
                  "1.000,1.500,0.000,%s\n"
                  "#[loadgate: end of run]\n",
                  enc, enc, none);
    assert_string_equal(slurp(f->path), want.data);
    lg_buf_free(&want);
    free(enc);
    free(none);
    lg_hist_free(one);
    lg_metrics_free(&m);
}

/* A write that fails: the error comes back with its errno, nothing is left open,
 * and an interval after a failed one fails at once with the same errno. (Not
 * /dev/full: a bug removing what it failed on must not cost a root test run a
 * device.) */
static void test_hlog_write_failure(void **state)
{
    struct fixture *f = *state;
    struct lg_hlog *h = NULL;
    /* A file too small for the header (RLIMIT_FSIZE: EFBIG): one made by the call
     * is removed, an existing one is left (truncated). */
    char made[80];
    snprintf(made, sizeof(made), "%s.new", f->path);
    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 100;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    errno = 0;
    assert_int_equal(lg_hlog_open(made, &f->suite, 0, &h), LG_EIO);
    assert_int_equal(errno, EFBIG);
    assert_null(h);
    assert_int_equal(lg_hlog_open(f->path, &f->suite, 0, &h), LG_EIO);
    assert_int_equal(errno, EFBIG);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_int_equal(access(made, F_OK), -1);
    assert_int_equal(access(f->path, F_OK), 0);
    assert_int_equal(lg_hlog_open("/nonexistent-dir/latency.hlog", &f->suite, 0, &h), LG_EIO);
    assert_int_equal(errno, ENOENT);
    /* a symbolic link at the path is not followed */
    char link[80];
    snprintf(link, sizeof(link), "%s.link", f->path);
    assert_int_equal(symlink(f->path, link), 0);
    assert_int_equal(lg_hlog_open(link, &f->suite, 0, &h), LG_EIO);
    assert_int_equal(errno, ELOOP);
    unlink(link);
    assert_int_equal(lg_hlog_close(NULL), LG_OK);

    /* A file that can grow no further (RLIMIT_FSIZE: EFBIG) past the header and a
     * few bytes: the interval fails, the half line is cut off, and the next one
     * fails at once. */
    struct lg_buf header = {0};
    lg_hlog_header(&header, 0);
    small.rlim_cur = header.len + 10;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    assert_int_equal(lg_hlog_open(f->path, &f->suite, 0, &h), LG_OK);
    struct lg_metrics m;
    lg_metrics_init(&m, &f->suite);
    assert_int_equal(lg_hlog_interval(h, &m, 0, 1000), LG_EIO);
    assert_int_equal(errno, EFBIG);
    errno = 0;
    assert_int_equal(lg_hlog_interval(h, &m, 1000, 1000), LG_EIO);
    assert_int_equal(errno, EFBIG);
    assert_int_equal(lg_hlog_close(h), LG_EIO);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_string_equal(slurp(f->path), header.data); /* no half line, no end comment */
    lg_metrics_free(&m);
    lg_buf_free(&header);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hlog_tag_encodes_hostile_names),
        cmocka_unit_test(test_hlog_header_for_a_fixed_start),
        cmocka_unit_test(test_hlog_line_of_a_tiny_histogram),
        cmocka_unit_test_setup_teardown(test_hlog_file_of_two_intervals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hlog_write_failure, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
