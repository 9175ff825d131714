/* model: the validated, compiled form of suites and scenarios. The config loader
 * builds it from YAML; everything downstream (virtual users, metrics, gate,
 * reports) reads it and never sees YAML or unparsed strings. */
#ifndef LG_MODEL_H
#define LG_MODEL_H

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonpath.h"
#include "tmpl.h"

/* The HTTP version a run asks for (`--http`, an environment's `http`). */
enum lg_http_version {
    LG_HTTP_DEFAULT = 0, /* not said: HTTP/1.1 */
    LG_HTTP_1_1,
    LG_HTTP_2, /* h2 by ALPN over TLS, h2c by prior knowledge over http:// */
};

/* Parses exactly "1.1" or "2". Returns true and *out, or false. */
bool lg_http_version_parse(const char *s, enum lg_http_version *out);
/* "HTTP/1.1" or "HTTP/2" (LG_HTTP_DEFAULT: "HTTP/1.1"). Static string. */
const char *lg_http_version_name(enum lg_http_version v);

/* A place in a source file, for messages. */
struct lg_loc {
    const char *file; /* borrowed from the suite's file table; never NULL */
    int line, col;    /* 1-based */
};

struct lg_header_tmpl {
    char *name; /* as written */
    struct lg_tmpl *value;
    bool secret; /* marked secret, or the value reads env.* */
    /* Never sent to another origin (scheme, host, port) after a redirect: secret,
     * or named like a credential (lg_secrets_header_name). */
    bool same_origin_only;
};

struct lg_query_tmpl {
    char *name;            /* already percent-encoded */
    struct lg_tmpl *value; /* LG_TMPL_URL escaping */
};

enum lg_body_kind { LG_BODY_NONE = 0, LG_BODY_JSON, LG_BODY_RAW, LG_BODY_FORM };

/* How a request's method maps onto libcurl's options, decided at load time. */
enum lg_method_kind { LG_METHOD_GET = 0, LG_METHOD_HEAD, LG_METHOD_POST, LG_METHOD_OTHER };

struct lg_request {
    char *method; /* upper case: GET, POST, ... */
    enum lg_method_kind method_kind;
    bool idempotent;      /* GET, HEAD, PUT, DELETE, OPTIONS, TRACE (RFC 9110 9.2.2):
                             libcurl may send it again when a reused connection
                             closes unanswered; other methods are never sent twice */
    struct lg_tmpl *url;  /* absolute, or relative to the base URL */
    bool origin_rendered; /* the URL's scheme, host or port may come from a template
                             (url: "{{next}}"): a server may choose where it goes */
    struct lg_header_tmpl *headers;
    size_t n_headers;
    struct lg_query_tmpl *query;
    size_t n_query;
    enum lg_body_kind body_kind;
    struct lg_tmpl *body; /* whole body text; JSON is pre-serialised with
                             LG_TMPL_JSON escaping, forms with LG_TMPL_URL */
    int64_t timeout_us;   /* 0: LG_DEFAULT_TIMEOUT_US */
    bool follow;          /* follow redirects (default true, at most 10) */
    uint64_t max_body;    /* response body limit in bytes; 0: the environment's */
};

#define LG_DEFAULT_TIMEOUT_US (60LL * 1000000)
#define LG_MAX_REDIRECTS 10
/* The default limit on one response body (decoded bytes, kept or only counted):
 * past it the transfer stops and the request fails (body_too_large). Large enough
 * for any API response; small enough that a body kept for a check cannot grow
 * without bound: the run's worst case is VUs x max_body, which is why an
 * environment or a step may lower it (or raise it for a download). */
#define LG_DEFAULT_MAX_BODY (8ULL << 20)

/* A status expectation is a union of inclusive ranges (201 -> [201,201]). */
struct lg_status_range {
    int lo, hi;
};

enum lg_check_kind {
    LG_CHECK_STATUS = 0,
    LG_CHECK_HEADER,
    LG_CHECK_JSON,
    LG_CHECK_BODY,
    LG_CHECK_LATENCY,
    LG_CHECK_TLS,   /* `expect: tls`: one check per key, min_version or cert_valid_for;
                       the response must have come over TLS with a peer certificate */
    LG_CHECK_UNTIL, /* added by the loader to a step with `until`: passes when the
                       until-conditions held before the timeout; the virtual user
                       decides it, lg_check_eval does not */
};

enum lg_check_op {
    LG_OP_EXISTS = 0, /* bool_arg: must exist (true) or must not (false) */
    LG_OP_EQUALS,     /* expected (json) or expected_tmpl (string template) */
    LG_OP_MATCHES,    /* re: POSIX extended regex */
    LG_OP_CONTAINS,   /* text: substring (body, header) */
    LG_OP_TYPE,       /* json_type_arg: string, number, integer, boolean, object, array, null */
    LG_OP_LENGTH,     /* number: exact length of an array, string or object */
    LG_OP_LT,
    LG_OP_LTE,
    LG_OP_GT,
    LG_OP_GTE, /* number: numeric comparisons */
    LG_OP_IN,  /* status only: ranges */
};

enum lg_json_type {
    LG_JT_STRING = 0,
    LG_JT_NUMBER,
    LG_JT_INTEGER,
    LG_JT_BOOLEAN,
    LG_JT_OBJECT,
    LG_JT_ARRAY,
    LG_JT_NULL,
};

/* One assertion on a response. Counted separately in metrics (pass/fail). */
struct lg_check {
    enum lg_check_kind kind;
    enum lg_check_op op;
    char *label; /* human form, e.g. "status in 200..299",
                    "$.questions length == 10" */
    struct lg_loc loc;
    char *header;                   /* LG_CHECK_HEADER: header name */
    struct lg_jpath *path;          /* LG_CHECK_JSON */
    struct lg_status_range *ranges; /* LG_OP_IN */
    size_t n_ranges;
    json_t *expected;              /* LG_OP_EQUALS with a non-template value */
    struct lg_tmpl *expected_tmpl; /* LG_OP_EQUALS with a string that has {{ }} */
    regex_t re;                    /* LG_OP_MATCHES (compiled with REG_EXTENDED) */
    bool has_re;
    char *text;                  /* LG_OP_CONTAINS: the text; LG_OP_MATCHES: the regex
                                    as written (for reasons) */
    double number;               /* LG_OP_LENGTH and comparisons */
    json_t *bound;               /* comparisons: the bound as written, exactly (an integer, or a
                                    number kept as text, jnum.h); NULL: compare with number */
    bool bool_arg;               /* LG_OP_EXISTS */
    enum lg_json_type json_type; /* LG_OP_TYPE */
    int64_t latency_us;          /* LG_CHECK_LATENCY: total time must be <= this */
    /* LG_CHECK_TLS (op LG_OP_GTE). With tls_min_version non-zero the check is on the
     * protocol version, as OpenSSL numbers it (TLS1_2_VERSION = 0x0303); with 0 it is
     * on the peer certificate, which must stay valid for at least cert_min_valid_s
     * more seconds from the time of the response (0: not expired). */
    int tls_min_version;
    int64_t cert_min_valid_s;
};

enum lg_capture_kind {
    LG_CAPTURE_JSON = 0,
    LG_CAPTURE_HEADER,
    LG_CAPTURE_REGEX,
    LG_CAPTURE_COOKIE
};

/* Stores part of a response into a slot of the virtual user. */
struct lg_capture {
    enum lg_capture_kind kind;
    int slot;
    char *name; /* the variable's name */
    struct lg_loc loc;
    struct lg_jpath *path; /* JSON: a singular path stores the value, a [*] path an array */
    char *header;          /* HEADER: header name; COOKIE: cookie name */
    regex_t re;            /* REGEX over the body: group 1 if the regex has one, else the match */
    bool has_re;
};

enum lg_on_failure { LG_ON_FAILURE_STOP = 0, LG_ON_FAILURE_CONTINUE };

struct lg_tag {
    char *name, *value;
};

/* A `regression:` block (docs/compare.md): the suite's (budget, metrics, confidence)
 * or a step's (budget, metrics). has: the block was given; has_*: that key was. */
struct lg_regression {
    bool has, has_budget, has_metrics, has_confidence;
    double budget;     /* the worsening allowed, a fraction (0.1 = 10%), >= 0 */
    unsigned metrics;  /* judged, bits 1u << LG_CMP_* (cmpmetric.h); never 0 for the
                          suite; 0 for a step: the step is not judged */
    double confidence; /* in (0, 1); the suite's only */
};

struct lg_step {
    char *name;
    struct lg_loc loc;
    uint32_t id;       /* index in the suite's flat step table (metrics) */
    uint32_t scenario; /* index of the owning scenario */
    struct lg_request req;
    struct lg_check *checks; /* `expect`, status check first if any, then file order,
                                then the LG_CHECK_UNTIL check if the step polls */
    size_t n_checks;
    bool has_status_check; /* without one, a status >= 400 is an error */
    bool needs_json;       /* some check or capture reads the body as JSON */
    bool needs_tls;        /* some check is LG_CHECK_TLS (the VU must offer r->tls) */
    struct lg_capture *captures;
    size_t n_captures;
    int64_t think_min_us, think_max_us; /* pause after the step; 0,0 = none */
    int foreach_slot;                   /* slot holding the list to iterate; -1 = no for_each */
    int foreach_var;                    /* slot receiving each item */
    bool has_until;                     /* repeat the request until the until-checks pass */
    struct lg_check *until; /* conditions that end the polling (not counted as checks) */
    size_t n_until;
    int64_t until_every_us, until_timeout_us;
    double weight; /* probability (0..1] that the step runs; 1 by default */
    enum lg_on_failure on_failure;
    struct lg_tag *tags;
    size_t n_tags;
    struct lg_regression regression; /* its own `regression:`, or has false */
};

struct lg_scenario {
    char *name;
    char *description; /* may be NULL */
    const char *file;  /* borrowed from the suite's file table */
    struct lg_loc loc;
    uint32_t index; /* in the suite */
    double weight;  /* relative share of iterations in a suite (default 1) */
    struct lg_step *steps;
    size_t n_steps;
    struct lg_scope scope;          /* every slot name: vars, captures, for_each variables;
                                       scope.feeds lists the feeds its templates may read */
    json_t **init;                  /* scope.n initial values (vars), NULL for captures */
    struct lg_feed **feeds_visible; /* the suite's `data` feeds, then the scenario's own
                                       (which hide suite feeds of the same name);
                                       borrowed from the suite, array owned */
    size_t n_feeds_visible;
    struct lg_feed **feeds; /* the feeds its templates read, each once: a VU takes a row
                               of each at the start of every iteration with
                               lg_feeds_next(sc->feeds, sc->n_feeds, ...); borrowed
                               from the suite, array owned */
    size_t n_feeds;
};

struct lg_var {
    char *name;
    char *value;
};

struct lg_environment {
    char *name;
    struct lg_loc loc;
    char *base_url;                 /* may be NULL */
    struct lg_header_tmpl *headers; /* sent with every request; compiled with an empty
                                      scope: env.*, built-ins and functions only */
    size_t n_headers;
    struct lg_var *vars;
    size_t n_vars;
    char *ca_file; /* trust this CA bundle (PEM); NULL = system */
    bool insecure; /* skip certificate verification */
    /* `compression: false`: loadgate neither asks for compressed responses nor
     * decodes them (a step's own Accept-Encoding then gets the raw bytes). By
     * default it asks for every encoding libcurl decodes and checks read the
     * decoded body. */
    bool no_compression;
    /* `protected: true`: a run needs --yes-production (else exit 3, nothing sent). */
    bool is_protected;
    /* `limits`: caps whatever the profile or the flags ask for; 0 = no cap. */
    double max_rate_per_s; /* requests per second in every model (a transfer is one
                              request, redirects included), and the open model's
                              arrival rate (every rate stage) */
    uint32_t max_vus;      /* VUs of every model: the closed model's, the peak of VU
                              stages, the open model's pool */
    uint64_t max_body;     /* response body limit of its steps; 0: LG_DEFAULT_MAX_BODY */
    /* `http: "1.1" | "2"` (LG_HTTP_DEFAULT: not said); --http wins over it. */
    enum lg_http_version http;
    /* `multiplex: true` (needs http "2"): VUs share HTTP/2 connections up to the
     * server's stream limit; by default each VU holds its own connection. */
    bool multiplex;
};

/* One stage of a ramping profile: move linearly from the previous stage's value
 * to `target` over duration_us (ramp), or keep the previous value (hold). */
struct lg_stage {
    int64_t duration_us;
    double target; /* iterations per second (rate stages) or VUs (vu stages) */
    bool hold;
};

/* Load shape. Closed model: `vus` (or VU stages) with a duration or a shared
 * iteration count. Open model: iterations start at `rate` (or rate stages), served
 * by at most max_vus virtual users. */
struct lg_profile {
    char *name;
    struct lg_loc loc;
    uint32_t vus;        /* 0 = not set; with vu_stages: the starting count */
    int64_t duration_us; /* 0 = not set; with stages: their total */
    uint64_t iterations; /* total, shared among the VUs; 0 = not set */
    struct lg_stage *vu_stages;
    size_t n_vu_stages;
    double rate_per_s; /* open model: the constant rate, or the starting rate of
                          rate_stages; 0 = not set */
    bool open;         /* rate or rate stages given */
    struct lg_stage *rate_stages;
    size_t n_rate_stages;
    uint32_t max_vus;        /* open model: the pool's cap; 0 = not set */
    int64_t max_lateness_us; /* 0 = not set (LG_DEFAULT_MAX_LATENESS_US) */
};

/* The most virtual users a run may have, however asked: --vus, --max-vus, a
 * profile's vus, max_vus or VU stages, an environment's limits.max_vus. */
#define LG_MAX_VUS 1000000
/* The most iterations a run may be asked for (--iterations, a profile's
 * iterations): every count stays exact in result.json's numbers. */
#define LG_MAX_ITERATIONS (1ULL << 53)

/* An iteration of the open model that cannot start within this long of its
 * scheduled instant is dropped. */
#define LG_DEFAULT_MAX_LATENESS_US (10LL * 1000000)

enum lg_agg {
    LG_AGG_NONE = 0, /* bare metric: error_rate, checks, rps, dropped */
    LG_AGG_PCT,      /* pN: pct holds N */
    LG_AGG_AVG,
    LG_AGG_MIN,
    LG_AGG_MAX,
    LG_AGG_COUNT,
    LG_AGG_RATE,
};

enum lg_metric {
    LG_M_LATENCY = 0,
    LG_M_TTFB,
    LG_M_CONNECT,
    LG_M_TLS,
    LG_M_DNS,
    LG_M_ITERATION,
    LG_M_ERROR_RATE,
    LG_M_CHECKS,
    LG_M_RPS,
    LG_M_DROPPED,
};

enum lg_cmp { LG_CMP_LT = 0, LG_CMP_LTE, LG_CMP_GT, LG_CMP_GTE, LG_CMP_EQ, LG_CMP_NE };

enum lg_severity { LG_SEV_CRITICAL = 0, LG_SEV_WARNING };

enum lg_filter_kind { LG_F_SCENARIO = 0, LG_F_STEP, LG_F_STATUS, LG_F_TAG };

struct lg_filter {
    enum lg_filter_kind kind;
    char *tag;   /* LG_F_TAG: the tag's name */
    char *value; /* as written */
    int status;  /* LG_F_STATUS */
};

struct lg_threshold {
    char *expr;        /* as written, for reports */
    struct lg_loc loc; /* file "" for --threshold */
    enum lg_agg agg;
    double pct; /* LG_AGG_PCT */
    enum lg_metric metric;
    struct lg_filter *filters;
    size_t n_filters;
    enum lg_cmp cmp;
    double value; /* in the metric's base unit: microseconds for times,
                     a ratio 0..1 for error_rate and checks, per second
                     for rps and rate, a count otherwise */
    enum lg_severity severity;
    bool abort;             /* stop the run once certainly broken (rule: gate.h) */
    int64_t abort_after_us; /* or once broken for this long (0: only when certain) */
};

struct lg_suite {
    char *name;
    const char *file; /* borrowed from files[] */
    char **files;     /* every file read (owned); locations borrow these */
    size_t n_files;
    struct lg_environment *envs;
    size_t n_envs;
    struct lg_scenario *scenarios;
    size_t n_scenarios;
    struct lg_step **steps; /* flat table of every step, by id (borrowed) */
    size_t n_steps;
    struct lg_profile *profiles;
    size_t n_profiles;
    struct lg_threshold *thresholds;
    size_t n_thresholds;
    struct lg_feed **feeds; /* every CSV feed of the suite and its scenarios (owned);
                               feeds[i]->index == i */
    size_t n_feeds;
    struct lg_secrets secrets; /* every value its templates read from env.* (and pure
                                  functions of them): hidden in failure reasons */
    /* The identity of the YAML read: SHA-256 folded over each file's SHA-256 in load
     * order (files_sha256 = H(files_sha256 || H(file))), taken from the bytes parsed,
     * so a FIFO is not read twice. Part of result.json's config_hash. */
    unsigned char files_sha256[32];
    struct lg_regression regression; /* the suite's `regression:`, or has false */
};

/* Frees everything a suite owns; accepts NULL. Also frees the struct itself. */
void lg_suite_free(struct lg_suite *s);

/* Frees what the members of these own (not the structs themselves). */
void lg_check_clear(struct lg_check *c);
void lg_threshold_clear(struct lg_threshold *t);

/* The profile whose runs take every scenario once, in turn, and fail on any failed
 * check or request (the result's smoke_rule). */
#define LG_SMOKE_PROFILE "smoke"
/* Whether the profile named `name` (may be NULL) is the smoke profile. */
bool lg_profile_is_smoke(const char *name);

/* Lookups by name; NULL when absent. */
const struct lg_environment *lg_suite_env(const struct lg_suite *s, const char *name);
const struct lg_profile *lg_suite_profile(const struct lg_suite *s, const char *name);

#endif
