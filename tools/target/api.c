/* api: the trivia platform's routes over in-memory stores (tools/target/API.md).
 * One mutex guards all state; each handler runs entirely under it, so nothing it
 * looks up can be evicted while it is in use. */
#include "api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kv.h"
#include "leaderboard.h"
#include "mint.h"
#include "sessions.h"
#include "util.h"
#include "login.h"

#define CHALLENGE_TTL_S 300
#define TOKEN_TTL_S 3600
#define DEMO_PLAYERS 50

struct challenge {
    char nonce[65];
    int64_t expires_us;
};

struct token {
    char player_id[48];
    char address[48];
    int64_t expires_us;
};

struct lg_api {
    struct lg_api_config cfg;
    char season[32];
    pthread_mutex_t lock;
    struct lg_rng rng;
    uint64_t seq; /* completion order, for leaderboard ties */
    struct lg_kv sessions, players, challenges, tokens, mints;
    struct lg_boards boards;
};

static const char *const demo_categories[] = {"science", "history", "geography", "sports"};

/* ---- ids and helpers ---- */

static void new_id(struct lg_api *api, const char *prefix, char *out, size_t n)
{
    snprintf(out, n, "%s%016llx", prefix, (unsigned long long)lg_rng_next(&api->rng));
}

static void new_hex32(struct lg_api *api, char out[65])
{
    unsigned char raw[32];
    for (int i = 0; i < 4; i++) {
        uint64_t x = lg_rng_next(&api->rng);
        memcpy(raw + 8 * i, &x, 8);
    }
    lg_hex_encode(raw, sizeof(raw), out);
}

static void reply(struct lg_api_reply *out, unsigned status, json_t *body)
{
    out->status = status;
    out->body = body;
}

static void reply_error(struct lg_api_reply *out, unsigned status, const char *message)
{
    reply(out, status, json_pack("{s:s}", "error", message));
}

static struct lg_player *player_get_or_add(struct lg_api *api, const char *id, const char *address)
{
    struct lg_player *p = lg_kv_get(&api->players, id);
    if (!p) {
        p = lg_calloc(1, sizeof(*p));
        snprintf(p->id, sizeof(p->id), "%s", id);
        snprintf(p->address, sizeof(p->address), "%s", address ? address : "");
        lg_kv_put(&api->players, id, p);
    }
    return p;
}

/* The token named by an "Authorization: Bearer T" header, or NULL. */
static struct token *bearer(struct lg_api *api, const char *authorization)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    struct token *tok = lg_kv_get(&api->tokens, t);
    if (tok && tok->expires_us < lg_now_us()) {
        lg_kv_del(&api->tokens, t);
        return NULL;
    }
    return tok;
}

/* The request body as a JSON object, or NULL (and a 400 in out). */
static json_t *body_object(const struct lg_api_request *req, struct lg_api_reply *out)
{
    json_t *j = req->body ? json_loadb(req->body, req->body_len, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        reply_error(out, 400, "invalid JSON body");
        return NULL;
    }
    return j;
}

/* Splits "/prefix/ID/rest" after the given prefix: copies ID into id and returns
 * rest ("" when none), or NULL when the path does not have that shape. */
static const char *split_id(const char *path, const char *prefix, char *id, size_t n)
{
    size_t plen = strlen(prefix);
    if (strncmp(path, prefix, plen) != 0)
        return NULL;
    const char *start = path + plen, *slash = strchr(start, '/');
    size_t len = slash ? (size_t)(slash - start) : strlen(start);
    if (len == 0 || len >= n)
        return NULL;
    memcpy(id, start, len);
    id[len] = '\0';
    return slash ? slash + 1 : "";
}

/* ---- routes ---- */

static void health(struct lg_api_reply *out)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    reply(out, 200,
          json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s}}", "status", "healthy", "version", "1.0.0",
                    "timestamp", stamp, "services", "database", "healthy", "redis", "healthy",
                    "blockfrost", "healthy"));
}

static json_t *questions_json(const struct lg_session *s)
{
    json_t *arr = json_array();
    for (int i = 0; i < s->n; i++) {
        struct lg_question q;
        lg_trivia_question(s->category, s->pool_index[i], &q);
        json_t *choices = json_array();
        for (int c = 0; c < LG_TRIVIA_CHOICES; c++)
            json_array_append_new(choices, json_string(q.choices[c]));
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:o}", "id", q.id, "text", q.text, "choices", choices));
    }
    return arr;
}

static void session_start(struct lg_api *api, const struct lg_api_request *req,
                          struct lg_api_reply *out)
{
    json_t *body = body_object(req, out);
    if (!body)
        return;
    const char *category = json_string_value(json_object_get(body, "categoryId"));
    struct token *tok = NULL;
    if (req->authorization && !(tok = bearer(api, req->authorization))) {
        reply_error(out, 401, "invalid token");
        goto done;
    }
    if (!lg_trivia_category_valid(category)) {
        reply_error(out, 400, "missing or unknown categoryId");
        goto done;
    }
    /* n distinct questions of the category's pool (a partial Fisher-Yates). */
    int pool[LG_TRIVIA_POOL];
    for (int i = 0; i < LG_TRIVIA_POOL; i++)
        pool[i] = i;
    int n = api->cfg.questions;
    for (int i = 0; i < n; i++) {
        int j = (int)lg_rng_range(&api->rng, i, LG_TRIVIA_POOL - 1);
        int t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
    }
    char id[24], player_id[48];
    new_id(api, "s-", id, sizeof(id));
    if (tok) {
        snprintf(player_id, sizeof(player_id), "%s", tok->player_id);
        player_get_or_add(api, player_id, tok->address);
    } else {
        new_id(api, "guest-", player_id, sizeof(player_id));
        player_get_or_add(api, player_id, NULL);
    }
    struct lg_session *s = lg_session_new(id, player_id, category, pool, n);
    lg_kv_put(&api->sessions, id, s);
    reply(out, 201,
          json_pack("{s:s,s:s,s:s,s:o}", "sessionId", s->id, "playerId", s->player_id, "categoryId",
                    s->category, "questions", questions_json(s)));
done:
    json_decref(body);
}

static void session_answer(struct lg_api *api, struct lg_session *s,
                           const struct lg_api_request *req, struct lg_api_reply *out)
{
    json_t *body = body_object(req, out);
    if (!body)
        return;
    json_t *choice = json_object_get(body, "choice");
    int correct = 0;
    int rc = json_is_integer(choice)
                 ? lg_session_answer(s, json_string_value(json_object_get(body, "questionId")),
                                     (int)json_integer_value(choice), &correct)
                 : LG_SESSION_EQUESTION;
    switch (rc) {
    case LG_SESSION_OK:
        reply(out, 200,
              json_pack("{s:b,s:i,s:i}", "correct", correct, "answered", s->answered, "remaining",
                        s->n - s->answered));
        break;
    case LG_SESSION_EANSWERED:
        reply_error(out, 409, "question answered already");
        break;
    case LG_SESSION_EDONE:
        reply_error(out, 409, "session completed already");
        break;
    default:
        reply_error(out, 400, "unknown questionId or invalid choice");
    }
    json_decref(body);
}

static void session_complete(struct lg_api *api, struct lg_session *s, struct lg_api_reply *out)
{
    int rc = lg_session_complete(s);
    if (rc == LG_SESSION_EINCOMPLETE) {
        reply_error(out, 409, "not every question was answered");
        return;
    }
    if (rc == LG_SESSION_OK) {
        struct lg_player *p = lg_kv_get(&api->players, s->player_id);
        if (p)
            lg_player_record(p, s);
        lg_boards_submit(&api->boards, api->season, s->category, s->player_id, s->score,
                         ++api->seq);
    }
    reply(out, 200,
          json_pack("{s:s,s:i,s:i,s:b}", "sessionId", s->id, "score", s->score, "total", s->n,
                    "perfect", s->perfect));
}

static void sessions_route(struct lg_api *api, const struct lg_api_request *req,
                           struct lg_api_reply *out)
{
    char id[24];
    const char *rest = split_id(req->path, "/v1/sessions/", id, sizeof(id));
    struct lg_session *s = rest ? lg_kv_get(&api->sessions, id) : NULL;
    int get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    if (!rest || !(strcmp(rest, "questions") == 0 || strcmp(rest, "answers") == 0 ||
                   strcmp(rest, "complete") == 0)) {
        reply_error(out, 404, "not found");
    } else if ((strcmp(rest, "questions") == 0 && !get) ||
               (strcmp(rest, "questions") != 0 && !post)) {
        reply_error(out, 405, "method not allowed");
    } else if (!s) {
        reply_error(out, 404, "unknown session");
    } else if (strcmp(rest, "questions") == 0) {
        reply(out, 200, json_pack("{s:s,s:o}", "sessionId", s->id, "questions", questions_json(s)));
    } else if (strcmp(rest, "answers") == 0) {
        session_answer(api, s, req, out);
    } else {
        session_complete(api, s, out);
    }
}

static void players_route(struct lg_api *api, const struct lg_api_request *req,
                          struct lg_api_reply *out)
{
    char id[48];
    const char *rest = split_id(req->path, "/v1/players/", id, sizeof(id));
    if (!rest || (strcmp(rest, "profile") != 0 && strcmp(rest, "history") != 0)) {
        reply_error(out, 404, "not found");
        return;
    }
    if (strcmp(req->method, "GET") != 0) {
        reply_error(out, 405, "method not allowed");
        return;
    }
    struct lg_player *p = lg_kv_get(&api->players, id);
    if (!p) {
        reply_error(out, 404, "unknown player");
        return;
    }
    if (strcmp(rest, "profile") == 0) {
        reply(out, 200,
              json_pack("{s:s,s:i,s:i,s:i}", "playerId", p->id, "sessions", p->sessions,
                        "bestScore", p->best_score, "perfectSessions", p->perfect_sessions));
        return;
    }
    json_t *arr = json_array();
    for (int k = 0; k < p->history_n; k++) {
        const struct lg_history_entry *h = lg_player_history(p, k);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:i,s:i,s:b}", "sessionId", h->session_id,
                                             "categoryId", h->category, "score", h->score, "total",
                                             h->total, "perfect", h->perfect));
    }
    reply(out, 200, json_pack("{s:s,s:o}", "playerId", p->id, "sessions", arr));
}

static void auth_challenge(struct lg_api *api, const struct lg_api_request *req,
                           struct lg_api_reply *out)
{
    json_t *body = body_object(req, out);
    if (!body)
        return;
    const char *address = json_string_value(json_object_get(body, "stakeAddress"));
    if (!lg_login_address_valid(address)) {
        reply_error(out, 400, "malformed stakeAddress");
    } else {
        struct challenge *c = lg_malloc(sizeof(*c));
        new_hex32(api, c->nonce);
        c->expires_us = lg_now_us() + CHALLENGE_TTL_S * 1000000LL;
        lg_kv_put(&api->challenges, address, c);
        reply(out, 200, json_pack("{s:s,s:i}", "nonce", c->nonce, "expiresIn", CHALLENGE_TTL_S));
    }
    json_decref(body);
}

static void auth_verify(struct lg_api *api, const struct lg_api_request *req,
                        struct lg_api_reply *out)
{
    json_t *body = body_object(req, out);
    if (!body)
        return;
    const char *address = json_string_value(json_object_get(body, "stakeAddress"));
    const char *pub = json_string_value(json_object_get(body, "publicKey"));
    const char *sig = json_string_value(json_object_get(body, "signature"));
    struct challenge *c = address ? lg_kv_get(&api->challenges, address) : NULL;
    if (!c || c->expires_us < lg_now_us() || lg_login_verify(address, pub, sig, c->nonce) != 0) {
        reply_error(out, 401, "bad signature");
        goto done;
    }
    lg_kv_del(&api->challenges, address); /* a nonce signs in once */
    struct token *tok = lg_malloc(sizeof(*tok));
    char token[65];
    new_hex32(api, token);
    snprintf(tok->player_id, sizeof(tok->player_id), "wallet-%.16s", address + 6);
    snprintf(tok->address, sizeof(tok->address), "%s", address);
    tok->expires_us = lg_now_us() + TOKEN_TTL_S * 1000000LL;
    lg_kv_put(&api->tokens, token, tok);
    player_get_or_add(api, tok->player_id, address);
    reply(out, 200,
          json_pack("{s:s,s:s,s:i}", "token", token, "playerId", tok->player_id, "expiresIn",
                    TOKEN_TTL_S));
done:
    json_decref(body);
}

static void profile(struct lg_api *api, const struct lg_api_request *req, struct lg_api_reply *out)
{
    struct token *tok = bearer(api, req->authorization);
    if (!tok) {
        reply_error(out, 401, "missing or invalid token");
        return;
    }
    struct lg_player *p = player_get_or_add(api, tok->player_id, tok->address);
    reply(out, 200,
          json_pack("{s:s,s:s,s:i,s:i}", "playerId", p->id, "stakeAddress", tok->address,
                    "sessions", p->sessions, "perfectSessions", p->perfect_sessions));
}

static void mint_create(struct lg_api *api, const struct lg_api_request *req,
                        struct lg_api_reply *out)
{
    struct token *tok = bearer(api, req->authorization);
    if (!tok) {
        reply_error(out, 401, "missing or invalid token");
        return;
    }
    json_t *body = body_object(req, out);
    if (!body)
        return;
    const char *sid = json_string_value(json_object_get(body, "sessionId"));
    struct lg_session *s = sid ? lg_kv_get(&api->sessions, sid) : NULL;
    if (!s || strcmp(s->player_id, tok->player_id) != 0 || !s->completed || !s->perfect) {
        reply_error(out, 403, "not eligible");
    } else if (s->minted) {
        reply_error(out, 409, "session minted already");
    } else {
        struct lg_mint *m = lg_calloc(1, sizeof(*m));
        new_id(api, "m-", m->id, sizeof(m->id));
        snprintf(m->session_id, sizeof(m->session_id), "%s", s->id);
        snprintf(m->player_id, sizeof(m->player_id), "%s", s->player_id);
        m->created_us = lg_now_us();
        m->fails = lg_mint_decide_fail(lg_rng_double(&api->rng), api->cfg.mint_fail);
        s->minted = 1;
        lg_kv_put(&api->mints, m->id, m);
        reply(out, 202, json_pack("{s:s,s:s}", "mintId", m->id, "status", "pending"));
    }
    json_decref(body);
}

static void mint_status(struct lg_api *api, const char *id, struct lg_api_reply *out)
{
    struct lg_mint *m = lg_kv_get(&api->mints, id);
    if (!m) {
        reply_error(out, 404, "unknown mint");
        return;
    }
    enum lg_mint_status st = lg_mint_status_at(lg_now_us() - m->created_us, api->cfg.mint_delay_us,
                                               m->fails, api->cfg.mint_stuck);
    json_t *tx = json_null();
    if (st == LG_MINT_CONFIRMED) {
        char hash[65];
        lg_mint_tx_hash(m->id, hash);
        json_decref(tx);
        tx = json_string(hash);
    }
    reply(out, 200,
          json_pack("{s:s,s:s,s:o}", "mintId", m->id, "status", lg_mint_status_name(st), "txHash",
                    tx));
}

/* Parses an optional decimal query parameter within [lo, hi]; 0 or -1. */
static int query_uint(const char *s, unsigned long long lo, unsigned long long hi,
                      unsigned long long dflt, unsigned long long *out)
{
    if (!s) {
        *out = dflt;
        return 0;
    }
    return lg_parse_uint(s, hi, out) == 0 && *out >= lo ? 0 : -1;
}

static void leaderboard(struct lg_api *api, const struct lg_api_request *req,
                        struct lg_api_reply *out)
{
    unsigned long long limit, offset;
    const char *season = req->season && *req->season ? req->season : api->season;
    const char *category = req->category && *req->category ? req->category : "all";
    if (query_uint(req->limit, 1, 100, 10, &limit) != 0 ||
        query_uint(req->offset, 0, 1000000000ull, 0, &offset) != 0) {
        reply_error(out, 400, "limit must be 1..100 and offset >= 0");
        return;
    }
    if (strcmp(category, "all") != 0 && !lg_trivia_category_valid(category)) {
        reply_error(out, 400, "unknown category");
        return;
    }
    const struct lg_board *b = lg_boards_get(&api->boards, season, category);
    size_t total = b ? b->n : 0;
    json_t *entries = json_array();
    for (size_t i = (size_t)offset; i < total && i < offset + limit; i++)
        json_array_append_new(entries,
                              json_pack("{s:I,s:s,s:i}", "rank", (json_int_t)lg_board_rank_at(b, i),
                                        "playerId", b->v[i].player_id, "score", b->v[i].score));
    reply(out, 200,
          json_pack("{s:s,s:s,s:I,s:o}", "season", season, "category", category, "total",
                    (json_int_t)total, "entries", entries));
}

static void leaderboard_me(struct lg_api *api, const struct lg_api_request *req,
                           struct lg_api_reply *out)
{
    struct token *tok = bearer(api, req->authorization);
    if (!tok) {
        reply_error(out, 401, "missing or invalid token");
        return;
    }
    const char *season = req->season && *req->season ? req->season : api->season;
    const char *category = req->category && *req->category ? req->category : "all";
    const struct lg_board *b = lg_boards_get(&api->boards, season, category);
    long i = lg_board_find(b, tok->player_id);
    if (i < 0) {
        reply_error(out, 404, "no score");
        return;
    }
    reply(out, 200,
          json_pack("{s:s,s:I,s:i}", "playerId", tok->player_id, "rank",
                    (json_int_t)lg_board_rank_at(b, (size_t)i), "score", b->v[i].score));
}

static void route(struct lg_api *api, const struct lg_api_request *req, struct lg_api_reply *out)
{
    const char *p = req->path, *m = req->method;
    int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0, post = strcmp(m, "POST") == 0;
    char id[24];

#define ONLY(cond)                                                                                 \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            reply_error(out, 405, "method not allowed");                                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)

    if (strcmp(p, "/health") == 0) {
        ONLY(get);
        health(out);
    } else if (strcmp(p, "/v1/sessions") == 0) {
        ONLY(post);
        session_start(api, req, out);
    } else if (strncmp(p, "/v1/sessions/", 13) == 0) {
        sessions_route(api, req, out);
    } else if (strncmp(p, "/v1/players/", 12) == 0) {
        players_route(api, req, out);
    } else if (strcmp(p, "/v1/auth/challenge") == 0) {
        ONLY(post);
        auth_challenge(api, req, out);
    } else if (strcmp(p, "/v1/auth/verify") == 0) {
        ONLY(post);
        auth_verify(api, req, out);
    } else if (strcmp(p, "/v1/profile") == 0) {
        ONLY(get);
        profile(api, req, out);
    } else if (strcmp(p, "/v1/mint") == 0) {
        ONLY(post);
        mint_create(api, req, out);
    } else if (split_id(p, "/v1/mint/", id, sizeof(id)) && !strchr(p + 9, '/')) {
        ONLY(get);
        mint_status(api, id, out);
    } else if (strcmp(p, "/v1/leaderboard") == 0) {
        ONLY(get);
        leaderboard(api, req, out);
    } else if (strcmp(p, "/v1/leaderboard/me") == 0) {
        ONLY(get);
        leaderboard_me(api, req, out);
    } else {
        reply_error(out, 404, "not found");
    }
#undef ONLY
}

void lg_api_handle(struct lg_api *api, const struct lg_api_request *req, struct lg_api_reply *out)
{
    out->status = 500;
    out->body = NULL;
    pthread_mutex_lock(&api->lock);
    route(api, req, out);
    pthread_mutex_unlock(&api->lock);
    if (!out->body) /* json_pack refused (a bug): say so rather than send nothing */
        reply(out, 500, json_pack("{s:s}", "error", "internal error"));
}

/* ---- life cycle ---- */

struct lg_api *lg_api_new(const struct lg_api_config *cfg)
{
    struct lg_api *api = lg_calloc(1, sizeof(*api));
    api->cfg = *cfg;
    if (api->cfg.questions < 1)
        api->cfg.questions = 1;
    if (api->cfg.questions > LG_TRIVIA_POOL)
        api->cfg.questions = LG_TRIVIA_POOL;
    snprintf(api->season, sizeof(api->season), "%s", cfg->season ? cfg->season : "2025-s1");
    api->cfg.season = api->season;
    pthread_mutex_init(&api->lock, NULL);
    lg_rng_seed(&api->rng, cfg->seed);
    size_t cap = cfg->max_items ? cfg->max_items : 200000;
    lg_kv_init(&api->sessions, cap, lg_session_free);
    lg_kv_init(&api->players, cap, free);
    lg_kv_init(&api->challenges, cap, free);
    lg_kv_init(&api->tokens, cap, free);
    lg_kv_init(&api->mints, cap, free);
    lg_boards_init(&api->boards, cap);

    /* The demo players: scores drawn from the seed, in the current season. */
    for (int i = 1; i <= DEMO_PLAYERS; i++) {
        char id[48];
        snprintf(id, sizeof(id), "demo-%02d", i);
        const char *category = demo_categories[lg_rng_range(&api->rng, 0, 3)];
        int score = (int)lg_rng_range(&api->rng, 0, api->cfg.questions);
        struct lg_player *p = player_get_or_add(api, id, NULL);
        p->sessions = 1;
        p->best_score = score;
        p->perfect_sessions = score == api->cfg.questions;
        lg_boards_submit(&api->boards, api->season, category, id, score, ++api->seq);
    }
    return api;
}

void lg_api_free(struct lg_api *api)
{
    if (!api)
        return;
    lg_kv_free(&api->sessions);
    lg_kv_free(&api->players);
    lg_kv_free(&api->challenges);
    lg_kv_free(&api->tokens);
    lg_kv_free(&api->mints);
    lg_boards_free(&api->boards);
    pthread_mutex_destroy(&api->lock);
    free(api);
}
