/* kv: a string-keyed map that remembers insertion order and holds at most `cap`
 * entries, evicting the oldest, so that the target's memory stays bounded however
 * long a load test runs. Not thread-safe: the caller holds the target's lock. */
#ifndef LG_KV_H
#define LG_KV_H

#include <stddef.h>

struct lg_kv_node;

struct lg_kv {
    struct lg_kv_node **buckets;
    size_t n_buckets; /* a power of two */
    size_t n, cap;
    struct lg_kv_node *oldest, *newest;
    void (*free_cb)(void *val); /* frees a value on eviction, deletion and lg_kv_free */
};

/* Prepares an empty map for at most `cap` (>= 1) entries; free_cb may be NULL. */
void lg_kv_init(struct lg_kv *kv, size_t cap, void (*free_cb)(void *val));
/* Frees every value (through free_cb) and the map's own memory; accepts NULL. */
void lg_kv_free(struct lg_kv *kv);
/* The value stored under key, or NULL. The map keeps ownership. */
void *lg_kv_get(const struct lg_kv *kv, const char *key);
/* Stores val under key (the key is copied; the map takes val). An existing value
 * under that key is freed first. When the map is full the oldest entry goes. */
void lg_kv_put(struct lg_kv *kv, const char *key, void *val);
/* Removes and frees the value under key; returns 1 if there was one, else 0. */
int lg_kv_del(struct lg_kv *kv, const char *key);

#endif
