/* jarena: blocks of a thread's arena are chained, newest (and largest) first;
 * values are carved from the newest. A reset keeps the newest block when it is
 * small enough to keep, and frees the rest. In sanitizer builds the memory of a
 * reset arena is poisoned, so that a value used after its response's reset is
 * reported as a use after free. */
#include "jarena.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#define LG_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LG_ASAN 1
#endif
#endif
#ifdef LG_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define FIRST_BLOCK ((size_t)64 << 10)
#define KEEP_MAX ((size_t)1 << 20) /* a larger block is not kept across responses */
#define ALIGN 16

struct block {
    struct block *next;
    size_t size; /* of data */
    _Alignas(ALIGN) char data[];
};

struct arena {
    struct block *head;
    char *cur, *lim;
    bool active;
};

static _Thread_local struct arena arena;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static bool installed;

static void free_blocks(struct block *b)
{
    while (b) {
        struct block *next = b->next;
        UNPOISON(b->data, b->size);
        free(b);
        b = next;
    }
}

/* The thread ends: its arena goes with it. */
static void arena_exit(void *a)
{
    struct arena *ar = a;
    free_blocks(ar->head);
    ar->head = NULL;
    ar->cur = ar->lim = NULL;
}

static void grow(struct arena *ar, size_t n)
{
    size_t size = ar->head ? ar->head->size * 2 : FIRST_BLOCK;
    while (size < n)
        size *= 2;
    struct block *b = lg_malloc(sizeof(*b) + size);
    b->size = size;
    b->next = ar->head;
    if (!ar->head)
        pthread_setspecific(exit_key, ar);
    ar->head = b;
    ar->cur = b->data;
    ar->lim = b->data + size;
    POISON(b->data, size);
}

static void *arena_malloc(size_t n)
{
    struct arena *ar = &arena;
    if (!ar->active)
        return malloc(n);
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if ((size_t)(ar->lim - ar->cur) < n)
        grow(ar, n);
    void *p = ar->cur;
    ar->cur += n;
    UNPOISON(p, n);
    return p;
}

static void arena_free(void *p)
{
    if (!p)
        return;
    for (struct block *b = arena.head; b; b = b->next)
        if ((char *)p >= b->data && (char *)p < b->data + b->size)
            return; /* freed with the arena */
    free(p);
}

static void install(void)
{
    if (pthread_key_create(&exit_key, arena_exit))
        abort();
    json_set_alloc_funcs(arena_malloc, arena_free);
    installed = true;
}

void lg_jarena_install(void)
{
    pthread_once(&install_once, install);
}

bool lg_jarena_installed(void)
{
    return installed;
}

void lg_jarena_begin(void)
{
    arena.active = installed;
}

void lg_jarena_end(void)
{
    arena.active = false;
}

void lg_jarena_reset(void)
{
    struct arena *ar = &arena;
    struct block *keep = ar->head;
    if (!keep)
        return;
    if (keep->size > KEEP_MAX) {
        free_blocks(keep);
        ar->head = NULL;
        ar->cur = ar->lim = NULL;
        return;
    }
    free_blocks(keep->next);
    keep->next = NULL;
    ar->cur = keep->data;
    POISON(keep->data, keep->size);
}

struct lg_jarena_mark lg_jarena_mark(void)
{
    return (struct lg_jarena_mark){.block = arena.head, .cur = arena.cur};
}

void lg_jarena_rewind(struct lg_jarena_mark m)
{
    struct arena *ar = &arena;
    if (!ar->active || !m.block)
        return; /* before the first block: the next reset frees it all */
    struct block *keep = m.block;
    while (ar->head != keep) {
        struct block *b = ar->head;
        ar->head = b->next;
        b->next = NULL;
        free_blocks(b);
    }
    ar->cur = m.cur;
    ar->lim = keep->data + keep->size;
    POISON(ar->cur, (size_t)(ar->lim - ar->cur));
}
