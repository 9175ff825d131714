/* kv: chained hash map plus a doubly linked insertion-order list, for the target's
 * sessions, players, challenges, tokens and mints (each capped, oldest evicted). */
#include "kv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct lg_kv_node {
    struct lg_kv_node *chain;         /* next in the bucket */
    struct lg_kv_node *older, *newer; /* insertion order */
    void *val;
    char key[];
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void lg_kv_init(struct lg_kv *kv, size_t cap, void (*free_cb)(void *val))
{
    memset(kv, 0, sizeof(*kv));
    kv->cap = cap ? cap : 1;
    kv->n_buckets = 16;
    while (kv->n_buckets < kv->cap)
        kv->n_buckets <<= 1;
    kv->buckets = lg_calloc(kv->n_buckets, sizeof(*kv->buckets));
    kv->free_cb = free_cb;
}

static struct lg_kv_node **find(const struct lg_kv *kv, const char *key)
{
    struct lg_kv_node **p = &kv->buckets[hash(key) & (kv->n_buckets - 1)];
    while (*p && strcmp((*p)->key, key) != 0)
        p = &(*p)->chain;
    return p;
}

/* Unlinks the node *slot points at from its bucket and the order list, frees it. */
static void drop(struct lg_kv *kv, struct lg_kv_node **slot)
{
    struct lg_kv_node *node = *slot;
    *slot = node->chain;
    if (node->older)
        node->older->newer = node->newer;
    else
        kv->oldest = node->newer;
    if (node->newer)
        node->newer->older = node->older;
    else
        kv->newest = node->older;
    if (kv->free_cb)
        kv->free_cb(node->val);
    free(node);
    kv->n--;
}

void lg_kv_free(struct lg_kv *kv)
{
    if (!kv || !kv->buckets)
        return;
    while (kv->oldest)
        drop(kv, find(kv, kv->oldest->key));
    free(kv->buckets);
    kv->buckets = NULL;
}

void *lg_kv_get(const struct lg_kv *kv, const char *key)
{
    struct lg_kv_node *node = *find(kv, key);
    return node ? node->val : NULL;
}

void lg_kv_put(struct lg_kv *kv, const char *key, void *val)
{
    struct lg_kv_node **slot = find(kv, key);
    if (*slot)
        drop(kv, slot);
    if (kv->n >= kv->cap)
        drop(kv, find(kv, kv->oldest->key));
    size_t klen = strlen(key);
    struct lg_kv_node *node = lg_malloc(sizeof(*node) + klen + 1);
    memcpy(node->key, key, klen + 1);
    node->val = val;
    slot = find(kv, key); /* the drops above may have moved the chain's end */
    node->chain = NULL;
    *slot = node;
    node->older = kv->newest;
    node->newer = NULL;
    if (kv->newest)
        kv->newest->newer = node;
    else
        kv->oldest = node;
    kv->newest = node;
    kv->n++;
}

int lg_kv_del(struct lg_kv *kv, const char *key)
{
    struct lg_kv_node **slot = find(kv, key);
    if (!*slot)
        return 0;
    drop(kv, slot);
    return 1;
}
