/* hist: loadgate's log-linear latency histogram after HdrHistogram's design: constant-time
 * record into power-of-two buckets split into linear sub-buckets, lossless merge, percentiles
 * with HdrHistogram's semantics, and its V2 compressed encoding (ZigZag LEB128 counts, zlib,
 * base64) so that our histograms open in HdrHistogram tools and theirs open in ours. */
#include "hist.h"

#include "util.h"

#include <math.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

/* V2 cookies. The high nibble of the low byte is HdrHistogram's word-size field; every V2
 * encoder writes 0x10 there, and readers mask it off (Java's getCookieBase). */
#define V2_ENCODING_COOKIE_BASE 0x1c849303
#define V2_COMPRESSED_COOKIE_BASE 0x1c849304
#define V2_WORD_SIZE_FLAG 0x10
#define V2_HEADER_LEN 40  /* cookie, payload length, offset, digits, lowest, highest, ratio */
#define V2_MAX_WORD_LEN 9 /* LEB128 of 64 bits in at most 9 bytes (the 9th carries 8 bits) */
#define WRAPPER_HEADER_LEN 8
#define MAX_B64_LEN (1 << 30)

/* ---- layout: values <-> counts indexes -------------------------------------------------- */

static inline int32_t bucket_index(const struct lg_hist *h, int64_t value)
{
    /* The position of the highest set bit picks the power-of-two bucket; or-ing the mask in
     * puts every value below sub_bucket_count into bucket 0. */
    int lz_base = 64 - h->unit_magnitude - h->sub_bucket_half_count_magnitude - 1;
    return lz_base - __builtin_clzll((uint64_t)(value | h->sub_bucket_mask));
}

static inline int32_t counts_index_of(const struct lg_hist *h, int64_t value)
{
    int32_t b = bucket_index(h, value);
    int32_t sub = (int32_t)(value >> (b + h->unit_magnitude));
    /* Buckets above 0 only use their upper half of sub-buckets (the lower half is covered by
     * the bucket below), so each bucket adds sub_bucket_half_count slots. */
    return ((b + 1) << h->sub_bucket_half_count_magnitude) + (sub - h->sub_bucket_half_count);
}

static int64_t value_from_index(const struct lg_hist *h, int32_t index)
{
    int32_t b = (index >> h->sub_bucket_half_count_magnitude) - 1;
    int32_t sub = (index & (h->sub_bucket_half_count - 1)) + h->sub_bucket_half_count;
    if (b < 0) {
        sub -= h->sub_bucket_half_count;
        b = 0;
    }
    return (int64_t)sub << (b + h->unit_magnitude);
}

static int64_t lowest_equivalent(const struct lg_hist *h, int64_t value)
{
    int32_t b = bucket_index(h, value);
    int64_t sub = value >> (b + h->unit_magnitude);
    return sub << (b + h->unit_magnitude);
}

static int64_t equivalent_range_size(const struct lg_hist *h, int64_t value)
{
    int32_t b = bucket_index(h, value);
    int64_t sub = value >> (b + h->unit_magnitude);
    if (sub >= h->sub_bucket_count)
        b++;
    return (int64_t)1 << (h->unit_magnitude + b);
}

static int64_t highest_equivalent(const struct lg_hist *h, int64_t value)
{
    return lowest_equivalent(h, value) + equivalent_range_size(h, value) - 1;
}

static int64_t median_equivalent(const struct lg_hist *h, int64_t value)
{
    return lowest_equivalent(h, value) + (equivalent_range_size(h, value) >> 1);
}

/* ---- construction ------------------------------------------------------------------------ */

static int floor_log2(uint64_t v)
{
    return 63 - __builtin_clzll(v);
}

/* Fills the layout fields for a range; sigfigs 0..5 (0 only reachable from decoding, as
 * HdrHistogram accepts it). Returns 0 or LG_EINVAL; allocates nothing. */
static int hist_layout(int64_t lowest, int64_t highest, int sigfigs, struct lg_hist *h)
{
    if (lowest < 1 || sigfigs < 0 || sigfigs > 5 || lowest > highest / 2)
        return LG_EINVAL;
    int64_t single_unit_max = 2;
    for (int i = 0; i < sigfigs; i++)
        single_unit_max *= 10;
    int sub_bucket_count_magnitude = floor_log2((uint64_t)single_unit_max - 1) + 1; /* ceil */
    int half_magnitude = (sub_bucket_count_magnitude > 1 ? sub_bucket_count_magnitude : 1) - 1;
    int unit = floor_log2((uint64_t)lowest);
    if (unit + half_magnitude > 61)
        return LG_EINVAL;

    memset(h, 0, sizeof(*h));
    h->lowest = lowest;
    h->highest = highest;
    h->sigfigs = sigfigs;
    h->unit_magnitude = unit;
    h->sub_bucket_half_count_magnitude = half_magnitude;
    h->sub_bucket_count = (int32_t)1 << (half_magnitude + 1);
    h->sub_bucket_half_count = h->sub_bucket_count / 2;
    h->sub_bucket_mask = ((int64_t)h->sub_bucket_count - 1) << unit;

    int64_t smallest_untrackable = (int64_t)h->sub_bucket_count << unit;
    int32_t buckets = 1;
    while (smallest_untrackable <= highest) {
        if (smallest_untrackable > INT64_MAX / 2) {
            buckets++;
            break;
        }
        smallest_untrackable <<= 1;
        buckets++;
    }
    h->bucket_count = buckets;
    h->counts_len = (buckets + 1) * h->sub_bucket_half_count;
    h->min = INT64_MAX;
    h->max = 0;
    return 0;
}

static struct lg_hist *hist_alloc(const struct lg_hist *layout)
{
    struct lg_hist *h = lg_malloc(sizeof(*h));
    *h = *layout;
    h->counts = lg_calloc((size_t)layout->counts_len, sizeof(int64_t));
    return h;
}

int lg_hist_init(int64_t lowest, int64_t highest, int sigfigs, struct lg_hist **out)
{
    struct lg_hist layout;
    if (sigfigs < 1 || hist_layout(lowest, highest, sigfigs, &layout) != 0)
        return LG_EINVAL;
    *out = hist_alloc(&layout);
    return 0;
}

struct lg_hist *lg_hist_new(void)
{
    struct lg_hist *h = NULL;
    (void)lg_hist_init(LG_HIST_LOWEST, LG_HIST_HIGHEST, LG_HIST_SIGFIGS, &h);
    return h;
}

void lg_hist_free(struct lg_hist *h)
{
    if (!h)
        return;
    free(h->counts);
    free(h);
}

void lg_hist_reset(struct lg_hist *h)
{
    /* Counts are non-zero only between the indexes of min and max, so a per-second
     * histogram is cleared without touching the whole array. */
    if (h->total_count > 0) {
        int32_t lo = counts_index_of(h, h->min);
        int32_t hi = counts_index_of(h, h->max);
        memset(h->counts + lo, 0, (size_t)(hi - lo + 1) * sizeof(int64_t));
    }
    h->total_count = 0;
    h->min = INT64_MAX;
    h->max = 0;
}

/* ---- record and merge -------------------------------------------------------------------- */

static inline void record_count(struct lg_hist *h, int64_t value, int64_t count)
{
    if (value < h->lowest)
        value = h->lowest;
    if (value > h->highest)
        value = h->highest;
    h->counts[counts_index_of(h, value)] += count;
    h->total_count += count;
    if (value < h->min)
        h->min = value;
    if (value > h->max)
        h->max = value;
}

void lg_hist_record(struct lg_hist *h, int64_t value)
{
    record_count(h, value, 1);
}

void lg_hist_record_n(struct lg_hist *h, int64_t value, int64_t count)
{
    if (count > 0)
        record_count(h, value, count);
}

int lg_hist_merge(struct lg_hist *dst, const struct lg_hist *src)
{
    if (dst->lowest != src->lowest || dst->highest != src->highest || dst->sigfigs != src->sigfigs)
        return LG_EINVAL;
    if (src->total_count == 0)
        return 0;
    /* Every count is at most its histogram's total, so a total that fits means no single
     * count can overflow either. */
    int64_t total;
    if (__builtin_add_overflow(dst->total_count, src->total_count, &total))
        return LG_ELIMIT;
    int32_t lo = counts_index_of(src, src->min);
    int32_t hi = counts_index_of(src, src->max);
    for (int32_t i = lo; i <= hi; i++)
        dst->counts[i] += src->counts[i];
    dst->total_count = total;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    return 0;
}

/* ---- queries ----------------------------------------------------------------------------- */

int64_t lg_hist_percentile(const struct lg_hist *h, double p)
{
    /* HdrHistogram's getValueAtPercentile: step one ulp down so that a percentile landing
     * exactly on a count boundary does not spill into the next bucket, then take the first
     * count at or above it. */
    double requested = fmin(fmax(nextafter(p, -INFINITY), 0.0), 100.0);
    double fp_count = (requested * (double)h->total_count) / 100.0;
    int64_t want = fp_count >= (double)h->total_count ? h->total_count : (int64_t)ceil(fp_count);
    if (want < 1)
        want = 1;
    int64_t seen = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        seen += h->counts[i];
        if (seen >= want) {
            int64_t v = value_from_index(h, i);
            return p == 0.0 ? lowest_equivalent(h, v) : highest_equivalent(h, v);
        }
    }
    return 0;
}

double lg_hist_mean(const struct lg_hist *h)
{
    if (h->total_count == 0)
        return 0.0;
    double sum = 0.0;
    for (int32_t i = 0; i < h->counts_len; i++)
        if (h->counts[i] > 0)
            sum += (double)median_equivalent(h, value_from_index(h, i)) * (double)h->counts[i];
    return sum / (double)h->total_count;
}

double lg_hist_stddev(const struct lg_hist *h)
{
    if (h->total_count == 0)
        return 0.0;
    double mean = lg_hist_mean(h);
    double sum = 0.0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        if (h->counts[i] > 0) {
            double d = (double)median_equivalent(h, value_from_index(h, i)) - mean;
            sum += d * d * (double)h->counts[i];
        }
    }
    return sqrt(sum / (double)h->total_count);
}

int lg_hist_rank_range(const struct lg_hist *h, int64_t rank, int64_t *lowest, int64_t *highest)
{
    if (rank < 1 || rank > h->total_count)
        return LG_EINVAL;
    int64_t seen = 0;
    for (int32_t i = 0; i < h->counts_len; i++) {
        seen += h->counts[i];
        if (seen >= rank) {
            int64_t v = value_from_index(h, i);
            *lowest = lowest_equivalent(h, v);
            *highest = highest_equivalent(h, v);
            return 0;
        }
    }
    return LG_EINVAL; /* counts that do not add up to total_count */
}

int64_t lg_hist_min(const struct lg_hist *h)
{
    return h->total_count == 0 ? 0 : lowest_equivalent(h, h->min);
}

int64_t lg_hist_max(const struct lg_hist *h)
{
    return h->total_count == 0 ? 0 : highest_equivalent(h, h->max);
}

/* ---- V2 encoding ------------------------------------------------------------------------- */

/* zlib's allocator hooks, so that zlib's memory also comes from lg_calloc. */
static voidpf zalloc_cb(voidpf opaque, uInt items, uInt size)
{
    return lg_calloc(items, size);
}

static void zfree_cb(voidpf opaque, voidpf p)
{
    free(p);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* ZigZag, then LEB128 limited to 9 bytes: eight 7-bit groups, and a ninth byte holding the
 * remaining 8 bits whole (HdrHistogram's ZigZagEncoding). Returns the bytes written. */
static size_t put_zigzag(uint8_t *p, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
    size_t n = 0;
    while (n < 8) {
        if (u < 0x80) {
            p[n++] = (uint8_t)u;
            return n;
        }
        p[n++] = (uint8_t)(u | 0x80);
        u >>= 7;
    }
    p[n++] = (uint8_t)u;
    return n;
}

/* Reads one ZigZag LEB128 value from p[*pos..len); returns false when it runs off the end. */
static bool get_zigzag(const uint8_t *p, size_t len, size_t *pos, int64_t *out)
{
    uint64_t u = 0;
    size_t i = *pos;
    for (int shift = 0; shift < 56; shift += 7) {
        if (i >= len)
            return false;
        uint8_t b = p[i++];
        u |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            goto done;
    }
    if (i >= len)
        return false;
    u |= (uint64_t)p[i++] << 56;
done:
    *pos = i;
    *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return true;
}

/* The uncompressed V2 form: header, then counts up to the max's index, with runs of two or
 * more zeros written as one negative run length. Returns a new buffer and its length. */
static uint8_t *encode_raw(const struct lg_hist *h, size_t *out_len)
{
    int32_t limit = counts_index_of(h, h->max) + 1;
    uint8_t *buf = lg_malloc(V2_HEADER_LEN + (size_t)limit * V2_MAX_WORD_LEN);
    size_t n = V2_HEADER_LEN;
    for (int32_t i = 0; i < limit;) {
        int64_t count = h->counts[i++];
        if (count == 0) {
            int64_t zeros = 1;
            while (i < limit && h->counts[i] == 0) {
                zeros++;
                i++;
            }
            if (zeros > 1)
                count = -zeros;
        }
        n += put_zigzag(buf + n, count);
    }
    double ratio = 1.0;
    uint64_t ratio_bits;
    memcpy(&ratio_bits, &ratio, sizeof(ratio_bits));
    put_be32(buf, V2_ENCODING_COOKIE_BASE | V2_WORD_SIZE_FLAG);
    put_be32(buf + 4, (uint32_t)(n - V2_HEADER_LEN));
    put_be32(buf + 8, 0); /* normalizingIndexOffset */
    put_be32(buf + 12, (uint32_t)h->sigfigs);
    put_be64(buf + 16, (uint64_t)h->lowest);
    put_be64(buf + 24, (uint64_t)h->highest);
    put_be64(buf + 32, ratio_bits);
    *out_len = n;
    return buf;
}

char *lg_hist_encode(const struct lg_hist *h)
{
    size_t raw_len;
    uint8_t *raw = encode_raw(h, &raw_len);

    /* Default level, zlib wrapper, like java.util.zip.Deflater in HdrHistogram. */
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    zs.zalloc = zalloc_cb;
    zs.zfree = zfree_cb;
    if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK)
        abort(); /* only a version mismatch or out-of-memory can fail here */
    size_t cap = WRAPPER_HEADER_LEN + deflateBound(&zs, (uLong)raw_len);
    uint8_t *packed = lg_malloc(cap);
    zs.next_in = raw;
    zs.avail_in = (uInt)raw_len;
    zs.next_out = packed + WRAPPER_HEADER_LEN;
    zs.avail_out = (uInt)(cap - WRAPPER_HEADER_LEN);
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
        abort(); /* deflateBound guarantees room for the whole stream */
    size_t packed_len = WRAPPER_HEADER_LEN + zs.total_out;
    put_be32(packed, V2_COMPRESSED_COOKIE_BASE | V2_WORD_SIZE_FLAG);
    put_be32(packed + 4, (uint32_t)zs.total_out);
    deflateEnd(&zs);
    free(raw);

    char *b64 = lg_malloc(4 * ((packed_len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, packed, (int)packed_len);
    free(packed);
    return b64;
}

/* ---- V2 decoding ------------------------------------------------------------------------- */

static bool is_b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Base64 to bytes. OpenSSL does the decoding, but EVP_DecodeBlock reads '=' anywhere as a
 * zero digit and counts padding as data, so the alphabet and padding are checked here
 * first. Surrounding whitespace is ignored and missing padding tolerated. */
static int b64_decode(const char *s, uint8_t **out, size_t *out_len)
{
    size_t n = strlen(s);
    while (n > 0 && is_space((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && is_space((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n > MAX_B64_LEN)
        return LG_ESYNTAX;
    size_t pad = 0;
    if (n % 4 == 0) {
        while (pad < 2 && s[n - 1 - pad] == '=')
            pad++;
    }
    size_t digits = n - pad;
    if (digits % 4 == 1)
        return LG_ESYNTAX;
    for (size_t i = 0; i < digits; i++)
        if (!is_b64_char((unsigned char)s[i]))
            return LG_ESYNTAX;

    size_t padded = (digits + 3) / 4 * 4;
    char *in = lg_malloc(padded);
    memcpy(in, s, digits);
    memset(in + digits, '=', padded - digits);
    uint8_t *bytes = lg_malloc(padded / 4 * 3);
    int got = EVP_DecodeBlock(bytes, (const unsigned char *)in, (int)padded);
    free(in);
    if (got < 0 || (size_t)got != padded / 4 * 3) {
        free(bytes);
        return LG_ESYNTAX;
    }
    *out = bytes;
    *out_len = (size_t)got - (padded - digits);
    return 0;
}

/* Inflates exactly n bytes into dst; false if the stream is corrupt or ends early. */
static bool inflate_exact(z_stream *zs, uint8_t *dst, size_t n)
{
    zs->next_out = dst;
    zs->avail_out = (uInt)n;
    while (zs->avail_out > 0) {
        int rc = inflate(zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK)
            return false;
    }
    return zs->avail_out == 0;
}

/* True when the stream ends here (checksum verified) and no input is left over. */
static bool inflate_at_end(z_stream *zs)
{
    uint8_t extra;
    zs->next_out = &extra;
    zs->avail_out = 1;
    int rc = inflate(zs, Z_FINISH);
    return rc == Z_STREAM_END && zs->avail_out == 1 && zs->avail_in == 0;
}

/* A V2 cookie: the base, with the word-size nibble either unset or 0x10. */
static bool cookie_ok(uint32_t cookie, uint32_t base)
{
    uint32_t flag = cookie & 0xf0u;
    return (cookie & ~0xf0u) == base && (flag == 0 || flag == V2_WORD_SIZE_FLAG);
}

/* Validates a V2 header and builds the layout it describes. */
static int parse_header(const uint8_t *hdr, struct lg_hist *layout, size_t *payload_len)
{
    if (!cookie_ok(get_be32(hdr), V2_ENCODING_COOKIE_BASE))
        return LG_ESYNTAX;
    int32_t payload = (int32_t)get_be32(hdr + 4);
    int32_t normalizing_offset = (int32_t)get_be32(hdr + 8);
    int32_t sigfigs = (int32_t)get_be32(hdr + 12);
    int64_t lowest = (int64_t)get_be64(hdr + 16);
    int64_t highest = (int64_t)get_be64(hdr + 24);
    /* The conversion ratio (hdr + 32) only matters to DoubleHistogram; integer counts are
     * read the same whatever it says. A shifted (normalised) array is not supported. */
    if (normalizing_offset != 0 || payload < 0 || sigfigs < 0 || sigfigs > 5)
        return LG_ESYNTAX;
    if (hist_layout(lowest, highest, sigfigs, layout) != 0)
        return LG_ESYNTAX;
    if ((size_t)payload > (size_t)layout->counts_len * V2_MAX_WORD_LEN)
        return LG_ESYNTAX;
    *payload_len = (size_t)payload;
    return 0;
}

/* Reads the counts and re-derives total, min and max from them. */
static int decode_counts(struct lg_hist *h, const uint8_t *p, size_t len)
{
    size_t pos = 0;
    int32_t dst = 0;
    int32_t first = -1, last = -1;
    int64_t total = 0;
    while (pos < len) {
        int64_t v;
        if (!get_zigzag(p, len, &pos, &v))
            return LG_ESYNTAX;
        if (v < 0) {
            uint64_t zeros = -(uint64_t)v;
            if (zeros > (uint64_t)(h->counts_len - dst))
                return LG_ESYNTAX;
            dst += (int32_t)zeros;
            continue;
        }
        if (dst >= h->counts_len)
            return LG_ESYNTAX;
        if (v > 0) {
            if (__builtin_add_overflow(total, v, &total))
                return LG_ESYNTAX;
            if (first < 0)
                first = dst;
            last = dst;
        }
        h->counts[dst++] = v;
    }
    h->total_count = total;
    if (total > 0) {
        /* Only the buckets survive encoding, so min and max become the edges of the
         * first and last non-empty buckets; lg_hist_min and lg_hist_max report those
         * edges for recorded histograms too, so they read the same before and after. */
        h->min = value_from_index(h, first);
        h->max = highest_equivalent(h, value_from_index(h, last));
    }
    return 0;
}

int lg_hist_decode(const char *b64, struct lg_hist **out)
{
    uint8_t *bytes = NULL;
    uint8_t *payload = NULL;
    struct lg_hist *h = NULL;
    bool zs_live = false;
    z_stream zs;
    uint8_t hdr[V2_HEADER_LEN];
    struct lg_hist layout;
    size_t len, payload_len;
    int rc = LG_ESYNTAX;

    if (!b64 || b64_decode(b64, &bytes, &len) != 0)
        goto out;
    if (len < WRAPPER_HEADER_LEN || !cookie_ok(get_be32(bytes), V2_COMPRESSED_COOKIE_BASE))
        goto out;
    if (get_be32(bytes + 4) != len - WRAPPER_HEADER_LEN)
        goto out;

    memset(&zs, 0, sizeof(zs));
    zs.zalloc = zalloc_cb;
    zs.zfree = zfree_cb;
    zs.next_in = bytes + WRAPPER_HEADER_LEN;
    zs.avail_in = (uInt)(len - WRAPPER_HEADER_LEN);
    if (inflateInit(&zs) != Z_OK)
        goto out;
    zs_live = true;

    /* The header first: it bounds the payload, so a forged length cannot make us inflate
     * (or allocate) more than a histogram of that layout could ever need. */
    if (!inflate_exact(&zs, hdr, sizeof(hdr)) || parse_header(hdr, &layout, &payload_len) != 0)
        goto out;
    payload = lg_malloc(payload_len);
    if (!inflate_exact(&zs, payload, payload_len) || !inflate_at_end(&zs))
        goto out;

    h = hist_alloc(&layout);
    if (decode_counts(h, payload, payload_len) != 0)
        goto out;
    *out = h;
    h = NULL;
    rc = 0;
out:
    if (zs_live)
        inflateEnd(&zs);
    lg_hist_free(h);
    free(payload);
    free(bytes);
    return rc;
}
