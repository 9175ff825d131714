/* Unit tests for feeder: RFC 4180 parsing (quotes, embedded commas and line
 * breaks, CRLF), the exact message and line:col of each malformed file, limits, and
 * the exact sequence of rows each mode hands out, from one thread and from many. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feeder.h"
#include "util.h"

static struct lg_feed *parse(const char *text, size_t len)
{
    struct lg_feed *f = NULL;
    struct lg_feed_err err;
    int rc = lg_feed_parse("t", text, len, &f, &err);
    if (rc)
        fail_msg("parse failed at %d:%d: %s", err.line, err.col, err.msg);
    return f;
}

static void test_feeder_parse_rfc4180(void **state)
{
    static const char text[] = "\xEF\xBB\xBF"
                               "email,password\r\n"
                               "\"a,b@x.io\",\"p\"\"q\"\r\n"
                               "\r\n"
                               "\"multi\r\nline\", spaced \r\n"
                               "last,\n"
                               ",\"\"";
    struct lg_feed *f = parse(text, sizeof(text) - 1);
    assert_string_equal(f->name, "t");
    assert_int_equal(f->n_fields, 2);
    assert_string_equal(f->fields[0], "email");
    assert_string_equal(f->fields[1], "password");
    assert_int_equal(f->n_rows, 4);
    const char *want[4][2] = {
        {"a,b@x.io", "p\"q"}, {"multi\r\nline", " spaced "}, {"last", ""}, {"", ""}};
    for (size_t r = 0; r < 4; r++)
        for (size_t c = 0; c < 2; c++)
            assert_string_equal(lg_feed_row(f, r)[c], want[r][c]);
    assert_int_equal(lg_feed_field(f, "password", 8), 1);
    assert_int_equal(lg_feed_field(f, "email", 5), 0);
    assert_int_equal(lg_feed_field(f, "mail", 4), -1);
    assert_int_equal(lg_feed_field(f, "emai", 4), -1);
    lg_feed_free(f);
}

static void test_feeder_parse_errors(void **state)
{
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        int rc, line, col;
        const char *msg;
    } v[] = {
        {"a,b\nx\"y,z\n", 0, LG_ESYNTAX, 2, 2,
         "'\"' inside an unquoted field (quote the whole field)"},
        {"a,b\n\"xy\"q,z\n", 0, LG_ESYNTAX, 2, 5, "unexpected 'q' after a closing quote"},
        {"a,b\n\"xy\" ,z\n", 0, LG_ESYNTAX, 2, 5, "unexpected ' ' after a closing quote"},
        {"a,b\n1,2,3\n", 0, LG_ESYNTAX, 2, 1, "row has more than the header's 2 fields"},
        {"a,b\n1\n", 0, LG_ESYNTAX, 2, 1, "row has 1 field, the header has 2"},
        {"a,b\n\"1\n2\",x\n3\n", 0, LG_ESYNTAX, 4, 1, "row has 1 field, the header has 2"},
        {"a,b\n1,2\n\"xy", 0, LG_ESYNTAX, 3, 1, "unterminated quoted field"},
        {"\n\na,a\n1,2\n", 0, LG_ESYNTAX, 3, 1, "duplicate field 'a' in the header"},
        {"a,b\n1,\0\n", 7, LG_ESYNTAX, 2, 3, "NUL byte"},
        {"", 0, LG_ESYNTAX, 0, 0, "empty file: expected a header naming the fields"},
        {"\r\n\r\n", 0, LG_ESYNTAX, 0, 0, "empty file: expected a header naming the fields"},
        {"a,b\r\n", 0, LG_ESYNTAX, 0, 0, "no rows after the header"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct lg_feed *f = NULL;
        struct lg_feed_err err;
        size_t len = v[i].len ? v[i].len : strlen(v[i].text);
        int rc = lg_feed_parse("t", v[i].text, len, &f, &err);
        if (rc != v[i].rc || err.line != v[i].line || err.col != v[i].col ||
            strcmp(err.msg, v[i].msg))
            fail_msg("case %zu: got %d %d:%d '%s'", i, rc, err.line, err.col, err.msg);
        assert_null(f);
    }
}

static void test_feeder_limits(void **state)
{
    struct lg_feed *f = NULL;
    struct lg_feed_err err;
    /* One row more than allowed. */
    size_t n = LG_FEED_MAX_ROWS + 1;
    char *text = lg_malloc(2 + 2 * n);
    memcpy(text, "x\n", 2);
    for (size_t i = 0; i < n; i++)
        memcpy(text + 2 + 2 * i, "1\n", 2);
    assert_int_equal(lg_feed_parse("t", text, 2 + 2 * n, &f, &err), LG_ELIMIT);
    assert_string_equal(err.msg, "more than 1000000 rows");
    assert_int_equal(err.line, 1000002);
    /* Exactly the limit loads. */
    assert_int_equal(lg_feed_parse("t", text, 2 + 2 * (n - 1), &f, &err), 0);
    assert_int_equal(f->n_rows, LG_FEED_MAX_ROWS);
    lg_feed_free(f);
    free(text);

    /* Past the size limit: refused before any byte is read. */
    char *big = calloc(1, (size_t)LG_FEED_MAX_BYTES + 1);
    assert_non_null(big);
    f = NULL;
    assert_int_equal(lg_feed_parse("t", big, (size_t)LG_FEED_MAX_BYTES + 1, &f, &err), LG_ELIMIT);
    assert_string_equal(err.msg, "larger than 64 MiB");
    assert_null(f);
    free(big);
}

static void test_feeder_load_file(void **state)
{
    struct lg_feed *f = NULL;
    struct lg_feed_err err;
    assert_int_equal(lg_feed_load("users", LG_TEST_DATA "/feeds/users.csv", &f, &err), 0);
    assert_string_equal(f->name, "users");
    assert_int_equal(f->n_rows, 3);
    assert_string_equal(lg_feed_row(f, 1)[0], "bob, jr@example.com");
    assert_string_equal(lg_feed_row(f, 1)[1], "p\"w");
    assert_string_equal(lg_feed_row(f, 2)[1], "line1\nline2");
    lg_feed_free(f);

    f = NULL;
    assert_int_equal(lg_feed_load("x", LG_TEST_DATA "/feeds/nope.csv", &f, &err), LG_EIO);
    assert_string_equal(err.msg,
                        "cannot read '" LG_TEST_DATA "/feeds/nope.csv': No such file or directory");
    assert_int_equal(err.line, 0);
    assert_null(f);

    /* Devices and directories are refused before a read (a terminal would block). */
    assert_int_equal(lg_feed_load("x", "/dev/null", &f, &err), LG_EIO);
    assert_string_equal(err.msg, "cannot read '/dev/null': not a regular file");
    assert_int_equal(lg_feed_load("x", LG_TEST_DATA "/feeds", &f, &err), LG_EIO);
    assert_string_equal(err.msg, "cannot read '" LG_TEST_DATA "/feeds': not a regular file");
    assert_null(f);
}

static struct lg_feed *three_rows(enum lg_feed_mode mode)
{
    struct lg_feed *f = parse("n\nr0\nr1\nr2\n", 11);
    f->mode = mode;
    return f;
}

static void test_feeder_sequential_wraps(void **state)
{
    struct lg_feed *f = three_rows(LG_FEED_SEQUENTIAL);
    const size_t want[] = {0, 1, 2, 0, 1, 2, 0};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        size_t r = 99;
        assert_int_equal(lg_feed_take(f, NULL, &r), 0);
        assert_int_equal(r, want[i]);
    }
    lg_feed_rewind(f);
    size_t r = 99;
    assert_int_equal(lg_feed_take(f, NULL, &r), 0);
    assert_int_equal(r, 0);
    lg_feed_free(f);
}

static void test_feeder_unique_exhausts(void **state)
{
    struct lg_feed *f = three_rows(LG_FEED_UNIQUE);
    size_t r = 99;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(lg_feed_take(f, NULL, &r), 0);
        assert_int_equal(r, i);
    }
    r = 99;
    assert_int_equal(lg_feed_take(f, NULL, &r), LG_FEED_EXHAUSTED);
    assert_int_equal(lg_feed_take(f, NULL, &r), LG_FEED_EXHAUSTED);
    assert_int_equal(r, 99);
    lg_feed_rewind(f);
    assert_int_equal(lg_feed_take(f, NULL, &r), 0);
    assert_int_equal(r, 0);
    lg_feed_free(f);
}

static void test_feeder_random_is_deterministic(void **state)
{
    struct lg_feed *f = three_rows(LG_FEED_RANDOM);
    struct lg_rng a, b;
    lg_rng_seed(&a, 1234);
    lg_rng_seed(&b, 1234);
    size_t seen[3] = {0};
    for (int i = 0; i < 300; i++) {
        size_t ra, rb;
        assert_int_equal(lg_feed_take(f, &a, &ra), 0);
        assert_int_equal(lg_feed_take(f, &b, &rb), 0);
        assert_int_equal(ra, rb);
        assert_true(ra < 3);
        seen[ra]++;
    }
    /* Uniform enough: each row about 100 times out of 300. */
    for (int i = 0; i < 3; i++)
        assert_in_range(seen[i], 60, 140);
    /* The draw is lg_rng_range(rng, 0, n - 1): pinned to the PRNG's own sequence. */
    struct lg_rng c, d;
    lg_rng_seed(&c, 99);
    lg_rng_seed(&d, 99);
    for (int i = 0; i < 20; i++) {
        size_t r;
        assert_int_equal(lg_feed_take(f, &c, &r), 0);
        assert_int_equal(r, (size_t)lg_rng_range(&d, 0, 2));
    }
    /* The shared cursor is not touched. */
    assert_int_equal(atomic_load(&f->cursor), 0);
    lg_feed_free(f);
}

static void test_feeder_feeds_next(void **state)
{
    struct lg_feed *seq = parse("a,b\n1,x\n2,y\n", 12), *uni = parse("c\nu0\n", 5);
    seq->index = 2;
    uni->index = 0;
    uni->mode = LG_FEED_UNIQUE;
    struct lg_feed *const feeds[] = {seq, uni};
    struct lg_feed_rows rows = {0};
    struct lg_rng rng;
    lg_rng_seed(&rng, 1);

    assert_int_equal(lg_feeds_next(feeds, 2, &rows, &rng), 0);
    assert_int_equal(rows.n, 3);
    assert_null(rows.row[1]);
    assert_string_equal(rows.row[2][0], "1");
    assert_string_equal(rows.row[2][1], "x");
    assert_string_equal(rows.row[0][0], "u0");
    /* The unique feed is used up: the next iteration cannot start. */
    assert_int_equal(lg_feeds_next(feeds, 2, &rows, &rng), LG_FEED_EXHAUSTED);
    assert_null(rows.row[0]);
    /* A scenario that reads only the sequential feed goes on. */
    assert_int_equal(lg_feeds_next(feeds, 1, &rows, &rng), 0);
    assert_string_equal(rows.row[2][0], "1"); /* wrapped: 0, 1, then 0 again */
    assert_int_equal(lg_feeds_next(feeds, 0, &rows, &rng), 0);
    lg_feed_rows_free(&rows);
    assert_null(rows.row);
    lg_feed_free(seq);
    lg_feed_free(uni);
}

struct taker {
    struct lg_feed *f;
    size_t counts[1000];
    size_t takes; /* 0: until exhausted */
};

static void *take_cb(void *arg)
{
    struct taker *t = arg;
    size_t r;
    for (size_t i = 0; t->takes == 0 || i < t->takes; i++) {
        if (lg_feed_take(t->f, NULL, &r) == LG_FEED_EXHAUSTED)
            break;
        t->counts[r]++;
    }
    return NULL;
}

/* The shared cursor is an atomic: across threads, sequential hands out every row
 * equally often and unique hands out every row exactly once. */
static void test_feeder_shared_cursor_across_threads(void **state)
{
    enum { THREADS = 4 };
    struct lg_buf csv = {0};
    lg_buf_puts(&csv, "id\n");
    for (int i = 0; i < 1000; i++)
        lg_buf_printf(&csv, "%d\n", i);
    for (int mode = 0; mode < 2; mode++) {
        struct lg_feed *f = parse(csv.data, csv.len);
        f->mode = mode ? LG_FEED_UNIQUE : LG_FEED_SEQUENTIAL;
        struct taker *t = lg_calloc(THREADS, sizeof(*t));
        pthread_t th[THREADS];
        for (int i = 0; i < THREADS; i++) {
            t[i].f = f;
            t[i].takes = mode ? 0 : 5000;
            assert_int_equal(pthread_create(&th[i], NULL, take_cb, &t[i]), 0);
        }
        for (int i = 0; i < THREADS; i++)
            pthread_join(th[i], NULL);
        for (size_t r = 0; r < 1000; r++) {
            size_t n = 0;
            for (int i = 0; i < THREADS; i++)
                n += t[i].counts[r];
            assert_int_equal(n, mode ? 1 : THREADS * 5);
        }
        free(t);
        lg_feed_free(f);
    }
    lg_buf_free(&csv);
}

/* --segment: a unique feed keeps the rows of its stripe only, in order. Over the N
 * segments of awkward row counts every row is taken exactly once, by one segment;
 * a segment with no row is exhausted at once. */
static void test_feeder_keep_slice_partitions_rows(void **state)
{
    static const size_t rows[] = {1, 2, 3, 7, 10, 31};
    for (uint32_t n = 1; n <= 7; n++) {
        for (size_t t = 0; t < sizeof(rows) / sizeof(rows[0]); t++) {
            struct lg_buf csv = {0};
            lg_buf_puts(&csv, "id,name\n");
            for (size_t r = 0; r < rows[t]; r++)
                lg_buf_printf(&csv, "%zu,n%zu\n", r, r);
            unsigned seen[32] = {0};
            size_t taken = 0;
            for (uint32_t k = 0; k < n; k++) {
                struct lg_feed *f = NULL;
                struct lg_feed_err err;
                assert_int_equal(lg_feed_parse("t", csv.data, csv.len, &f, &err), 0);
                f->mode = LG_FEED_UNIQUE;
                lg_feed_keep_slice(f, (struct lg_slice){k, n});
                assert_int_equal(f->n_rows, lg_slice_share((struct lg_slice){k, n}, rows[t]));
                size_t row, prev = 0;
                for (size_t i = 0; lg_feed_take(f, NULL, &row) == 0; i++) {
                    unsigned long id = strtoul(lg_feed_row(f, row)[0], NULL, 10);
                    char name[16];
                    snprintf(name, sizeof(name), "n%lu", id);
                    assert_string_equal(lg_feed_row(f, row)[1], name);
                    assert_int_equal(id % n, k);
                    assert_true(i == 0 || id > prev); /* file order */
                    prev = id;
                    seen[id]++;
                    taken++;
                }
                lg_feed_free(f);
            }
            assert_int_equal(taken, rows[t]);
            for (size_t r = 0; r < rows[t]; r++)
                assert_int_equal(seen[r], 1);
            lg_buf_free(&csv);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_feeder_parse_rfc4180),
        cmocka_unit_test(test_feeder_parse_errors),
        cmocka_unit_test(test_feeder_limits),
        cmocka_unit_test(test_feeder_load_file),
        cmocka_unit_test(test_feeder_sequential_wraps),
        cmocka_unit_test(test_feeder_unique_exhausts),
        cmocka_unit_test(test_feeder_random_is_deterministic),
        cmocka_unit_test(test_feeder_feeds_next),
        cmocka_unit_test(test_feeder_shared_cursor_across_threads),
        cmocka_unit_test(test_feeder_keep_slice_partitions_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
