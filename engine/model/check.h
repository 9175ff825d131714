/* check: evaluates a step's expectations and captures against one response.
 * The response is described by plain data plus lookup callbacks so that this
 * module knows nothing of libcurl. */
#ifndef LG_CHECK_H
#define LG_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct lg_response {
    long status;      /* final HTTP status (after redirects) */
    const char *body; /* not NUL-terminated necessarily; body_len bytes */
    size_t body_len;
    json_t *json;      /* the body parsed as JSON, or NULL (not parsed/invalid) */
    bool json_invalid; /* the body was parsed and is not JSON */
    /* Where and why parsing failed, for reasons; NULL: unknown ("body is not JSON"). */
    const json_error_t *json_error;
    /* Values that reasons must never show (LG_SECRET_MARK stands in); NULL: none. */
    const struct lg_secrets *secrets;
    int64_t total_us; /* total time of the request */
    /* Returns the value of the last response's header `name` (case-insensitive),
     * or NULL. The string stays valid until the next request of that VU. */
    const char *(*header)(void *ud, const char *name);
    /* Returns the value of cookie `name` in the VU's jar (new string, caller
     * frees), or NULL. */
    char *(*cookie)(void *ud, const char *name);
    /* TLS of the connection that carried the final response: returns 0 and writes
     * the protocol version as OpenSSL numbers it (SSL_version: 0x0303 for TLS 1.2,
     * 0x0304 for 1.3) and the peer certificate's notAfter in seconds since the Unix
     * epoch, or returns non-zero when the response did not come over TLS with a peer
     * certificate (plain HTTP). NULL means the same as non-zero. Only called for
     * LG_CHECK_TLS checks (steps with needs_tls). */
    int (*tls)(void *ud, int *version, int64_t *not_after_unix);
    void *ud;
};

/* Evaluates one check (not LG_CHECK_UNTIL, which the VU decides). Returns true when
 * it passes, without touching why. On failure, writes the reason into why: what was
 * observed and what was expected, e.g. `HTTP 500, expected 200..299`,
 * `$.status was "pending", expected "confirmed"`, `header x-frame-options is
 * missing`, `$.questions had length 9, expected 10`, `body is not JSON: invalid
 * token near "<html>" at byte 1`, `took 1.50s, expected at most 500ms`, `TLS 1.1 is
 * below 1.2`, `certificate expires in 3d 4h (needs 14d)`, `not HTTPS`. Values from
 * the response and rendered expected values appear in double quotes with quotes,
 * backslashes and control characters escaped, each cut after about 60 bytes with
 * "..."; every occurrence of one of r->secrets becomes LG_SECRET_MARK first. A reason
 * longer than whylen - 1 bytes is cut on a UTF-8 boundary and ends with "...".
 * why may be NULL (whylen 0). Certificate validity is measured from time(NULL). */
bool lg_check_eval(const struct lg_check *c, const struct lg_response *r,
                   const struct lg_tmpl_ctx *ctx, char *why, size_t whylen);

/* Extracts a capture. Returns 0 and a new reference in *out (strings for header,
 * regex and cookie captures; for JSON, the selected value, or an array for a
 * non-singular path), or LG_ENOTFOUND with a reason in why written as
 * lg_check_eval writes its reasons ("$.token matched nothing"). */
int lg_capture_eval(const struct lg_capture *c, const struct lg_response *r, json_t **out,
                    char *why, size_t whylen);

/* Parses r->body as JSON into r->json once for every check and capture of a step:
 * r->json holds the value, or NULL with r->json_invalid set and r->json_error
 * pointing at *err (jansson's reason and place, lg_jnum_loadb) when the body is not
 * JSON. Release with lg_response_release_json. */
void lg_response_parse_json(struct lg_response *r, json_error_t *err);

/* Releases what lg_response_parse_json made; r->json is NULL after it. Values
 * taken from r->json that must outlive it go through lg_response_keep first. */
void lg_response_release_json(struct lg_response *r);

/* A value taken from r->json (a capture's) as a new reference that stays valid
 * after lg_response_release_json; takes over v's reference. */
json_t *lg_response_keep(json_t *v);

#endif
