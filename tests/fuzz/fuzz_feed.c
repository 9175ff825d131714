/* Fuzz target: a CSV feed (`data:` in a scenario), bytes as read from the file,
 * NULs included. A feed that parses has named fields and at least one row whose
 * cells are all there; a failure is a syntax error or a limit, with a message. */
#include "feeder.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lg_feed *feed = NULL;
    struct lg_feed_err err = {0};
    int rc = lg_feed_parse("users", (const char *)data, size, &feed, &err);
    if (rc == 0) {
        FUZZ_CHECK(feed->n_fields > 0 && feed->n_rows > 0);
        for (size_t i = 0; i < feed->n_fields; i++)
            FUZZ_CHECK(feed->fields[i] != NULL);
        for (size_t i = 0; i < feed->n_rows * feed->n_fields; i++)
            FUZZ_CHECK(feed->cells[i] != NULL);
        lg_feed_free(feed);
    } else {
        FUZZ_CHECK((rc == LG_ESYNTAX || rc == LG_ELIMIT) && feed == NULL && err.msg[0] != '\0');
        FUZZ_CHECK(err.line >= 0 && err.col >= 0);
    }
    return 0;
}
