/* Unit tests for loadgate-target's routes (tools/target/api.c) called in-process:
 * the guest session journey, wallet login with an OpenSSL key, mint eligibility
 * and its states over a short delay, the leaderboard's pages and the player's rank,
 * and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "api.h"
#include "login.h"

static struct lg_api *api_new(int64_t mint_delay_us, int stuck)
{
    struct lg_api_config cfg = {.questions = 3,
                                .mint_delay_us = mint_delay_us,
                                .mint_stuck = stuck,
                                .season = "2025-s1",
                                .seed = 42,
                                .max_items = 1000};
    return lg_api_new(&cfg);
}

/* Sends one request; returns the status and leaves the body in *body (decref it). */
static unsigned call(struct lg_api *api, const char *method, const char *path, const char *body,
                     const char *auth, json_t **out)
{
    struct lg_api_request req = {.method = method,
                                 .path = path,
                                 .body = body,
                                 .body_len = body ? strlen(body) : 0,
                                 .authorization = auth};
    struct lg_api_reply rep;
    lg_api_handle(api, &req, &rep);
    assert_non_null(rep.body);
    if (out)
        *out = rep.body;
    else
        json_decref(rep.body);
    return rep.status;
}

/* Starts a session, answers every question with `choice`, completes it. */
static void play(struct lg_api *api, const char *auth, int choice, char sid[32], json_t **result)
{
    json_t *j;
    char path[96], body[128];
    assert_int_equal(call(api, "POST", "/v1/sessions", "{\"categoryId\":\"science\"}", auth, &j),
                     201);
    snprintf(sid, 32, "%s", json_string_value(json_object_get(j, "sessionId")));
    json_t *qs = json_object_get(j, "questions");
    assert_int_equal(json_array_size(qs), 3);
    snprintf(path, sizeof(path), "/v1/sessions/%s/answers", sid);
    for (size_t i = 0; i < json_array_size(qs); i++) {
        snprintf(body, sizeof(body), "{\"questionId\":\"%s\",\"choice\":%d}",
                 json_string_value(json_object_get(json_array_get(qs, i), "id")), choice);
        assert_int_equal(call(api, "POST", path, body, NULL, NULL), 200);
    }
    json_decref(j);
    snprintf(path, sizeof(path), "/v1/sessions/%s/complete", sid);
    assert_int_equal(call(api, "POST", path, NULL, NULL, result), 200);
}

static void test_target_api_health(void **state)
{
    struct lg_api *api = api_new(0, 0);
    json_t *j;
    assert_int_equal(call(api, "GET", "/health", NULL, NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "healthy");
    json_t *svc = json_object_get(j, "services");
    assert_string_equal(json_string_value(json_object_get(svc, "database")), "healthy");
    assert_string_equal(json_string_value(json_object_get(svc, "redis")), "healthy");
    assert_string_equal(json_string_value(json_object_get(svc, "blockfrost")), "healthy");
    json_decref(j);
    assert_int_equal(call(api, "POST", "/health", NULL, NULL, NULL), 405);
    assert_int_equal(call(api, "GET", "/nope", NULL, NULL, NULL), 404);
    lg_api_free(api);
}

static void test_target_api_guest_session_perfect(void **state)
{
    struct lg_api *api = api_new(0, 0);
    json_t *j;
    char sid[32], path[96];
    play(api, NULL, 0, sid, &j);
    assert_int_equal(json_integer_value(json_object_get(j, "score")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 3);
    assert_true(json_is_true(json_object_get(j, "perfect")));
    json_decref(j);

    snprintf(path, sizeof(path), "/v1/sessions/%s/questions", sid);
    assert_int_equal(call(api, "GET", path, NULL, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "questions")), 3);
    json_decref(j);

    /* the player's profile and history */
    play(api, NULL, 1, sid, &j); /* a different guest: its own player */
    assert_false(json_is_true(json_object_get(j, "perfect")));
    json_decref(j);
    assert_int_equal(call(api, "GET", "/v1/sessions/s-nope/questions", NULL, NULL, NULL), 404);
    assert_int_equal(call(api, "POST", "/v1/sessions", "{\"categoryId\":\"music\"}", NULL, NULL),
                     400);
    assert_int_equal(call(api, "POST", "/v1/sessions", "not json", NULL, NULL), 400);
    assert_int_equal(call(api, "POST", "/v1/sessions", "{}", "Bearer nope", NULL), 401);
    assert_int_equal(call(api, "GET", "/v1/players/nobody/profile", NULL, NULL, NULL), 404);
    lg_api_free(api);
}

static void test_target_api_incomplete_and_twice(void **state)
{
    struct lg_api *api = api_new(0, 0);
    json_t *j;
    char path[96], body[128], sid[32];
    assert_int_equal(call(api, "POST", "/v1/sessions", "{\"categoryId\":\"sports\"}", NULL, &j),
                     201);
    snprintf(sid, sizeof(sid), "%s", json_string_value(json_object_get(j, "sessionId")));
    const char *qid = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "questions"), 0), "id"));
    snprintf(path, sizeof(path), "/v1/sessions/%s/answers", sid);
    snprintf(body, sizeof(body), "{\"questionId\":\"%s\",\"choice\":0}", qid);
    json_decref(j);
    assert_int_equal(call(api, "POST", path, body, NULL, &j), 200);
    assert_true(json_is_true(json_object_get(j, "correct")));
    assert_int_equal(json_integer_value(json_object_get(j, "answered")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "remaining")), 2);
    json_decref(j);
    assert_int_equal(call(api, "POST", path, body, NULL, NULL), 409);
    snprintf(path, sizeof(path), "/v1/sessions/%s/complete", sid);
    assert_int_equal(call(api, "POST", path, NULL, NULL, NULL), 409);
    lg_api_free(api);
}

/* Logs a fresh OpenSSL key in; writes "Bearer TOKEN" into auth. */
static void login(struct lg_api *api, char auth[96], char player[48])
{
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    EVP_PKEY *key = NULL;
    assert_int_equal(EVP_PKEY_keygen_init(kctx), 1);
    assert_int_equal(EVP_PKEY_keygen(kctx, &key), 1);
    EVP_PKEY_CTX_free(kctx);
    unsigned char pub[32], sig[64];
    size_t len = 32, slen = 64;
    assert_int_equal(EVP_PKEY_get_raw_public_key(key, pub, &len), 1);
    char pub_hex[65], sig_hex[129], address[LG_LOGIN_ADDRESS_LEN + 1], body[512];
    lg_hex_encode(pub, 32, pub_hex);
    lg_login_address(pub, address);

    json_t *j;
    snprintf(body, sizeof(body), "{\"stakeAddress\":\"%s\"}", address);
    assert_int_equal(call(api, "POST", "/v1/auth/challenge", body, NULL, &j), 200);
    const char *nonce = json_string_value(json_object_get(j, "nonce"));
    assert_int_equal(strlen(nonce), 64);
    assert_int_equal(json_integer_value(json_object_get(j, "expiresIn")), 300);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, key), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &slen, (const unsigned char *)nonce, 64), 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    json_decref(j);

    lg_hex_encode(sig, 64, sig_hex);
    sig_hex[0] = sig_hex[0] == 'a' ? 'b' : 'a';
    snprintf(body, sizeof(body),
             "{\"stakeAddress\":\"%s\",\"publicKey\":\"%s\",\"signature\":\"%s\"}", address,
             pub_hex, sig_hex);
    assert_int_equal(call(api, "POST", "/v1/auth/verify", body, NULL, &j), 401);
    assert_string_equal(json_string_value(json_object_get(j, "error")), "bad signature");
    json_decref(j);
    lg_hex_encode(sig, 64, sig_hex);
    snprintf(body, sizeof(body),
             "{\"stakeAddress\":\"%s\",\"publicKey\":\"%s\",\"signature\":\"%s\"}", address,
             pub_hex, sig_hex);
    assert_int_equal(call(api, "POST", "/v1/auth/verify", body, NULL, &j), 200);
    snprintf(auth, 96, "Bearer %s", json_string_value(json_object_get(j, "token")));
    snprintf(player, 48, "%s", json_string_value(json_object_get(j, "playerId")));
    assert_int_equal(strncmp(player, "wallet-", 7), 0);
    json_decref(j);
    /* the nonce signs in once */
    assert_int_equal(call(api, "POST", "/v1/auth/verify", body, NULL, NULL), 401);

    assert_int_equal(call(api, "GET", "/v1/profile", NULL, auth, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "stakeAddress")), address);
    json_decref(j);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void test_target_api_wallet_mint_journey(void **state)
{
    struct lg_api *api = api_new(400000, 0);
    char auth[96], player[48], sid[32], body[128], path[96];
    json_t *j;
    assert_int_equal(call(api, "GET", "/v1/profile", NULL, NULL, NULL), 401);
    assert_int_equal(
        call(api, "POST", "/v1/auth/challenge", "{\"stakeAddress\":\"stake1xyz\"}", NULL, NULL),
        400);
    login(api, auth, player);

    /* not perfect: not eligible */
    play(api, auth, 2, sid, &j);
    json_decref(j);
    snprintf(body, sizeof(body), "{\"sessionId\":\"%s\"}", sid);
    assert_int_equal(call(api, "POST", "/v1/mint", body, auth, NULL), 403);

    play(api, auth, 0, sid, &j);
    json_decref(j);
    snprintf(body, sizeof(body), "{\"sessionId\":\"%s\"}", sid);
    assert_int_equal(call(api, "POST", "/v1/mint", body, NULL, NULL), 401);
    assert_int_equal(call(api, "POST", "/v1/mint", body, auth, &j), 202);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "pending");
    snprintf(path, sizeof(path), "/v1/mint/%s", json_string_value(json_object_get(j, "mintId")));
    json_decref(j);
    assert_int_equal(call(api, "POST", "/v1/mint", body, auth, NULL), 409);

    assert_int_equal(call(api, "GET", path, NULL, NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "pending");
    assert_true(json_is_null(json_object_get(j, "txHash")));
    json_decref(j);
    sleep_ms(450);
    assert_int_equal(call(api, "GET", path, NULL, NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "confirmed");
    assert_int_equal(strlen(json_string_value(json_object_get(j, "txHash"))), 64);
    json_decref(j);
    assert_int_equal(call(api, "GET", "/v1/mint/m-nope", NULL, NULL, NULL), 404);

    /* the wallet player's profile counts both sessions, one perfect */
    assert_int_equal(call(api, "GET", "/v1/profile", NULL, auth, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "sessions")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "perfectSessions")), 1);
    json_decref(j);
    snprintf(path, sizeof(path), "/v1/players/%s/history", player);
    assert_int_equal(call(api, "GET", path, NULL, NULL, &j), 200);
    json_t *h = json_object_get(j, "sessions");
    assert_int_equal(json_array_size(h), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "sessionId")), sid);
    json_decref(j);

    /* someone else's perfect session is not eligible for this wallet */
    char guest_sid[32];
    play(api, NULL, 0, guest_sid, &j);
    json_decref(j);
    snprintf(body, sizeof(body), "{\"sessionId\":\"%s\"}", guest_sid);
    assert_int_equal(call(api, "POST", "/v1/mint", body, auth, NULL), 403);
    lg_api_free(api);
}

static void test_target_api_mint_stuck(void **state)
{
    struct lg_api *api = api_new(0, 1);
    char auth[96], player[48], sid[32], body[128], path[96];
    json_t *j;
    login(api, auth, player);
    play(api, auth, 0, sid, &j);
    json_decref(j);
    snprintf(body, sizeof(body), "{\"sessionId\":\"%s\"}", sid);
    assert_int_equal(call(api, "POST", "/v1/mint", body, auth, &j), 202);
    snprintf(path, sizeof(path), "/v1/mint/%s", json_string_value(json_object_get(j, "mintId")));
    json_decref(j);
    sleep_ms(20);
    assert_int_equal(call(api, "GET", path, NULL, NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "pending");
    json_decref(j);
    lg_api_free(api);
}

static void test_target_api_leaderboard_pages_and_me(void **state)
{
    struct lg_api *api = api_new(0, 0);
    struct lg_api_request req = {
        .method = "GET", .path = "/v1/leaderboard", .limit = "20", .offset = "40"};
    struct lg_api_reply rep;
    lg_api_handle(api, &req, &rep);
    assert_int_equal(rep.status, 200);
    assert_int_equal(json_integer_value(json_object_get(rep.body, "total")), 50);
    assert_string_equal(json_string_value(json_object_get(rep.body, "category")), "all");
    assert_string_equal(json_string_value(json_object_get(rep.body, "season")), "2025-s1");
    json_t *e = json_object_get(rep.body, "entries");
    assert_int_equal(json_array_size(e), 10); /* 40..49 */
    json_int_t prev_rank = 0, prev_score = 1000;
    for (size_t i = 0; i < json_array_size(e); i++) {
        json_int_t rank = json_integer_value(json_object_get(json_array_get(e, i), "rank"));
        json_int_t score = json_integer_value(json_object_get(json_array_get(e, i), "score"));
        assert_true(rank > 40 && rank > prev_rank && score <= prev_score);
        prev_rank = rank;
        prev_score = score;
    }
    json_decref(rep.body);

    const char *bad[][2] = {{"0", NULL}, {"101", NULL}, {"x", NULL}, {"5", "-1"}};
    for (size_t i = 0; i < 4; i++) {
        struct lg_api_request r = {
            .method = "GET", .path = "/v1/leaderboard", .limit = bad[i][0], .offset = bad[i][1]};
        lg_api_handle(api, &r, &rep);
        assert_int_equal(rep.status, 400);
        json_decref(rep.body);
    }
    struct lg_api_request other = {.method = "GET", .path = "/v1/leaderboard", .season = "1999-s1"};
    lg_api_handle(api, &other, &rep);
    assert_int_equal(rep.status, 200);
    assert_int_equal(json_integer_value(json_object_get(rep.body, "total")), 0);
    json_decref(rep.body);

    /* a wallet player with a perfect session ranks among the demo's best */
    char auth[96], player[48], sid[32];
    json_t *j;
    login(api, auth, player);
    assert_int_equal(call(api, "GET", "/v1/leaderboard/me", NULL, auth, NULL), 404);
    play(api, auth, 0, sid, &j);
    json_decref(j);
    assert_int_equal(call(api, "GET", "/v1/leaderboard/me", NULL, auth, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "playerId")), player);
    assert_int_equal(json_integer_value(json_object_get(j, "score")), 3);
    json_int_t rank = json_integer_value(json_object_get(j, "rank"));
    json_decref(j);
    /* exactly the other players with a score of 3 or more rank ahead: the demo's
     * finished earlier */
    struct lg_api_request all = {.method = "GET", .path = "/v1/leaderboard", .limit = "100"};
    lg_api_handle(api, &all, &rep);
    e = json_object_get(rep.body, "entries");
    assert_int_equal(json_array_size(e), 51);
    json_int_t ahead = 0;
    for (size_t i = 0; i < json_array_size(e); i++)
        ahead += json_integer_value(json_object_get(json_array_get(e, i), "score")) >= 3 &&
                 strcmp(json_string_value(json_object_get(json_array_get(e, i), "playerId")),
                        player) != 0;
    assert_int_equal(rank, ahead + 1);
    json_decref(rep.body);
    assert_int_equal(call(api, "GET", "/v1/leaderboard/me", NULL, NULL, NULL), 401);
    lg_api_free(api);
}

static void test_target_api_seed_is_deterministic(void **state)
{
    struct lg_api *a = api_new(0, 0), *b = api_new(0, 0);
    json_t *ja, *jb;
    assert_int_equal(call(a, "GET", "/v1/leaderboard", NULL, NULL, &ja), 200);
    assert_int_equal(call(b, "GET", "/v1/leaderboard", NULL, NULL, &jb), 200);
    assert_true(json_equal(ja, jb));
    json_decref(ja);
    json_decref(jb);
    assert_int_equal(call(a, "POST", "/v1/sessions", "{\"categoryId\":\"history\"}", NULL, &ja),
                     201);
    assert_int_equal(call(b, "POST", "/v1/sessions", "{\"categoryId\":\"history\"}", NULL, &jb),
                     201);
    assert_true(json_equal(ja, jb));
    json_decref(ja);
    json_decref(jb);
    lg_api_free(a);
    lg_api_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_api_health),
        cmocka_unit_test(test_target_api_guest_session_perfect),
        cmocka_unit_test(test_target_api_incomplete_and_twice),
        cmocka_unit_test(test_target_api_wallet_mint_journey),
        cmocka_unit_test(test_target_api_mint_stuck),
        cmocka_unit_test(test_target_api_leaderboard_pages_and_me),
        cmocka_unit_test(test_target_api_seed_is_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
