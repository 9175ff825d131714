/* Fuzz target: a histogram in HdrHistogram's V2 form, as result.json carries it.
 * The input is the uncompressed encoding (header and counts); the target deflates
 * it, wraps it as the compressed form and base64-encodes it, so that the fuzzer's
 * changes reach the decoder's checks rather than zlib's. A histogram that decodes
 * encodes again to one with the same settings and counts. */
#include <openssl/evp.h>
#include <zlib.h>

#include "fuzz.h"
#include "hist.h"

#define COMPRESSED_COOKIE 0x1c849314u /* V2 compressed, with the word-size flag */

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uLongf zlen = compressBound((uLong)size);
    unsigned char *packed = malloc(8 + zlen);
    FUZZ_CHECK(packed && compress(packed + 8, &zlen, data, (uLong)size) == Z_OK);
    put_be32(packed, COMPRESSED_COOKIE);
    put_be32(packed + 4, (uint32_t)zlen);
    char *b64 = malloc(4 * ((8 + zlen + 2) / 3) + 1);
    FUZZ_CHECK(b64 != NULL);
    EVP_EncodeBlock((unsigned char *)b64, packed, (int)(8 + zlen));

    struct lg_hist *h = NULL;
    if (lg_hist_decode(b64, &h) == 0) {
        char *again_b64 = lg_hist_encode(h);
        struct lg_hist *again = NULL;
        FUZZ_CHECK(lg_hist_decode(again_b64, &again) == 0);
        FUZZ_CHECK(again->total_count == h->total_count && again->counts_len == h->counts_len);
        FUZZ_CHECK(!memcmp(again->counts, h->counts, sizeof(h->counts[0]) * h->counts_len));
        FUZZ_CHECK(lg_hist_percentile(again, 99.0) == lg_hist_percentile(h, 99.0));
        lg_hist_free(again);
        free(again_b64);
        lg_hist_free(h);
    } else {
        FUZZ_CHECK(h == NULL);
    }
    free(b64);
    free(packed);
    return 0;
}
