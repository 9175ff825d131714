/* Unit tests for hist: layout, exact percentiles of known data, accuracy on random data,
 * merge, clamping, the V2 encoding (byte-exact, round trip, HdrHistogram-Java strings) and
 * decoding of malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "hist.h"
#include "util.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static void assert_hist_equal(const struct lg_hist *a, const struct lg_hist *b)
{
    assert_int_equal(a->lowest, b->lowest);
    assert_int_equal(a->highest, b->highest);
    assert_int_equal(a->sigfigs, b->sigfigs);
    assert_int_equal(a->counts_len, b->counts_len);
    assert_memory_equal(a->counts, b->counts, (size_t)a->counts_len * sizeof(int64_t));
    assert_int_equal(a->total_count, b->total_count);
    assert_int_equal(lg_hist_min(a), lg_hist_min(b));
    assert_int_equal(lg_hist_max(a), lg_hist_max(b));
}

/* Latency-like values: lognormal around 10 ms, clamped to 100 us .. 10 s. */
static int64_t lognormal_us(struct lg_rng *r)
{
    double u1 = lg_rng_double(r), u2 = lg_rng_double(r);
    double z = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
    double v = exp(log(10000.0) + 1.9 * z);
    if (v < 100.0)
        v = 100.0;
    if (v > 1e7)
        v = 1e7;
    return (int64_t)v;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static char *b64_of(const uint8_t *p, size_t n)
{
    char *s = lg_malloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)s, p, (int)n);
    return s;
}

/* Base64 of a padded, valid string back to bytes (test inputs only). */
static uint8_t *bytes_of(const char *s, size_t *n)
{
    size_t len = strlen(s);
    uint8_t *p = lg_malloc(len / 4 * 3 + 1);
    int got = EVP_DecodeBlock(p, (const unsigned char *)s, (int)len);
    assert_true(got >= 0);
    *n = (size_t)got - (len > 0 && s[len - 1] == '=') - (len > 1 && s[len - 2] == '=');
    return p;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

/* A hand-built uncompressed V2 histogram, for forging headers and payloads. */
struct raw {
    uint8_t b[512];
    size_t n;
};

static void raw_header(struct raw *r, uint32_t cookie, int32_t offset, int32_t sigfigs,
                       int64_t lowest, int64_t highest)
{
    memset(r, 0, sizeof(*r));
    put32(r->b, cookie);
    put32(r->b + 8, (uint32_t)offset);
    put32(r->b + 12, (uint32_t)sigfigs);
    put64(r->b + 16, (uint64_t)lowest);
    put64(r->b + 24, (uint64_t)highest);
    put64(r->b + 32, 0x3ff0000000000000ULL); /* 1.0 */
    r->n = 40;
}

static void raw_std_header(struct raw *r)
{
    raw_header(r, 0x1c849313, 0, 3, 1, 3600000000LL);
}

static void raw_count(struct raw *r, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
    for (int i = 0; i < 8; i++) {
        if (u < 0x80) {
            r->b[r->n++] = (uint8_t)u;
            return;
        }
        r->b[r->n++] = (uint8_t)(u | 0x80);
        u >>= 7;
    }
    r->b[r->n++] = (uint8_t)u;
}

static void raw_bytes(struct raw *r, const void *p, size_t n)
{
    memcpy(r->b + r->n, p, n);
    r->n += n;
}

/* Compresses and wraps a raw histogram, declaring payload_len bytes of payload, or the true
 * length when it is TRUE_LEN. */
#define TRUE_LEN INT32_MIN
static char *wrap_raw(struct raw *r, int32_t payload_len)
{
    put32(r->b + 4, (uint32_t)(payload_len == TRUE_LEN ? (int32_t)(r->n - 40) : payload_len));
    uLongf clen = compressBound((uLong)r->n);
    uint8_t *out = lg_malloc(8 + clen);
    assert_int_equal(compress2(out + 8, &clen, r->b, (uLong)r->n, Z_DEFAULT_COMPRESSION), Z_OK);
    put32(out, 0x1c849314);
    put32(out + 4, (uint32_t)clen);
    char *s = b64_of(out, 8 + clen);
    free(out);
    return s;
}

static void assert_decode_fails(const char *s)
{
    struct lg_hist *h = (struct lg_hist *)0x1; /* must stay untouched */
    assert_int_equal(lg_hist_decode(s, &h), LG_ESYNTAX);
    assert_ptr_equal(h, (struct lg_hist *)0x1);
}

static void assert_raw_fails(struct raw *r, int32_t payload_len)
{
    char *s = wrap_raw(r, payload_len);
    assert_decode_fails(s);
    free(s);
}

static struct lg_hist *sample_hist(void)
{
    struct lg_hist *h = lg_hist_new();
    struct lg_rng r;
    lg_rng_seed(&r, 7);
    for (int i = 0; i < 5000; i++)
        lg_hist_record(h, lognormal_us(&r));
    lg_hist_record_n(h, 1, 3);
    lg_hist_record_n(h, 777777, (int64_t)1 << 58); /* a 9-byte LEB128 word */
    return h;
}

/* ---- layout and settings ----------------------------------------------------------------- */

static void test_hist_init_rejects_bad_settings(void **state)
{
    struct lg_hist *h = NULL;
    assert_int_equal(lg_hist_init(0, 1000, 3, &h), LG_EINVAL);
    assert_int_equal(lg_hist_init(-1, 1000, 3, &h), LG_EINVAL);
    assert_int_equal(lg_hist_init(10, 19, 3, &h), LG_EINVAL);
    assert_int_equal(lg_hist_init(1, 1000, 0, &h), LG_EINVAL);
    assert_int_equal(lg_hist_init(1, 1000, 6, &h), LG_EINVAL);
    assert_int_equal(lg_hist_init((int64_t)1 << 60, INT64_MAX, 3, &h), LG_EINVAL);
    assert_null(h);
    assert_int_equal(lg_hist_init(10, 20, 1, &h), 0);
    assert_non_null(h);
    lg_hist_free(h);
    lg_hist_free(NULL);
}

static void test_hist_standard_layout(void **state)
{
    struct lg_hist *h = lg_hist_new();
    /* 3 digits: 2 * 10^3 values at unit resolution -> 2048 sub-buckets; 2048 << 21 is the
     * first power of two step above 3.6e9, so 22 buckets and (22 + 1) * 1024 counts. */
    assert_int_equal(h->lowest, LG_HIST_LOWEST);
    assert_int_equal(h->highest, LG_HIST_HIGHEST);
    assert_int_equal(h->sigfigs, 3);
    assert_int_equal(h->unit_magnitude, 0);
    assert_int_equal(h->sub_bucket_half_count_magnitude, 10);
    assert_int_equal(h->sub_bucket_count, 2048);
    assert_int_equal(h->sub_bucket_half_count, 1024);
    assert_int_equal(h->sub_bucket_mask, 2047);
    assert_int_equal(h->bucket_count, 22);
    assert_int_equal(h->counts_len, 23552);
    assert_int_equal(h->total_count, 0);
    assert_int_equal(h->min, INT64_MAX);
    assert_int_equal(h->max, 0);
    lg_hist_free(h);
}

/* ---- percentiles ------------------------------------------------------------------------- */

static void test_hist_percentiles_of_1_to_10000_exact(void **state)
{
    struct lg_hist *h = lg_hist_new();
    for (int64_t v = 1; v <= 10000; v++)
        lg_hist_record(h, v);
    /* Resolution is 1 below 2048, 2 in [2048, 4096), 4 in [4096, 8192), 8 in [8192, 16384).
     * p50 is the 5000th value, 5000, in the 4-wide bucket 5000..5003 -> 5003. */
    assert_int_equal(lg_hist_percentile(h, 50), 5003);
    /* 2500 -> bucket 2500..2501; 9000 -> 9000..9007; 9900 -> 9896..9903; 9990 -> 9984..9991 */
    assert_int_equal(lg_hist_percentile(h, 25), 2501);
    assert_int_equal(lg_hist_percentile(h, 90), 9007);
    assert_int_equal(lg_hist_percentile(h, 99), 9903);
    assert_int_equal(lg_hist_percentile(h, 99.9), 9991);
    /* 1000 and 7 are below 2048: exact. 0.07% of 10000 is 7 although the double product is
     * 7.000000000000001 (the one-ulp step down keeps it from becoming the 8th value). */
    assert_int_equal(lg_hist_percentile(h, 10), 1000);
    assert_int_equal(lg_hist_percentile(h, 0.07), 7);
    /* p0 is the lowest equivalent of the first value, p100 the highest of the last:
     * 10000 is in 10000..10007. */
    assert_int_equal(lg_hist_percentile(h, 0), 1);
    assert_int_equal(lg_hist_percentile(h, 100), 10007);
    assert_int_equal(lg_hist_percentile(h, 150), 10007);
    assert_int_equal(lg_hist_percentile(h, -3), 1);
    assert_int_equal(lg_hist_min(h), 1);
    assert_int_equal(lg_hist_max(h), 10007);
    assert_int_equal(h->total_count, 10000);
    lg_hist_free(h);
}

static void test_hist_small_values_are_exact(void **state)
{
    struct lg_hist *h = lg_hist_new();
    for (int64_t v = 1000; v >= 1; v--)
        lg_hist_record(h, v);
    assert_int_equal(lg_hist_percentile(h, 50), 500);
    assert_int_equal(lg_hist_percentile(h, 99), 990);
    assert_int_equal(lg_hist_percentile(h, 99.9), 999);
    assert_int_equal(lg_hist_max(h), 1000);
    assert_int_equal(lg_hist_min(h), 1);
    assert_true(lg_hist_mean(h) == 500.5);
    lg_hist_free(h);
}

static void test_hist_percentiles_of_random_data_within_0_1_percent(void **state)
{
    enum { N = 100000 };
    static const double ps[] = {50, 90, 95, 99, 99.9};
    int64_t *vals = lg_malloc(N * sizeof(int64_t));
    struct lg_hist *h = lg_hist_new();
    struct lg_rng r;
    lg_rng_seed(&r, 20240601);
    for (int i = 0; i < N; i++) {
        vals[i] = lognormal_us(&r);
        lg_hist_record(h, vals[i]);
    }
    qsort(vals, N, sizeof(int64_t), cmp_i64);
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        int64_t rank = (int64_t)llround(ps[i] * 1000) * N / 100000; /* exact: N * p / 100 */
        double exact = (double)vals[rank - 1];
        double got = (double)lg_hist_percentile(h, ps[i]);
        assert_true(fabs(got - exact) <= 0.001 * exact);
    }
    assert_true(fabs((double)lg_hist_max(h) - (double)vals[N - 1]) <= 0.001 * (double)vals[N - 1]);
    assert_true(lg_hist_min(h) <= vals[0] && lg_hist_min(h) >= vals[0] * 0.999);
    free(vals);
    lg_hist_free(h);
}

static void test_hist_mean_and_stddev(void **state)
{
    struct lg_hist *h = lg_hist_new();
    lg_hist_record_n(h, 100, 1000);
    lg_hist_record_n(h, 300, 1000);
    assert_true(lg_hist_mean(h) == 200.0);
    assert_true(lg_hist_stddev(h) == 100.0);
    lg_hist_free(h);
}

/* ---- record, clamp, reset ---------------------------------------------------------------- */

static void test_hist_clamps_out_of_range_values(void **state)
{
    struct lg_hist *h = lg_hist_new();
    lg_hist_record(h, -5);
    lg_hist_record(h, 0);
    lg_hist_record(h, LG_HIST_HIGHEST + 1);
    lg_hist_record(h, INT64_MAX);
    assert_int_equal(h->total_count, 4);
    assert_int_equal(h->counts[1], 2); /* value 1 */
    assert_int_equal(h->min, 1);
    assert_int_equal(h->max, LG_HIST_HIGHEST);
    /* 3.6e9 is in [2^31, 2^32), resolution 2^21: bucket 3598712832 .. 3600809983. */
    assert_int_equal(lg_hist_max(h), 3600809983LL);
    assert_int_equal(lg_hist_percentile(h, 100), 3600809983LL);
    assert_int_equal(lg_hist_percentile(h, 50), 1);
    assert_int_equal(lg_hist_min(h), 1);
    lg_hist_free(h);

    struct lg_hist *k = NULL;
    assert_int_equal(lg_hist_init(1000, 100000, 3, &k), 0);
    lg_hist_record(k, 5);
    lg_hist_record(k, 1000000);
    assert_int_equal(k->min, 1000);
    assert_int_equal(k->max, 100000);
    assert_int_equal(k->total_count, 2);
    lg_hist_free(k);
}

static void test_hist_record_n_counts_and_ignores_nonpositive(void **state)
{
    struct lg_hist *h = lg_hist_new();
    lg_hist_record_n(h, 42, 5);
    lg_hist_record_n(h, 43, 0);
    lg_hist_record_n(h, 44, -7);
    assert_int_equal(h->total_count, 5);
    assert_int_equal(h->counts[42], 5);
    assert_int_equal(h->counts[43], 0);
    assert_int_equal(h->counts[44], 0);
    assert_int_equal(lg_hist_max(h), 42);
    lg_hist_free(h);
}

static void test_hist_empty_behaviour(void **state)
{
    struct lg_hist *h = lg_hist_new();
    assert_int_equal(lg_hist_percentile(h, 0), 0);
    assert_int_equal(lg_hist_percentile(h, 50), 0);
    assert_int_equal(lg_hist_percentile(h, 100), 0);
    assert_int_equal(lg_hist_min(h), 0);
    assert_int_equal(lg_hist_max(h), 0);
    assert_true(lg_hist_mean(h) == 0.0);
    assert_true(lg_hist_stddev(h) == 0.0);
    lg_hist_reset(h);

    char *s = lg_hist_encode(h);
    /* Same bytes HdrHistogram-Java writes for an empty Histogram(1, 3600000000, 3). */
    assert_string_equal(s, "HISTFAAAAB94nJNpmSzMwMDAyAABzFAazL82eQmD/QeoCABVgwSI");
    struct lg_hist *d = NULL;
    assert_int_equal(lg_hist_decode(s, &d), 0);
    assert_hist_equal(h, d);
    assert_int_equal(d->min, INT64_MAX);

    struct lg_hist *m = lg_hist_new();
    assert_int_equal(lg_hist_merge(m, d), 0);
    assert_int_equal(m->total_count, 0);
    assert_int_equal(m->min, INT64_MAX);
    lg_hist_free(m);
    lg_hist_free(d);
    free(s);
    lg_hist_free(h);
}

static void test_hist_reset_clears_everything(void **state)
{
    struct lg_hist *h = sample_hist();
    lg_hist_record(h, LG_HIST_HIGHEST);
    lg_hist_reset(h);
    struct lg_hist *fresh = lg_hist_new();
    assert_memory_equal(h->counts, fresh->counts, (size_t)h->counts_len * sizeof(int64_t));
    assert_int_equal(h->total_count, 0);
    assert_int_equal(h->min, INT64_MAX);
    assert_int_equal(h->max, 0);
    lg_hist_record(h, 10);
    assert_int_equal(lg_hist_percentile(h, 50), 10);
    lg_hist_free(fresh);
    lg_hist_free(h);
}

/* ---- merge ------------------------------------------------------------------------------- */

static void test_hist_merge_equals_single_recording(void **state)
{
    struct lg_hist *a = lg_hist_new(), *b = lg_hist_new(), *all = lg_hist_new();
    struct lg_rng r;
    lg_rng_seed(&r, 99);
    for (int i = 0; i < 20000; i++) {
        int64_t v = lognormal_us(&r);
        lg_hist_record(i % 3 ? a : b, v);
        lg_hist_record(all, v);
    }
    lg_hist_record(b, -1);
    lg_hist_record(all, -1);
    lg_hist_record_n(a, 5000000000LL, 3);
    lg_hist_record_n(all, 5000000000LL, 3);
    assert_int_equal(lg_hist_merge(a, b), 0);
    assert_hist_equal(a, all);
    assert_int_equal(a->min, all->min);
    assert_int_equal(a->max, all->max);
    assert_true(lg_hist_mean(a) == lg_hist_mean(all));
    lg_hist_free(a);
    lg_hist_free(b);
    lg_hist_free(all);
}

static void test_hist_merge_rejects_different_settings(void **state)
{
    struct lg_hist *a = lg_hist_new(), *b = NULL;
    assert_int_equal(lg_hist_init(1, LG_HIST_HIGHEST, 2, &b), 0);
    lg_hist_record(b, 5);
    assert_int_equal(lg_hist_merge(a, b), LG_EINVAL);
    assert_int_equal(a->total_count, 0);
    lg_hist_free(b);
    assert_int_equal(lg_hist_init(2, LG_HIST_HIGHEST, 3, &b), 0);
    assert_int_equal(lg_hist_merge(a, b), LG_EINVAL);
    lg_hist_free(b);
    lg_hist_free(a);
}

static void test_hist_merge_refuses_total_overflow(void **state)
{
    struct lg_hist *a = lg_hist_new(), *b = lg_hist_new();
    lg_hist_record_n(a, 5, INT64_MAX - 10);
    lg_hist_record_n(b, 5, 11);
    assert_int_equal(lg_hist_merge(a, b), LG_ELIMIT);
    assert_int_equal(a->total_count, INT64_MAX - 10);
    assert_int_equal(a->counts[5], INT64_MAX - 10);
    lg_hist_free(a);
    lg_hist_free(b);
}

/* ---- encoding ---------------------------------------------------------------------------- */

static void test_hist_encode_v2_bytes_exact(void **state)
{
    struct lg_hist *h = lg_hist_new();
    lg_hist_record(h, 1);
    lg_hist_record_n(h, 3, 2);
    lg_hist_record(h, 5000);
    char *s = lg_hist_encode(h);
    assert_memory_equal(s, "HISTF", 5);

    size_t n;
    uint8_t *wrapped = bytes_of(s, &n);
    assert_true(n > 8);
    static const uint8_t compressed_cookie[] = {0x1c, 0x84, 0x93, 0x14};
    assert_memory_equal(wrapped, compressed_cookie, 4);
    uint32_t clen = (uint32_t)wrapped[4] << 24 | (uint32_t)wrapped[5] << 16 |
                    (uint32_t)wrapped[6] << 8 | wrapped[7];
    assert_int_equal(clen, n - 8);
    uint8_t raw[256];
    uLongf raw_len = sizeof(raw);
    assert_int_equal(uncompress(raw, &raw_len, wrapped + 8, clen), Z_OK);

    /* Counts by index: [0]=0, [1]=1 (value 1), [2]=0, [3]=2 (value 3), then 3294 zeros up
     * to index 3298 = (3 << 10) + (5000 >> 2) - 1024, holding value 5000. ZigZag: 0 -> 00,
     * 1 -> 02, 2 -> 04, -3294 -> 6587 -> LEB128 bb 33. */
    static const uint8_t want[] = {
        0x1c, 0x84, 0x93, 0x13, 0x00, 0x00, 0x00, 0x07, /* cookie, payload 7 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, /* offset 0, 3 digits */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* lowest 1 */
        0x00, 0x00, 0x00, 0x00, 0xd6, 0x93, 0xa4, 0x00, /* highest 3600000000 */
        0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* ratio 1.0 */
        0x00, 0x02, 0x00, 0x04, 0xbb, 0x33, 0x02};      /* counts */
    assert_int_equal(raw_len, sizeof(want));
    assert_memory_equal(raw, want, sizeof(want));
    free(wrapped);
    free(s);
    lg_hist_free(h);
}

static void test_hist_encode_decode_round_trip(void **state)
{
    struct lg_hist *h = sample_hist();
    lg_hist_record(h, 0);
    lg_hist_record(h, LG_HIST_HIGHEST * 2);
    char *s = lg_hist_encode(h);
    struct lg_hist *d = NULL;
    assert_int_equal(lg_hist_decode(s, &d), 0);
    assert_hist_equal(h, d);
    static const double ps[] = {0, 1, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
        assert_int_equal(lg_hist_percentile(h, ps[i]), lg_hist_percentile(d, ps[i]));
    assert_true(lg_hist_mean(h) == lg_hist_mean(d));
    assert_true(lg_hist_stddev(h) == lg_hist_stddev(d));

    /* Decoded histograms merge with recorded ones and encode back to the same string. */
    char *again = lg_hist_encode(d);
    assert_string_equal(s, again);
    struct lg_hist *m = lg_hist_new();
    assert_int_equal(lg_hist_merge(m, d), 0);
    assert_hist_equal(m, h);
    lg_hist_record(d, 12345);
    lg_hist_reset(d);
    assert_int_equal(d->total_count, 0);
    struct lg_hist *fresh = lg_hist_new();
    assert_memory_equal(d->counts, fresh->counts, (size_t)d->counts_len * sizeof(int64_t));
    lg_hist_free(fresh);
    lg_hist_free(m);
    free(again);
    lg_hist_free(d);
    free(s);
    lg_hist_free(h);
}

static void test_hist_decodes_java_encoded_strings(void **state)
{
    /* Written by HdrHistogram-Java 2.1.11 (encodeIntoCompressedByteBuffer + Base64); the
     * expected figures are what that library's getters returned. */
    struct lg_hist *h = NULL;
    /* Histogram(1, 3600000000, 3): 1, 250 x3, 42000 x10, 1500000 */
    assert_int_equal(lg_hist_decode("HISTFAAAACp4nJNpmSzMwMDAzQABzFCaEURcm7yEwf4DVITpPTPbyQSRtUF"
                                    "MAJbbB8o=",
                                    &h),
                     0);
    assert_int_equal(h->total_count, 15);
    assert_int_equal(lg_hist_min(h), 1);
    assert_int_equal(lg_hist_max(h), 1500159);
    assert_int_equal(lg_hist_percentile(h, 50), 42015);
    assert_int_equal(lg_hist_percentile(h, 90), 42015);
    assert_true(fabs(lg_hist_mean(h) - 128026.6) < 1e-6);
    struct lg_hist *own = lg_hist_new();
    lg_hist_record(own, 1);
    lg_hist_record_n(own, 250, 3);
    lg_hist_record_n(own, 42000, 10);
    lg_hist_record(own, 1500000);
    assert_hist_equal(own, h);
    lg_hist_free(own);
    lg_hist_free(h);

    /* Histogram(1000, 10^10, 2): 1000, 123456, 9999999999 x2 */
    assert_int_equal(
        lg_hist_decode("HISTFAAAACd4nJNpmSzMwMDAwQABTBCK+QWIHcL9hMH+A0zmLjPTUQUWAIVmBn0=", &h), 0);
    assert_int_equal(h->lowest, 1000);
    assert_int_equal(h->highest, 10000000000LL);
    assert_int_equal(h->sigfigs, 2);
    assert_int_equal(h->total_count, 4);
    assert_int_equal(lg_hist_min(h), 512);
    assert_int_equal(lg_hist_max(h), 10066329599LL);
    assert_int_equal(lg_hist_percentile(h, 50), 123903);
    assert_int_equal(lg_hist_percentile(h, 25), 1023);
    lg_hist_free(h);

    /* An auto-resizing Histogram(3) after recording 5 and 10^8: its current range is
     * written as 1 .. 134217727. */
    assert_int_equal(
        lg_hist_decode("HISTFAAAACZ4nJNpmSzMwMDAxgABzFCaEUSw////3/4DRICT6e50JiYAf6wHBw==", &h), 0);
    assert_int_equal(h->highest, 134217727);
    assert_int_equal(h->total_count, 2);
    assert_int_equal(lg_hist_min(h), 5);
    assert_int_equal(lg_hist_max(h), 100007935);
    struct lg_hist *std = lg_hist_new();
    assert_int_equal(lg_hist_merge(std, h), LG_EINVAL); /* different settings */
    lg_hist_free(std);
    lg_hist_free(h);
}

/* ---- decoding malformed input ------------------------------------------------------------ */

static void test_hist_decode_accepts_whitespace_and_missing_padding(void **state)
{
    struct lg_hist *h = NULL;
    assert_int_equal(
        lg_hist_decode(" \tHISTFAAAACZ4nJNpmSzMwMDAxgABzFCaEUSw////3/4DRICT6e50JiYAf6wHBw==\r\n",
                       &h),
        0);
    assert_int_equal(h->total_count, 2);
    lg_hist_free(h);
    assert_int_equal(
        lg_hist_decode("HISTFAAAACZ4nJNpmSzMwMDAxgABzFCaEUSw////3/4DRICT6e50JiYAf6wHBw", &h), 0);
    assert_int_equal(h->total_count, 2);
    lg_hist_free(h);
}

static void test_hist_decode_rejects_garbage(void **state)
{
    static const char *const bad[] = {
        "",
        "   \n",
        "H",
        "HISTF",
        "HISTFA",
        "not base64 at all!",
        "====",
        "AAAAAAAAAAAAAAAAAAAAAAAA",
        "HISTFAAAACZ4nJNpmSzMwMDAxgABzFCaEUSw////3/4DRICT6e50JiYAf6wHBw===",
        "HISTFAAAACZ4nJNpmSzMwMDAxgABzFCa=USw////3/4DRICT6e50JiYAf6wHBw==",
        "HISTFAAAACZ4nJNpmSzMwMDAxgABzFCaEUSw////3/4DRICT6e50JiYAf6wHBw==AAAA",
        "HISTFAAAACZ4nJNpmSzM wMDAxgABzFCaEUSw////3/4DRICT6e50JiYAf6wHBw==",
        "HISTFAAAACZ4nJNpmSzMwMDAxgABzFCaEUSw////3/4DRICT6e50JiYAf6wHBw==\x01",
        /* V2 uncompressed cookie (0x1c849313) where the compressed one belongs */
        "HISTEwAAAAA=",
    };
    assert_decode_fails(NULL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_decode_fails(bad[i]);

    struct lg_rng r;
    lg_rng_seed(&r, 1);
    for (int round = 0; round < 500; round++) {
        uint8_t junk[64];
        size_t n = (size_t)lg_rng_range(&r, 0, sizeof(junk));
        for (size_t i = 0; i < n; i++)
            junk[i] = (uint8_t)lg_rng_next(&r);
        if (round % 2 && n >= 8) { /* a valid wrapper around junk */
            put32(junk, 0x1c849314);
            put32(junk + 4, (uint32_t)(n - 8));
        }
        char *s = b64_of(junk, n);
        assert_decode_fails(s);
        free(s);
    }
}

static void test_hist_decode_rejects_truncated_input(void **state)
{
    struct lg_hist *h = sample_hist();
    char *s = lg_hist_encode(h);
    /* Every prefix fails, except the string without its '=' padding, which is tolerated. */
    size_t len = strlen(s);
    while (s[len - 1] == '=')
        len--;
    char *cut = lg_malloc(len + 1);
    for (size_t i = 0; i < len; i++) {
        memcpy(cut, s, i);
        cut[i] = '\0';
        assert_decode_fails(cut);
    }
    /* Truncated deflate data with a wrapper length that agrees: inflate must notice. */
    size_t n;
    uint8_t *bytes = bytes_of(s, &n);
    for (size_t keep = 8; keep < n; keep += (keep < 64 ? 1 : 97)) {
        put32(bytes + 4, (uint32_t)(keep - 8));
        char *t = b64_of(bytes, keep);
        assert_decode_fails(t);
        free(t);
    }
    free(bytes);
    free(cut);
    free(s);
    lg_hist_free(h);
}

/* Every single-bit flip either fails cleanly or, for the few bits every decoder ignores
 * (the cookie's word-size flag, deflate's padding after the last block, unused base64
 * bits), decodes to the very same histogram. */
static void test_hist_decode_survives_bit_flips(void **state)
{
    struct lg_hist *h = lg_hist_new();
    lg_hist_record(h, 1);
    lg_hist_record_n(h, 250, 3);
    lg_hist_record_n(h, 42000, 10);
    lg_hist_record(h, 1500000);
    lg_hist_record_n(h, 3000000000LL, (int64_t)1 << 62);
    char *s = lg_hist_encode(h);
    size_t n;
    uint8_t *bytes = bytes_of(s, &n);
    int accepted = 0;
    for (size_t bit = 0; bit < n * 8; bit++) {
        bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        char *t = b64_of(bytes, n);
        struct lg_hist *d = NULL;
        int rc = lg_hist_decode(t, &d);
        if (rc == 0) {
            assert_hist_equal(h, d);
            accepted++;
            lg_hist_free(d);
        } else {
            assert_int_equal(rc, LG_ESYNTAX);
        }
        free(t);
        bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    assert_in_range(accepted, 1, 8); /* the 0x10 flag is one; corruption is caught */

    size_t len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        for (int b = 0; b < 7; b++) {
            s[i] ^= (char)(1 << b);
            struct lg_hist *d = NULL;
            int rc = lg_hist_decode(s, &d);
            if (rc == 0) {
                assert_hist_equal(h, d);
                lg_hist_free(d);
            } else {
                assert_int_equal(rc, LG_ESYNTAX);
            }
            s[i] ^= (char)(1 << b);
        }
    }
    free(bytes);
    free(s);
    lg_hist_free(h);
}

static void test_hist_decode_rejects_bad_headers(void **state)
{
    struct raw r;
    struct lg_hist *h = NULL;

    /* The forging helper itself makes a valid histogram: 2 x value 1, 1 x value 5. */
    raw_std_header(&r);
    raw_count(&r, 0);
    raw_count(&r, 2);
    raw_count(&r, -3);
    raw_count(&r, 1);
    char *s = wrap_raw(&r, TRUE_LEN);
    assert_int_equal(lg_hist_decode(s, &h), 0);
    assert_int_equal(h->total_count, 3);
    assert_int_equal(h->counts[1], 2);
    assert_int_equal(h->counts[5], 1);
    assert_int_equal(lg_hist_max(h), 5);
    lg_hist_free(h);
    free(s);

    raw_header(&r, 0x1c849312, 0, 3, 1, 1000); /* V1 cookie */
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_header(&r, 0x1c849353, 0, 3, 1, 1000); /* unknown word-size nibble */
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_header(&r, 0x1c849313, 1, 3, 1, 1000); /* normalizing offset */
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_header(&r, 0x1c849313, 0, 6, 1, 1000); /* 6 digits */
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_header(&r, 0x1c849313, 0, -1, 1, 1000);
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_header(&r, 0x1c849313, 0, 3, 0, 1000); /* lowest 0 */
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_header(&r, 0x1c849313, 0, 3, 600, 1000); /* highest < 2 * lowest */
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_header(&r, 0x1c849313, 0, 3, INT64_MIN, INT64_MAX);
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_header(&r, 0x1c849313, 0, 5, (int64_t)1 << 50, INT64_MAX); /* range too wide */
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);

    raw_std_header(&r);
    raw_count(&r, 1);
    assert_raw_fails(&r, -5);            /* negative payload length */
    assert_raw_fails(&r, 2);             /* longer than the data */
    assert_raw_fails(&r, 0);             /* shorter: data left over */
    assert_raw_fails(&r, 23552 * 9 + 1); /* more than any layout of this size needs */
}

static void test_hist_decode_rejects_bad_counts(void **state)
{
    struct raw r;

    raw_std_header(&r); /* a run of zeros past the end */
    raw_count(&r, -23552);
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_std_header(&r);
    raw_count(&r, -23553);
    assert_raw_fails(&r, TRUE_LEN);
    raw_std_header(&r);
    raw_count(&r, INT64_MIN);
    assert_raw_fails(&r, TRUE_LEN);
    raw_std_header(&r); /* counts that overflow the total */
    raw_count(&r, INT64_MAX);
    raw_count(&r, 1);
    assert_raw_fails(&r, TRUE_LEN);
    raw_std_header(&r); /* a LEB128 word cut short */
    raw_count(&r, 1);
    raw_bytes(&r, "\x80\x80", 2);
    assert_raw_fails(&r, TRUE_LEN);
    raw_std_header(&r); /* 9-byte word whose last byte is missing */
    raw_bytes(&r, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    assert_raw_fails(&r, TRUE_LEN);

    /* A zero run that ends exactly at the end of the array is fine. */
    raw_std_header(&r);
    raw_count(&r, 7);
    raw_count(&r, -23551);
    char *s = wrap_raw(&r, TRUE_LEN);
    struct lg_hist *h = NULL;
    assert_int_equal(lg_hist_decode(s, &h), 0);
    assert_int_equal(h->total_count, 7);
    assert_int_equal(lg_hist_min(h), 0);
    assert_int_equal(lg_hist_max(h), 0);
    lg_hist_free(h);
    free(s);
}

/* The bucket of the rank-th smallest value: exact below 2048 us, then 4 us wide at 5 ms and
 * 64 us wide at 100 ms; ranks outside 1..total are refused. */
static void test_hist_rank_range(void **state)
{
    struct lg_hist *h = lg_hist_new();
    int64_t lo = -1, hi = -1;
    assert_int_equal(lg_hist_rank_range(h, 1, &lo, &hi), LG_EINVAL);
    lg_hist_record_n(h, 1000, 2);
    lg_hist_record(h, 5000);
    lg_hist_record(h, 100000);
    assert_int_equal(lg_hist_rank_range(h, 0, &lo, &hi), LG_EINVAL);
    assert_int_equal(lg_hist_rank_range(h, 5, &lo, &hi), LG_EINVAL);
    assert_int_equal(lo, -1);
    assert_int_equal(lg_hist_rank_range(h, 2, &lo, &hi), 0);
    assert_int_equal(lo, 1000);
    assert_int_equal(hi, 1000);
    assert_int_equal(lg_hist_rank_range(h, 3, &lo, &hi), 0);
    assert_int_equal(lo, 5000);
    assert_int_equal(hi, 5003);
    assert_int_equal(lg_hist_rank_range(h, 4, &lo, &hi), 0);
    assert_int_equal(lo, 99968);
    assert_int_equal(hi, 100031);
    lg_hist_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_init_rejects_bad_settings),
        cmocka_unit_test(test_hist_standard_layout),
        cmocka_unit_test(test_hist_percentiles_of_1_to_10000_exact),
        cmocka_unit_test(test_hist_small_values_are_exact),
        cmocka_unit_test(test_hist_percentiles_of_random_data_within_0_1_percent),
        cmocka_unit_test(test_hist_mean_and_stddev),
        cmocka_unit_test(test_hist_clamps_out_of_range_values),
        cmocka_unit_test(test_hist_record_n_counts_and_ignores_nonpositive),
        cmocka_unit_test(test_hist_empty_behaviour),
        cmocka_unit_test(test_hist_reset_clears_everything),
        cmocka_unit_test(test_hist_merge_equals_single_recording),
        cmocka_unit_test(test_hist_merge_rejects_different_settings),
        cmocka_unit_test(test_hist_merge_refuses_total_overflow),
        cmocka_unit_test(test_hist_encode_v2_bytes_exact),
        cmocka_unit_test(test_hist_encode_decode_round_trip),
        cmocka_unit_test(test_hist_decodes_java_encoded_strings),
        cmocka_unit_test(test_hist_decode_accepts_whitespace_and_missing_padding),
        cmocka_unit_test(test_hist_decode_rejects_garbage),
        cmocka_unit_test(test_hist_decode_rejects_truncated_input),
        cmocka_unit_test(test_hist_decode_survives_bit_flips),
        cmocka_unit_test(test_hist_decode_rejects_bad_headers),
        cmocka_unit_test(test_hist_decode_rejects_bad_counts),
        cmocka_unit_test(test_hist_rank_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
