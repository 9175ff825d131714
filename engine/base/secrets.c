/* secrets: a small set of byte strings kept longest first, so that where one
 * secret contains another the whole of the longer one is hidden. Look-ups happen
 * only while a failure reason is written, never for a passing check. */
#include "secrets.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void lg_secrets_add(struct lg_secrets *sec, const char *s, size_t len)
{
    if (!len)
        return;
    size_t at = sec->n;
    for (size_t i = 0; i < sec->n; i++) {
        if (sec->lens[i] == len && !memcmp(sec->vals[i], s, len))
            return;
        if (at == sec->n && sec->lens[i] < len)
            at = i;
    }
    if (sec->n == sec->cap) {
        sec->cap = sec->cap ? sec->cap * 2 : 4;
        sec->vals = lg_realloc(sec->vals, sec->cap * sizeof(*sec->vals));
        sec->lens = lg_realloc(sec->lens, sec->cap * sizeof(*sec->lens));
    }
    memmove(&sec->vals[at + 1], &sec->vals[at], (sec->n - at) * sizeof(*sec->vals));
    memmove(&sec->lens[at + 1], &sec->lens[at], (sec->n - at) * sizeof(*sec->lens));
    sec->vals[at] = lg_strndup(s, len);
    sec->lens[at] = len;
    sec->n++;
}

size_t lg_secrets_match(const struct lg_secrets *sec, const char *s, size_t len)
{
    if (!sec)
        return 0;
    for (size_t i = 0; i < sec->n; i++)
        if (sec->lens[i] <= len && sec->vals[i][0] == s[0] &&
            !memcmp(sec->vals[i], s, sec->lens[i]))
            return sec->lens[i];
    return 0;
}

bool lg_secrets_header_name(const char *name)
{
    static const char *const words[] = {"auth",   "cookie",  "key",      "token",
                                        "secret", "session", "password", "credential"};
    for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
        if (strcasestr(name, words[i]))
            return true;
    return false;
}

void lg_secrets_free(struct lg_secrets *sec)
{
    if (!sec)
        return;
    for (size_t i = 0; i < sec->n; i++)
        free(sec->vals[i]);
    free(sec->vals);
    free(sec->lens);
    memset(sec, 0, sizeof(*sec));
}
