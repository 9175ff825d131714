/* Fuzz target: a result.json, as `report`, `compare` and `merge` will read it.
 * A result that reads writes out as JSON that reads back and writes out the same
 * (the written form is the fixed point), and its terminal summary prints. A
 * failure is a message that starts with the file's name. Merged alone (a segment
 * with the others missing), it is refused with a message or gives a result that
 * fails its gate and round-trips the same way. */
#include "fuzz.h"
#include "merge.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lg_result *r = NULL;
    char err[512] = "";
    if (lg_result_from_json((const char *)data, size, "result.json", &r, err, sizeof(err)) != 0) {
        FUZZ_CHECK(r == NULL && strncmp(err, "result.json", 11) == 0);
        return 0;
    }
    char *once = lg_result_to_json(r);
    struct lg_result *again = NULL;
    FUZZ_CHECK(lg_result_from_json(once, strlen(once), NULL, &again, err, sizeof(err)) == 0);
    char *twice = lg_result_to_json(again);
    FUZZ_CHECK(strcmp(once, twice) == 0);

    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    FUZZ_CHECK(f != NULL);
    lg_report_text(r, f, true);
    fclose(f);
    FUZZ_CHECK(text_len > 0);

    struct lg_result *merged = NULL;
    const char *name = "seg.json";
    struct lg_merge_opts mo = {.allow_partial = true};
    if (lg_merge(&r, &name, 1, &mo, &merged, err, sizeof(err)) != 0) {
        FUZZ_CHECK(merged == NULL && err[0] != '\0');
    } else {
        FUZZ_CHECK(merged->merged.has && merged->merged.n_segments == 1);
        FUZZ_CHECK(merged->merged.n_missing == 0 || merged->verdict != LG_VERDICT_PASS);
        char *m1 = lg_result_to_json(merged);
        struct lg_result *m_again = NULL;
        FUZZ_CHECK(lg_result_from_json(m1, strlen(m1), NULL, &m_again, err, sizeof(err)) == 0);
        char *m2 = lg_result_to_json(m_again);
        FUZZ_CHECK(strcmp(m1, m2) == 0);
        free(m1);
        free(m2);
        lg_result_free(m_again);
        lg_result_free(merged);
    }

    free(text);
    free(twice);
    free(once);
    lg_result_free(again);
    lg_result_free(r);
    return 0;
}
