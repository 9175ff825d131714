/* Fuzz target: a response from the server under test, as a step's expectations
 * and captures see it. The input is the body; its first byte also picks the status
 * and the TLS details, and its first line is the value of the X-Trace header and
 * the sid cookie. Every check of the scenario below is evaluated against it: a
 * check that fails says why, and its reason never shows the secret the scenario
 * reads from env.*, wherever the body echoes it; a capture finds a value or says
 * why not. The body's JSON parse (lg_response_parse_json: jsimd or jansson, into the
 * per-thread arena as in a run) gives what jansson gives for any body jansson
 * accepts, with the same types and key order; jsimd never accepts what jansson
 * refuses; the parse names a place inside the body when it fails, and dumps a value
 * that reads back the same, numbers beyond jansson's range included. Captures are
 * kept out of the arena and used after its reset. */
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "../unit/jsame.h"
#include "fuzz.h"
#include "jarena.h"
#include "jsimd.h"
#include "jnum.h"
#include "util.h"

static const char scenario[] =
    "scenario: checks\n"
    "vars: {id: abc, n: 3}\n"
    "steps:\n"
    "  - name: all\n"
    "    request: {method: GET, url: /}\n"
    "    expect:\n"
    "      status: [200, 201..204, 4xx]\n"
    "      headers:\n"
    "        x-trace: {matches: \"^[a-z]+([0-9]{2,4})?$\"}\n"
    "        content-type: {contains: json}\n"
    "        x-missing: {exists: false}\n"
    "      body: {matches: \"\\\"id\\\": *\\\"?([^\\\"]*)\", contains: \"ok\"}\n"
    "      latency: 300ms\n"
    "      tls: {min_version: \"1.2\", cert_valid_for: 14d}\n"
    "      json:\n"
    "        $.id: \"{{id}}\"\n"
    "        $.n: {equals: 3, gte: 0, lt: 10.5, type: integer}\n"
    "        $.s: {matches: \"^[0-9a-f-]{36}$\", length: 36}\n"
    "        $.a[*].id: {length: 3}\n"
    "        $.a[-1]: {type: object, exists: true}\n"
    "        $['a b'][0]: {equals: {x: [1, null]}}\n"
    "        $.b: true\n"
    "        $.key: \"k-{{env.LG_FUZZ_SECRET}}\"\n"
    "        $: {type: object}\n"
    "        $.w: {equals: 1000000000000000000000, gt: 1e20, lt: 1e400, type: integer}\n"
    "    capture:\n"
    "      id_json: {json: $.id}\n"
    "      ids: {json: \"$.a[*].id\"}\n"
    "      trace: {header: X-Trace}\n"
    "      sid: {cookie: sid}\n"
    "      greeting: {regex: \"hello ([a-z]+)\"}\n"
    "      whole: {regex: \"[0-9]+\"}\n"
    "      w: {json: $.w}\n";

/* The env value the scenario reads (seeds echoes-secret and not-json-secret echo it
 * back in values, a cut value, a header, a cookie and an invalid body). */
#define SECRET "hunter2"

struct input {
    const char *body;
    size_t len;
    char line[64]; /* the first line, at most 63 bytes */
};

static const char *header(void *ud, const char *name)
{
    struct input *in = ud;
    if (!strcasecmp(name, "x-trace"))
        return in->line;
    if (!strcasecmp(name, "content-type"))
        return "application/json";
    return NULL;
}

static char *cookie(void *ud, const char *name)
{
    struct input *in = ud;
    return strcmp(name, "sid") ? NULL : lg_strdup(in->line);
}

static int tls(void *ud, int *version, int64_t *not_after)
{
    struct input *in = ud;
    /* Odd: plain HTTP. Even: a protocol from SSL 3.0 up, a certificate valid for
     * another 0 to 45 days. */
    unsigned first = in->len ? (unsigned char)in->body[0] : 1;
    if (first & 1)
        return -1;
    *version = 0x0300 | (int)(first >> 1 & 7);
    *not_after = (int64_t)time(NULL) + (int64_t)(first >> 4) * 3 * 86400;
    return 0;
}

static struct lg_suite *load_scenario(void)
{
    int fd = memfd_create("checks.yaml", 0);
    FUZZ_CHECK(fd >= 0 && write(fd, scenario, sizeof(scenario) - 1) == sizeof(scenario) - 1);
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    setenv("LG_FUZZ_SECRET", SECRET, 1);
    struct lg_load_opts opts = {0};
    struct lg_suite *suite = NULL;
    struct lg_diags diags = {0};
    if (lg_config_load(path, &opts, &suite, &diags) != 0)
        lg_diags_print(&diags, stderr);
    FUZZ_CHECK(suite != NULL);
    close(fd);
    return suite;
}

/* What the parse must give: jansson's value for a body jansson accepts; a place
 * inside the body and a message when it fails; a dump that parses back to the
 * same text (numbers kept as text never leak their marker). */
static void check_parse(const struct lg_response *r, const json_error_t *err)
{
    json_t *plain = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
    FUZZ_CHECK(!plain || (r->json && jsame(plain, r->json)));
    json_t *fast = lg_jsimd_loadb(r->body, r->body_len);
    FUZZ_CHECK(!fast || (plain && jsame(fast, plain)));
    json_decref(fast);
    json_decref(plain);
    /* outside the arena (malloc), through lg_jnum_loadb: the same tree or error */
    json_error_t err2;
    json_t *direct = lg_jnum_loadb(r->body, r->body_len, &err2);
    FUZZ_CHECK(r->json
                   ? jsame(direct, r->json)
                   : !direct && !strcmp(err2.text, err->text) && err2.position == err->position);
    json_decref(direct);
    if (!r->json) {
        FUZZ_CHECK(err->text[0] != '\0');
        FUZZ_CHECK(err->position >= 0 && (size_t)err->position <= r->body_len);
        return;
    }
    struct lg_buf a = {0}, b = {0};
    lg_jnum_dump(r->json, JSON_COMPACT, &a);
    FUZZ_CHECK(!memmem(a.data, a.len, "\"\\u0000", 7)); /* no marker left */
    json_t *again = lg_jnum_loadb(a.data, a.len, NULL);
    FUZZ_CHECK(again != NULL);
    lg_jnum_dump(again, JSON_COMPACT, &b);
    FUZZ_CHECK(a.len == b.len && !memcmp(a.data, b.data, a.len));
    json_decref(again);
    lg_buf_free(&a);
    lg_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lg_suite *suite;
    if (!suite) {
        suite = load_scenario();
        lg_jarena_install();
    }
    struct lg_scenario *sc = &suite->scenarios[0];
    struct lg_step *st = &sc->steps[0];

    struct input in = {.body = (const char *)data, .len = size};
    size_t line_len = size < sizeof(in.line) - 1 ? size : sizeof(in.line) - 1;
    memcpy(in.line, data, line_len);
    in.line[line_len] = '\0';
    in.line[strcspn(in.line, "\r\n")] = '\0';
    struct lg_response r = {
        .status = size ? 100 + data[0] * 2 : 200,
        .body = in.body,
        .body_len = size,
        .total_us = size * 1000,
        .header = header,
        .cookie = cookie,
        .tls = tls,
        .ud = &in,
        .secrets = &suite->secrets,
    };
    json_error_t err;
    lg_response_parse_json(&r, &err);
    check_parse(&r, &err);

    struct lg_buf scratch = {0};
    struct lg_tmpl_ctx ctx = {
        .slots = sc->init, .n_slots = sc->scope.n, .scope = &sc->scope, .scratch = &scratch};
    for (size_t i = 0; i < st->n_checks; i++) {
        char why[256] = "";
        if (st->checks[i].kind != LG_CHECK_UNTIL &&
            !lg_check_eval(&st->checks[i], &r, &ctx, why, sizeof(why)))
            FUZZ_CHECK(why[0] != '\0' && !strstr(why, SECRET));
    }
    json_t *kept[16] = {0};
    for (size_t i = 0; i < st->n_captures && i < 16; i++) {
        char why[256] = "";
        json_t *v = NULL;
        int rc = lg_capture_eval(&st->captures[i], &r, &v, why, sizeof(why));
        FUZZ_CHECK(rc == 0
                       ? v != NULL
                       : rc == LG_ENOTFOUND && v == NULL && why[0] != '\0' && !strstr(why, SECRET));
        kept[i] = st->captures[i].kind == LG_CAPTURE_JSON ? lg_response_keep(v) : v;
    }
    struct lg_buf before = {0}, after = {0};
    for (size_t i = 0; i < 16; i++)
        if (kept[i])
            lg_jnum_dump(kept[i], JSON_COMPACT, &before);
    lg_response_release_json(&r);
    /* the arena reused by the next response: what was kept stays as it was */
    static const char next[] = "{\"id\":\"zzzzzzzzzzzzzzzzzzzzzzzz\",\"a\":[{\"id\":0}]}";
    struct lg_response r2 = {.body = next, .body_len = sizeof(next) - 1};
    lg_response_parse_json(&r2, &err);
    FUZZ_CHECK(r2.json != NULL);
    for (size_t i = 0; i < 16; i++)
        if (kept[i])
            lg_jnum_dump(kept[i], JSON_COMPACT, &after);
    lg_response_release_json(&r2);
    FUZZ_CHECK(before.len == after.len && !memcmp(before.data, after.data, before.len));
    for (size_t i = 0; i < 16; i++)
        json_decref(kept[i]);
    lg_buf_free(&before);
    lg_buf_free(&after);
    lg_buf_free(&scratch);
    return 0;
}
