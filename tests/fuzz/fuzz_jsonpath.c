/* Fuzz target: a JSONPath of a check or capture ("$.questions[*].id"), compiled
 * and, when it compiles, queried against a fixed document. A compile error names
 * an offset within the path; a singular path selects one value or none, any other
 * path an array (empty against no document). */
#include "fuzz.h"
#include "jsonpath.h"

static const char doc_text[] =
    "{\"a\": [1, {\"b\": [2, 3]}, \"x\"], \"a b\": {\"c\": null}, \"q\": [[1], [2, [3]]],"
    " \"\": {\"'\": true}, \"n\": -0.5, \"e\": {}, \"z\": []}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static json_t *doc;
    if (!doc)
        doc = json_loads(doc_text, 0, NULL);
    FUZZ_CHECK(doc != NULL);
    char *src = fuzz_cstr(data, size);
    struct lg_jpath *p = NULL;
    char err[160] = "";
    int off = -1;
    if (lg_jpath_compile(src, &p, err, sizeof(err), &off) != 0) {
        FUZZ_CHECK(err[0] != '\0');
        FUZZ_CHECK_OFFSET(off, src);
    } else {
        FUZZ_CHECK(strcmp(lg_jpath_src(p), src) == 0);
        json_t *got = lg_jpath_query(p, doc);
        FUZZ_CHECK(lg_jpath_is_singular(p) || json_is_array(got));
        json_decref(got);
        json_t *none = lg_jpath_query(p, NULL);
        FUZZ_CHECK(lg_jpath_is_singular(p) ? none == NULL
                                           : json_is_array(none) && json_array_size(none) == 0);
        json_decref(none);
        lg_jpath_free(p);
    }
    free(src);
    return 0;
}
