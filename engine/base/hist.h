/* hist: a log-linear latency histogram after HdrHistogram's design (3 significant
 * digits over a fixed range, constant-time record, lossless merge), with
 * HdrHistogram's V2 compressed encoding (zlib + base64, "HISTF...") so that results
 * merge across threads and machines and open in existing HdrHistogram tools. */
#ifndef LG_HIST_H
#define LG_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The range every loadgate histogram uses: 1 us to 1 hour, 3 significant digits.
 * All histograms share these settings so that any two can be merged. */
#define LG_HIST_LOWEST 1
#define LG_HIST_HIGHEST 3600000000LL
#define LG_HIST_SIGFIGS 3

struct lg_hist {
    int64_t lowest, highest; /* trackable range */
    int sigfigs;
    int unit_magnitude; /* floor(log2(lowest)) */
    int sub_bucket_half_count_magnitude;
    int32_t sub_bucket_count; /* 2^(sub_bucket_half_count_magnitude + 1) */
    int32_t sub_bucket_half_count;
    int64_t sub_bucket_mask;
    int32_t bucket_count;
    int32_t counts_len;
    int64_t total_count;
    int64_t min, max; /* of recorded values; min = INT64_MAX when empty */
    int64_t *counts;  /* counts_len entries */
};

/* Creates a histogram with the given range (lowest >= 1, highest >= 2 * lowest,
 * sigfigs 1..5). Returns 0 and *out, or LG_EINVAL. Free with lg_hist_free. */
int lg_hist_init(int64_t lowest, int64_t highest, int sigfigs, struct lg_hist **out);
/* Creates a histogram with loadgate's standard settings (never fails). */
struct lg_hist *lg_hist_new(void);
void lg_hist_free(struct lg_hist *h); /* accepts NULL */
void lg_hist_reset(struct lg_hist *h);

/* Records one value (count times). Values below `lowest` are recorded as `lowest`
 * and values above `highest` are clamped to `highest`, so no sample is ever lost;
 * negative values are recorded as 0 -> lowest. Constant time. A count below 1 is
 * ignored. */
void lg_hist_record(struct lg_hist *h, int64_t value);
void lg_hist_record_n(struct lg_hist *h, int64_t value, int64_t count);

/* Adds every count of src to dst. Returns 0, or LG_EINVAL when the settings differ, or
 * LG_ELIMIT when the total count would overflow (dst is left unchanged on error). */
int lg_hist_merge(struct lg_hist *dst, const struct lg_hist *src);

/* The value at percentile p (0..100) as HdrHistogram defines it (the highest value
 * equivalent to the bucket holding the p-th percentile sample); 0 when empty.
 * p = 0 gives the min, p = 100 the max. */
int64_t lg_hist_percentile(const struct lg_hist *h, double p);
double lg_hist_mean(const struct lg_hist *h);
/* The smallest and largest recorded values as HdrHistogram reports them (getMinValue,
 * getMaxValue): the lowest value equivalent to the smallest sample and the highest value
 * equivalent to the largest, so they equal p0 and p100 and survive encoding. 0 when
 * empty. */
int64_t lg_hist_min(const struct lg_hist *h);
int64_t lg_hist_max(const struct lg_hist *h);
double lg_hist_stddev(const struct lg_hist *h);
/* The bucket holding the rank-th smallest recorded value (rank 1 is the smallest):
 * *lowest and *highest get its lowest and highest equivalent values, between which the
 * recorded value lies. Returns 0, or LG_EINVAL when rank is not in 1..total_count
 * (nothing written). */
int lg_hist_rank_range(const struct lg_hist *h, int64_t rank, int64_t *lowest, int64_t *highest);

/* Encodes in HdrHistogram's V2 compressed form, base64 (starts with "HISTF").
 * Returns a new string owned by the caller. */
char *lg_hist_encode(const struct lg_hist *h);
/* Decodes a V2 compressed base64 string (as written by lg_hist_encode or by
 * HdrHistogram's own encoders). Returns 0 and a new histogram in *out (with the
 * settings the string carries; free with lg_hist_free), or LG_ESYNTAX for anything
 * malformed (never reads out of bounds). The exact min and max are not encoded: the
 * fields become the edges of the first and last non-empty buckets, which is what
 * lg_hist_min and lg_hist_max report anyway. Surrounding whitespace is ignored; a
 * non-zero normalizingIndexOffset (shifted arrays) is refused. */
int lg_hist_decode(const char *b64, struct lg_hist **out);

#endif
