/* jarena: one bump arena per thread for the JSON tree of a response, so that
 * building it costs no malloc per value and dropping it no free per value. jansson's
 * allocator is process-wide: once installed, it serves a thread from that thread's
 * arena between lg_jarena_begin and lg_jarena_end and from malloc otherwise, and
 * its free ignores memory of the calling thread's arena. */
#ifndef LG_JARENA_H
#define LG_JARENA_H

#include <stdbool.h>

/* Makes jansson allocate through the arenas; call once before any thread but the
 * calling one uses jansson. Later calls do nothing. */
void lg_jarena_install(void);

/* True once lg_jarena_install ran. */
bool lg_jarena_installed(void);

/* From now on this thread's jansson values come from its arena (if installed),
 * until lg_jarena_end. */
void lg_jarena_begin(void);
void lg_jarena_end(void);

/* Frees at once everything this thread's arena holds: no value allocated in it may
 * be used afterwards (copy out what must live on, json_deep_copy outside
 * begin/end). Keeps one block for the next response. */
void lg_jarena_reset(void);

/* A point in this thread's arena, to go back to with lg_jarena_rewind. */
struct lg_jarena_mark {
    void *block;
    char *cur;
};

/* Where this thread's arena stands now. */
struct lg_jarena_mark lg_jarena_mark(void);

/* Frees what this thread's arena gave out since mark m (a parse that failed: its
 * values, all released, need not wait for the reset). Does nothing outside
 * lg_jarena_begin/end. */
void lg_jarena_rewind(struct lg_jarena_mark m);

#endif
