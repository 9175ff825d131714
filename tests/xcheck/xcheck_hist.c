/* xcheck_hist: the C half of the histogram cross-check against HdrHistogram's Java
 * implementation. `gen` records the shared data sets and prints our encodings and figures
 * for XcheckHist.java to verify; `check FILE` decodes what Java encoded and compares. */
#include "hist.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The data sets. XcheckHist.java builds the same ones from the same description; keep the
 * two in step. Values are clamped to loadgate's range before Java records them. */
static const char *const CASES[] = {"seq", "loguniform", "empty", "single", "sparse", "tiny"};
#define NCASES (sizeof(CASES) / sizeof(CASES[0]))

/* 0.07, 0.28, 0.34 and 83.885 land a hair above a whole count in floating point, which
 * is where HdrHistogram's one-ulp step down matters. */
static const double PERCENTILES[] = {0,  0.001,   0.07, 0.1,     0.28,  0.34,   1,  10,
                                     25, 33.3333, 50,   66.6667, 75,    83.885, 90, 95,
                                     99, 99.5,    99.9, 99.93,   99.99, 99.999, 100};
#define NPCT (sizeof(PERCENTILES) / sizeof(PERCENTILES[0]))

/* splitmix64: the generator both sides implement. */
static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void build_case(const char *name, struct lg_hist *h)
{
    if (strcmp(name, "seq") == 0) {
        for (int64_t v = 1; v <= 10000; v++)
            lg_hist_record(h, v);
    } else if (strcmp(name, "loguniform") == 0) {
        /* Log-uniform over 1 us .. 2^28 us, with every 997th value beyond the range. */
        uint64_t state = 42;
        for (int i = 0; i < 100000; i++) {
            uint64_t z = splitmix(&state);
            unsigned e = (unsigned)(z % 28);
            int64_t v = (int64_t)(((uint64_t)1 << e) | ((z >> 8) & (((uint64_t)1 << e) - 1)));
            if (i % 997 == 0)
                v = 5000000000LL;
            lg_hist_record(h, v);
        }
    } else if (strcmp(name, "single") == 0) {
        lg_hist_record(h, 123456789);
    } else if (strcmp(name, "sparse") == 0) {
        /* Large counts exercise every LEB128 length, including the 9-byte form. */
        lg_hist_record_n(h, 1, 5);
        lg_hist_record_n(h, 1000000, (int64_t)1 << 40);
        lg_hist_record_n(h, 3599999999LL, (int64_t)1 << 60);
        lg_hist_record_n(h, 3600000000LL, 7);
    } else if (strcmp(name, "tiny") == 0) {
        lg_hist_record(h, 1);
        lg_hist_record(h, 2);
        lg_hist_record(h, 2);
        lg_hist_record(h, 3);
        lg_hist_record(h, 2047);
        lg_hist_record(h, 2048);
        lg_hist_record(h, 2049);
    }
    /* "empty" records nothing */
}

static void print_figures(FILE *f, const struct lg_hist *h)
{
    fprintf(f, "total %" PRId64 "\n", h->total_count);
    fprintf(f, "min %" PRId64 "\n", lg_hist_min(h));
    fprintf(f, "max %" PRId64 "\n", lg_hist_max(h));
    fprintf(f, "mean %.17g\n", lg_hist_mean(h));
    fprintf(f, "stddev %.17g\n", lg_hist_stddev(h));
    for (size_t i = 0; i < NPCT; i++)
        fprintf(f, "pct %.17g %" PRId64 "\n", PERCENTILES[i],
                lg_hist_percentile(h, PERCENTILES[i]));
}

static int gen(void)
{
    for (size_t c = 0; c < NCASES; c++) {
        struct lg_hist *h = lg_hist_new();
        build_case(CASES[c], h);
        char *enc = lg_hist_encode(h);
        printf("case %s\nencoded %s\n", CASES[c], enc);
        print_figures(stdout, h);
        printf("end\n");
        free(enc);
        lg_hist_free(h);
    }
    return 0;
}

static int failures;

static void fail(const char *cs, const char *what, const char *want, const char *got)
{
    fprintf(stderr, "xcheck_hist: case %s: %s: expected %s, got %s\n", cs, what, want, got);
    failures++;
}

static void expect_i64(const char *cs, const char *what, int64_t want, int64_t got)
{
    char a[32], b[32];
    if (want == got)
        return;
    snprintf(a, sizeof(a), "%" PRId64, want);
    snprintf(b, sizeof(b), "%" PRId64, got);
    fail(cs, what, a, b);
}

static void expect_close(const char *cs, const char *what, double want, double got)
{
    char a[40], b[40];
    if (fabs(want - got) <= 1e-9 * fmax(1.0, fabs(want)))
        return;
    snprintf(a, sizeof(a), "%.17g", want);
    snprintf(b, sizeof(b), "%.17g", got);
    fail(cs, what, a, b);
}

/* Verifies one case Java encoded: every count against our own recording of the same data,
 * then each figure Java computed against ours from the decoded histogram. */
static void check_case(const char *cs, const char *enc, FILE *in)
{
    struct lg_hist *got = NULL;
    int rc = lg_hist_decode(enc, &got);
    if (rc != 0) {
        fail(cs, "decode", "a histogram", lg_strerror(rc));
        return;
    }
    struct lg_hist *own = lg_hist_new();
    build_case(cs, own);
    expect_i64(cs, "lowest", own->lowest, got->lowest);
    expect_i64(cs, "highest", own->highest, got->highest);
    expect_i64(cs, "sigfigs", own->sigfigs, got->sigfigs);
    expect_i64(cs, "counts_len", own->counts_len, got->counts_len);
    if (own->counts_len == got->counts_len) {
        for (int32_t i = 0; i < own->counts_len; i++) {
            char what[48];
            snprintf(what, sizeof(what), "count at index %d", (int)i);
            expect_i64(cs, what, own->counts[i], got->counts[i]);
        }
    }
    expect_i64(cs, "merge into a standard histogram", 0, lg_hist_merge(own, got));

    char line[256];
    size_t figures = 0;
    while (fgets(line, sizeof(line), in) && strcmp(line, "end\n") != 0) {
        char key[16], num[64];
        if (sscanf(line, "%15s %63s", key, num) != 2)
            continue;
        figures++;
        if (strcmp(key, "pct") == 0) {
            double p;
            int64_t v;
            char what[48];
            if (sscanf(line, "pct %lf %" SCNd64, &p, &v) != 2)
                continue;
            snprintf(what, sizeof(what), "value at percentile %.17g", p);
            expect_i64(cs, what, v, lg_hist_percentile(got, p));
        } else if (strcmp(key, "mean") == 0) {
            expect_close(cs, "mean", strtod(num, NULL), lg_hist_mean(got));
        } else if (strcmp(key, "stddev") == 0) {
            expect_close(cs, "stddev", strtod(num, NULL), lg_hist_stddev(got));
        } else if (strcmp(key, "total") == 0) {
            expect_i64(cs, "total", strtoll(num, NULL, 10), got->total_count);
        } else if (strcmp(key, "min") == 0) {
            expect_i64(cs, "min", strtoll(num, NULL, 10), lg_hist_min(got));
        } else if (strcmp(key, "max") == 0) {
            expect_i64(cs, "max", strtoll(num, NULL, 10), lg_hist_max(got));
        }
    }
    if (figures != NPCT + 5)
        fail(cs, "figures", "total, min, max, mean, stddev and each percentile", "fewer lines");
    lg_hist_free(own);
    lg_hist_free(got);
}

static int check(const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        perror(path);
        return 2;
    }
    static char enc[1 << 20];
    char line[256];
    size_t seen = 0;
    while (fgets(line, sizeof(line), in)) {
        char cs[32];
        if (sscanf(line, "case %31s", cs) != 1)
            continue;
        if (!fgets(enc, sizeof(enc), in) || strncmp(enc, "encoded ", 8) != 0) {
            fail(cs, "input", "an encoded line", "none");
            break;
        }
        enc[strcspn(enc, "\n")] = '\0';
        check_case(cs, enc + 8, in);
        seen++;
    }
    fclose(in);
    if (seen != NCASES) {
        fprintf(stderr, "xcheck_hist: expected %zu cases from java, got %zu\n", NCASES, seen);
        failures++;
    }
    if (failures == 0)
        printf("xcheck_hist: %zu java-encoded histograms decoded with exact counts and figures\n",
               seen);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "gen") == 0)
        return gen();
    if (argc == 3 && strcmp(argv[1], "check") == 0)
        return check(argv[2]);
    fprintf(stderr, "usage: xcheck_hist gen | xcheck_hist check JAVA_OUTPUT\n");
    return 2;
}
