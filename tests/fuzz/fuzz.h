/* fuzz.h: what the fuzz targets share. Each fuzz_NAME.c feeds one input format to
 * the parser that reads it and checks what must hold for any input: a crash, a
 * sanitizer report or a failed FUZZ_CHECK stops the run, and libFuzzer keeps the
 * input that caused it (tools/fuzz), or ctest's replay of the corpus fails. */
#ifndef LG_FUZZ_H
#define LG_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The input as a C string (the parsers take NUL-terminated text; a NUL inside the
 * input ends it early, as it would for text read from a flag). Free it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* A parser's error offset lies within the text it was given (its end included). */
#define FUZZ_CHECK_OFFSET(off, text) FUZZ_CHECK((off) >= 0 && (size_t)(off) <= strlen(text))

#endif
