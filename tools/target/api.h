/* api: the target's routes (everything but CORS preflights and the response
 * headers, which http.c adds). It owns the in-memory state behind one mutex and
 * answers one request at a time from plain data, so tests can call it without a
 * socket. */
#ifndef LG_API_H
#define LG_API_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "faults.h"

struct lg_api_config {
    int questions;         /* per session */
    int64_t mint_delay_us; /* pending for the first half, submitted until the end */
    double mint_fail;      /* share of mints that end failed */
    int mint_stuck;        /* mints stay pending */
    const char *season;    /* the current season (where completed sessions count) */
    uint64_t seed;
    size_t max_items; /* cap of each store (sessions, players, ...) and board */
};

/* A request as the HTTP layer hands it over; strings are borrowed, any may be NULL
 * except method and path. */
struct lg_api_request {
    const char *method;
    const char *path;
    const char *body;
    size_t body_len;
    const char *authorization;                      /* the Authorization header */
    const char *season, *category, *limit, *offset; /* query parameters */
};

struct lg_api_reply {
    unsigned status;
    json_t *body; /* owned by the caller after lg_api_handle */
};

struct lg_api;

/* A fresh state seeded from cfg (copied; cfg->season too): the demo leaderboard's
 * 50 players, the id generator. Free with lg_api_free (accepts NULL). */
struct lg_api *lg_api_new(const struct lg_api_config *cfg);
void lg_api_free(struct lg_api *api);
/* Answers one request; thread-safe. */
void lg_api_handle(struct lg_api *api, const struct lg_api_request *req, struct lg_api_reply *out);

#endif
