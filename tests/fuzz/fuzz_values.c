/* Fuzz target: the short values of flags and files: a threshold ("p95(latency) <
 * 300ms"), a duration ("1.5s"), an arrival rate ("50/s") and a count. Whatever
 * parses is in range; a threshold's error names an offset within the text. */
#include "fuzz.h"
#include "gate.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);

    struct lg_threshold t;
    char err[160] = "";
    int off = -1;
    if (lg_threshold_parse(s, &t, err, sizeof(err), &off) == 0) {
        FUZZ_CHECK(strcmp(t.expr, s) == 0);
        lg_threshold_clear(&t);
    } else {
        FUZZ_CHECK(err[0] != '\0');
        FUZZ_CHECK_OFFSET(off, s);
    }

    int64_t us = -1;
    if (lg_parse_duration_us(s, 0, &us) == 0)
        FUZZ_CHECK(us >= 0);
    if (lg_parse_duration_us(s, 1000, &us) == 0)
        FUZZ_CHECK(us >= 0);
    double rate = -1;
    if (lg_parse_rate_per_s(s, &rate) == 0)
        FUZZ_CHECK(rate >= 0 && rate <= LG_MAX_RATE_PER_S);
    unsigned long long n;
    if (lg_parse_uint(s, 1000000, &n) == 0)
        FUZZ_CHECK(n <= 1000000);
    free(s);
    return 0;
}
