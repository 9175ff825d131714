/* Unit tests for config: YAML files (tests/data/config) load into the exact model
 * values, templates render as the run will render them, and every mistake in a file
 * is reported with its exact FILE:LINE:COL text; hostile files are refused. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "cmpmetric.h"
#include "config_int.h"
#include "jnum.h"
#include "util.h"

/* ---- helpers ---- */

/* Loads name (relative to the working directory; fixtures are under fx/); returns the
 * code and, in *text, every diagnostic as printed. */
static int load(const char *name, const struct lg_load_opts *o, struct lg_suite **s, char **text)
{
    struct lg_diags d = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *s = NULL;
    int rc = lg_config_load(name, o, s, &d);
    lg_diags_print(&d, f);
    fclose(f);
    lg_diags_free(&d);
    *text = buf;
    return rc;
}

static struct lg_suite *load_ok(const char *name, const struct lg_load_opts *o)
{
    struct lg_suite *s;
    char *text;
    int rc = load(name, o, &s, &text);
    if (rc != 0)
        fail_msg("loading %s failed:\n%s", name, text);
    assert_string_equal(text, "");
    free(text);
    return s;
}

/* Loads name, which must fail with exactly this text. */
static void load_err(const char *name, const struct lg_load_opts *o, const char *want)
{
    struct lg_suite *s;
    char *text;
    int rc = load(name, o, &s, &text);
    if (rc != LG_EINVAL || strcmp(text, want))
        fail_msg("loading %s returned %d with:\n%s\nexpected:\n%s", name, rc, text, want);
    assert_null(s);
    free(text);
}

/* Writes content to a fresh file in the working directory. */
static void write_file(const char *name, const char *content, size_t len)
{
    FILE *f = fopen(name, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    fclose(f);
}

/* A context whose slots hold the given name=value strings (others unset). */
struct render_env {
    json_t *slots[64];
    struct lg_tmpl_ctx ctx;
};

static void env_init(struct render_env *e, const struct lg_scenario *sc)
{
    memset(e, 0, sizeof *e);
    assert_true(sc->scope.n <= 64);
    for (size_t i = 0; i < sc->scope.n; i++)
        e->slots[i] = sc->init[i] ? json_incref(sc->init[i]) : NULL;
    e->ctx = (struct lg_tmpl_ctx){
        .slots = e->slots, .n_slots = sc->scope.n, .scope = &sc->scope, .vu_id = 1};
}

static void env_set(struct render_env *e, const struct lg_scenario *sc, const char *name, json_t *v)
{
    int slot = lg_scope_find(&sc->scope, name);
    assert_true(slot >= 0);
    json_decref(e->slots[slot]);
    e->slots[slot] = v;
}

static void env_free(struct render_env *e)
{
    for (size_t i = 0; i < 64; i++)
        json_decref(e->slots[i]);
}

/* Renders t and compares with want. */
static void assert_render(const struct lg_tmpl *t, const struct render_env *e, const char *want)
{
    struct lg_buf b = {0};
    assert_non_null(t);
    assert_int_equal(lg_tmpl_render(t, &e->ctx, &b, NULL), 0);
    assert_string_equal(b.data ? b.data : "", want);
    lg_buf_free(&b);
}

static const char *label(const struct lg_step *st, size_t i)
{
    assert_true(i < st->n_checks);
    return st->checks[i].label;
}

/* ---- a complete scenario ---- */

static void test_config_full_scenario_model(void **state)
{
    struct lg_suite *s = load_ok("fx/full.yaml", NULL);
    assert_string_equal(s->name, "guest-session");
    assert_string_equal(s->file, "fx/full.yaml");
    assert_int_equal(s->n_files, 1);
    assert_int_equal(s->n_scenarios, 1);
    assert_int_equal(s->n_steps, 3);
    assert_int_equal(s->n_envs, 0);
    assert_int_equal(s->n_thresholds, 0);

    const struct lg_scenario *sc = &s->scenarios[0];
    assert_string_equal(sc->name, "guest-session");
    assert_string_equal(sc->description,
                        "A guest starts a session, answers every question, completes it.");
    assert_string_equal(sc->file, "fx/full.yaml");
    assert_true(sc->weight == 1.0);
    assert_int_equal(sc->n_steps, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_ptr_equal(s->steps[i], &sc->steps[i]);
        assert_int_equal(sc->steps[i].id, i);
        assert_int_equal(sc->steps[i].scenario, 0);
    }
    /* Vars hold strings; captures and the for_each variable start unset. */
    int cat = lg_scope_find(&sc->scope, "category"), cnt = lg_scope_find(&sc->scope, "count");
    assert_string_equal(json_string_value(sc->init[cat]), "science");
    assert_string_equal(json_string_value(sc->init[cnt]), "3");
    const char *unset[] = {"session_id", "questions", "trace", "sid", "greeting", "question_id"};
    for (size_t i = 0; i < 6; i++) {
        int slot = lg_scope_find(&sc->scope, unset[i]);
        assert_true(slot >= 0);
        assert_null(sc->init[slot]);
    }

    struct render_env e;
    env_init(&e, sc);
    env_set(&e, sc, "session_id", json_string("s-1"));
    env_set(&e, sc, "question_id", json_string("q 7"));
    env_set(&e, sc, "trace", json_string("t&1"));

    /* start */
    const struct lg_step *st = &sc->steps[0];
    assert_string_equal(st->name, "start");
    assert_int_equal(st->loc.line, 8);
    assert_int_equal(st->loc.col, 11);
    assert_string_equal(st->req.method, "POST");
    assert_int_equal(st->req.method_kind, LG_METHOD_POST);
    assert_render(st->req.url, &e, "/v1/sessions");
    assert_int_equal(st->req.n_headers, 1);
    assert_string_equal(st->req.headers[0].name, "x-client");
    assert_false(st->req.headers[0].secret);
    assert_render(st->req.headers[0].value, &e, "loadgate");
    assert_int_equal(st->req.body_kind, LG_BODY_JSON);
    assert_render(st->req.body, &e, "{\"categoryId\":\"science\",\"mode\":\"guest\",\"n\":3}");
    assert_int_equal(st->req.timeout_us, 0);
    assert_true(st->req.follow);
    assert_true(st->has_status_check);
    assert_true(st->needs_json);
    assert_int_equal(st->n_checks, 5);
    assert_string_equal(label(st, 0), "status in 201");
    assert_string_equal(label(st, 1), "$.sessionId exists");
    assert_string_equal(label(st, 2), "$.questions length == 10");
    assert_string_equal(label(st, 3), "header content-type contains json");
    assert_string_equal(label(st, 4), "latency <= 300ms");
    assert_int_equal(st->checks[0].kind, LG_CHECK_STATUS);
    assert_int_equal(st->checks[0].op, LG_OP_IN);
    assert_int_equal(st->checks[0].n_ranges, 1);
    assert_int_equal(st->checks[0].ranges[0].lo, 201);
    assert_int_equal(st->checks[0].ranges[0].hi, 201);
    assert_int_equal(st->checks[1].kind, LG_CHECK_JSON);
    assert_int_equal(st->checks[1].op, LG_OP_EXISTS);
    assert_true(st->checks[1].bool_arg);
    assert_string_equal(lg_jpath_src(st->checks[1].path), "$.sessionId");
    assert_int_equal(st->checks[2].op, LG_OP_LENGTH);
    assert_true(st->checks[2].number == 10);
    assert_int_equal(st->checks[3].kind, LG_CHECK_HEADER);
    assert_int_equal(st->checks[3].op, LG_OP_CONTAINS);
    assert_string_equal(st->checks[3].header, "content-type");
    assert_string_equal(st->checks[3].text, "json");
    assert_int_equal(st->checks[4].kind, LG_CHECK_LATENCY);
    assert_int_equal(st->checks[4].latency_us, 300000);
    assert_int_equal(st->checks[2].loc.line, 18);
    assert_int_equal(st->checks[2].loc.col, 23);
    assert_int_equal(st->n_captures, 5);
    assert_int_equal(st->captures[0].kind, LG_CAPTURE_JSON);
    assert_string_equal(st->captures[0].name, "session_id");
    assert_int_equal(st->captures[0].slot, lg_scope_find(&sc->scope, "session_id"));
    assert_true(lg_jpath_is_singular(st->captures[0].path));
    assert_false(lg_jpath_is_singular(st->captures[1].path));
    assert_string_equal(lg_jpath_src(st->captures[1].path), "$.questions[*].id");
    assert_int_equal(st->captures[2].kind, LG_CAPTURE_HEADER);
    assert_string_equal(st->captures[2].header, "X-Trace-Id");
    assert_int_equal(st->captures[3].kind, LG_CAPTURE_COOKIE);
    assert_string_equal(st->captures[3].header, "sid");
    assert_int_equal(st->captures[4].kind, LG_CAPTURE_REGEX);
    assert_true(st->captures[4].has_re);
    assert_int_equal(st->captures[4].re.re_nsub, 1);
    assert_int_equal(st->n_tags, 1);
    assert_string_equal(st->tags[0].name, "kind");
    assert_string_equal(st->tags[0].value, "write");
    assert_int_equal(st->foreach_slot, -1);
    assert_false(st->has_until);
    assert_true(st->weight == 1.0);
    assert_int_equal(st->on_failure, LG_ON_FAILURE_STOP);
    assert_int_equal(st->think_min_us, 0);
    assert_int_equal(st->think_max_us, 0);

    /* answer: for_each, query, status list, think range, weight */
    st = &sc->steps[1];
    assert_string_equal(st->name, "answer");
    assert_int_equal(st->foreach_slot, lg_scope_find(&sc->scope, "questions"));
    assert_int_equal(st->foreach_var, lg_scope_find(&sc->scope, "question_id"));
    assert_render(st->req.url, &e, "/v1/sessions/s-1/answers");
    assert_int_equal(st->req.n_query, 2);
    assert_string_equal(st->req.query[0].name, "q");
    assert_render(st->req.query[0].value, &e, "q%207");
    assert_string_equal(st->req.query[1].name, "note");
    assert_render(st->req.query[1].value, &e, "a%20b%26c");
    assert_render(st->req.body, &e, "{\"questionId\":\"q 7\",\"choice\":0}");
    assert_int_equal(st->n_checks, 1);
    assert_string_equal(label(st, 0), "status in 200, 201..204");
    assert_int_equal(st->checks[0].n_ranges, 2);
    assert_int_equal(st->checks[0].ranges[1].lo, 201);
    assert_int_equal(st->checks[0].ranges[1].hi, 204);
    assert_int_equal(st->think_min_us, 500000);
    assert_int_equal(st->think_max_us, 2000000);
    assert_int_equal(st->on_failure, LG_ON_FAILURE_CONTINUE);
    assert_true(st->weight == 0.5);
    assert_false(st->needs_json);

    /* finish: form, timeout, follow, until, expect after until in the file */
    st = &sc->steps[2];
    assert_string_equal(st->req.method, "PUT");
    assert_int_equal(st->req.method_kind, LG_METHOD_OTHER);
    assert_render(st->req.url, &e, "/v1/sessions/s-1?count=3");
    assert_int_equal(st->req.body_kind, LG_BODY_FORM);
    assert_render(st->req.body, &e, "done=yes%20please&by=t%261");
    assert_int_equal(st->req.timeout_us, 5000000);
    assert_false(st->req.follow);
    assert_true(st->has_until);
    assert_int_equal(st->until_every_us, 2000000);
    assert_int_equal(st->until_timeout_us, 120000000);
    assert_int_equal(st->n_until, 1);
    assert_string_equal(st->until[0].label, "$.status == \"confirmed\"");
    assert_string_equal(json_string_value(st->until[0].expected), "confirmed");
    assert_int_equal(st->n_checks, 8);
    assert_string_equal(label(st, 0), "status in 200..299");
    assert_string_equal(label(st, 1), "body matches ^ok");
    assert_string_equal(label(st, 2), "$.score >= 0");
    assert_string_equal(label(st, 3), "$.score < 10.5");
    assert_string_equal(label(st, 4), "$.score type == number");
    assert_string_equal(label(st, 5), "$.id == {{session_id}}");
    assert_string_equal(label(st, 6), "$.done == true");
    assert_string_equal(label(st, 7), "until $.status == \"confirmed\" within 120s");
    assert_int_equal(st->checks[2].op, LG_OP_GTE);
    assert_int_equal(st->checks[3].op, LG_OP_LT);
    assert_true(st->checks[3].number == 10.5);
    assert_int_equal(st->checks[4].json_type, LG_JT_NUMBER);
    assert_null(st->checks[5].expected);
    assert_render(st->checks[5].expected_tmpl, &e, "s-1");
    assert_true(json_is_true(st->checks[6].expected));
    assert_int_equal(st->checks[7].kind, LG_CHECK_UNTIL);
    assert_true(st->needs_json);
    env_free(&e);
    lg_suite_free(s);
}

static void test_config_json_body_renders_exactly(void **state)
{
    struct lg_suite *s = load_ok("fx/body.yaml", NULL);
    const struct lg_scenario *sc = &s->scenarios[0];
    struct render_env e;
    env_init(&e, sc);
    assert_render(sc->steps[0].req.body, &e,
                  "{\"categoryId\":\"science\",\"mode\":\"guest\",\"n\":3}");
    /* Plain scalars resolve like YAML's core schema; quoted ones stay strings;
     * literal text is escaped for JSON. */
    assert_render(sc->steps[1].req.body, &e,
                  "{\"quote\":\"say \\\"hi\\\" science\\\\n\","
                  "\"list\":[1,-2.5,16,null,\"yes\",true,\"007\",1e3],"
                  "\"empty\":{},\"odd \\\"key\\\"\":null,\"multi\":\"a\\tb\"}");
    env_free(&e);
    lg_suite_free(s);

    /* A --var overrides the scenario's var, and its value is escaped by the engine. */
    const struct lg_var v = {.name = "category", .value = "sci\"ence"};
    struct lg_load_opts o = {.vars = &v, .n_vars = 1};
    s = load_ok("fx/body.yaml", &o);
    env_init(&e, &s->scenarios[0]);
    assert_render(s->scenarios[0].steps[0].req.body, &e,
                  "{\"categoryId\":\"sci\\\"ence\",\"mode\":\"guest\",\"n\":3}");
    env_free(&e);
    lg_suite_free(s);
}

/* ---- suites ---- */

static void test_config_suite_environments_profiles_thresholds(void **state)
{
    setenv("LG_TEST_STAGING_KEY", "k-123", 1);
    struct lg_load_opts o = {.env = "staging", .for_run = true};
    struct lg_suite *s = load_ok("fx/suite/suite.yaml", &o);
    assert_string_equal(s->name, "trivia");
    assert_string_equal(s->file, "fx/suite/suite.yaml");
    assert_int_equal(s->n_files, 3);
    assert_string_equal(s->files[1], "fx/suite/guest.yaml");
    assert_string_equal(s->files[2], "fx/suite/board.yaml");

    assert_int_equal(s->n_envs, 2);
    assert_null(lg_suite_env(s, "production"));
    const struct lg_environment *local = lg_suite_env(s, "local");
    assert_non_null(local);
    assert_string_equal(local->base_url, "http://127.0.0.1:8080");
    assert_int_equal(local->n_headers, 0);
    assert_false(local->insecure);
    const struct lg_environment *stg = lg_suite_env(s, "staging");
    assert_string_equal(stg->base_url, "https://api-staging.example.com");
    assert_int_equal(stg->loc.line, 6);
    assert_int_equal(stg->loc.col, 3);
    assert_true(stg->insecure);
    assert_int_equal(stg->n_headers, 1);
    assert_string_equal(stg->headers[0].name, "x-api-key");
    assert_true(stg->headers[0].secret);
    /* the env value it reads is one of the run's secrets */
    assert_int_equal(s->secrets.n, 1);
    assert_string_equal(s->secrets.vals[0], "k-123");
    struct lg_buf b = {0};
    assert_int_equal(lg_tmpl_render(stg->headers[0].value, NULL, &b, NULL), 0);
    assert_string_equal(b.data, "k-123");
    lg_buf_free(&b);
    assert_int_equal(stg->n_vars, 1);
    assert_string_equal(stg->vars[0].name, "category");
    assert_string_equal(stg->vars[0].value, "science");

    assert_int_equal(s->n_scenarios, 2);
    const struct lg_scenario *g = &s->scenarios[0], *lb = &s->scenarios[1];
    assert_string_equal(g->name, "guest-session");
    assert_string_equal(g->file, "fx/suite/guest.yaml");
    assert_true(g->weight == 60);
    assert_string_equal(lb->name, "leaderboard");
    assert_true(lb->weight == 1);
    assert_int_equal(lb->index, 1);
    /* The chosen environment's vars override the suite's. */
    struct render_env e;
    env_init(&e, g);
    assert_render(g->steps[0].req.body, &e, "{\"categoryId\":\"science\",\"mode\":\"guest\"}");
    env_free(&e);
    env_init(&e, lb);
    assert_render(lb->steps[0].req.url, &e, "/v1/leaderboard?category=science");
    assert_string_equal(lb->steps[0].req.method, "GET");
    assert_int_equal(lb->steps[0].req.method_kind, LG_METHOD_GET);
    env_free(&e);
    assert_int_equal(s->n_steps, 2);
    assert_ptr_equal(s->steps[1], &lb->steps[0]);
    assert_int_equal(lb->steps[0].id, 1);
    assert_int_equal(lb->steps[0].scenario, 1);

    assert_int_equal(s->n_profiles, 2);
    const struct lg_profile *smoke = lg_suite_profile(s, "smoke"),
                            *ld = lg_suite_profile(s, "load");
    assert_int_equal(smoke->vus, 1);
    assert_int_equal(smoke->iterations, 1);
    assert_int_equal(smoke->duration_us, 0);
    assert_int_equal(ld->vus, 50);
    assert_int_equal(ld->duration_us, 120000000);
    assert_null(lg_suite_profile(s, "soak"));

    assert_int_equal(s->n_thresholds, 5);
    assert_string_equal(s->thresholds[0].expr, "p95(latency) < 500ms");
    assert_string_equal(s->thresholds[0].loc.file, "fx/suite/suite.yaml");
    assert_int_equal(s->thresholds[0].loc.line, 18);
    assert_int_equal(s->thresholds[0].loc.col, 5);
    assert_int_equal(s->thresholds[0].severity, LG_SEV_CRITICAL);
    assert_true(s->thresholds[0].value == 500000);
    assert_int_equal(s->thresholds[2].n_filters, 1);
    assert_true(s->thresholds[3].abort);
    assert_int_equal(s->thresholds[3].abort_after_us, 10000000);
    assert_string_equal(s->thresholds[3].expr, "error_rate < 5%");
    assert_int_equal(s->thresholds[4].severity, LG_SEV_WARNING);
    assert_false(s->thresholds[4].abort);
    lg_suite_free(s);

    /* Without an environment the suite's var applies. */
    s = load_ok("fx/suite/suite.yaml", NULL);
    env_init(&e, &s->scenarios[1]);
    assert_render(s->scenarios[1].steps[0].req.url, &e, "/v1/leaderboard?category=history");
    env_free(&e);
    lg_suite_free(s);
    unsetenv("LG_TEST_STAGING_KEY");
}

static void test_config_env_var_unset_only_matters_for_the_run(void **state)
{
    unsetenv("LG_TEST_STAGING_KEY");
    struct lg_load_opts o = {.env = "staging", .for_run = true};
    load_err(
        "fx/suite/suite.yaml", &o,
        "fx/suite/suite.yaml:8:29: error: environment variable LG_TEST_STAGING_KEY is not set\n");
    /* Another environment, or `check`, does not need it. */
    o.env = "local";
    lg_suite_free(load_ok("fx/suite/suite.yaml", &o));
    o = (struct lg_load_opts){.env = "staging"};
    lg_suite_free(load_ok("fx/suite/suite.yaml", &o));
}

static void test_config_bad_thresholds_exact_columns(void **state)
{
    load_err("fx/suite/bad_thresholds.yaml", NULL,
             "fx/suite/bad_thresholds.yaml:6:20: error: '500xs' is not a duration\n"
             "fx/suite/bad_thresholds.yaml:7:10: error: unknown metric 'latncy'\n"
             "fx/suite/bad_thresholds.yaml:8:54: error: 'severity' must be critical or warning\n"
             "fx/suite/bad_thresholds.yaml:9:5: error: no step named 'nope' (steps: start)\n"
             "fx/suite/bad_thresholds.yaml:10:29: error: 'abort_after' needs 'abort: true'\n");
}

/* A warning never fails the gate, so abort: true on one is refused, at the abort
 * key, wherever severity is written; abort: false with a warning, and abort on a
 * critical threshold, load. */
static void test_config_warning_threshold_cannot_abort(void **state)
{
    const char *y = "suite: s\n"
                    "scenarios:\n"
                    "  - {file: fx/suite/guest.yaml}\n"
                    "vars: {category: art}\n"
                    "thresholds:\n"
                    "  - {expr: error_rate < 1%, severity: warning, abort: true}\n"
                    "  - expr: p95(latency) < 1s\n"
                    "    abort: true\n"
                    "    abort_after: 5s\n"
                    "    severity: warning\n"
                    "  - {expr: error_rate < 2%, severity: warning, abort: false}\n"
                    "  - {expr: error_rate < 3%, severity: critical, abort: true}\n";
    write_file("tmp_warning_abort.yaml", y, strlen(y));
    load_err("tmp_warning_abort.yaml", NULL,
             "tmp_warning_abort.yaml:6:48: error: a warning cannot abort the run (it never fails "
             "the gate): drop 'abort' or make the threshold critical\n"
             "tmp_warning_abort.yaml:8:5: error: a warning cannot abort the run (it never fails "
             "the gate): drop 'abort' or make the threshold critical\n");
    unlink("tmp_warning_abort.yaml");

    const char *ok = "suite: s\n"
                     "scenarios:\n"
                     "  - {file: fx/suite/guest.yaml}\n"
                     "vars: {category: art}\n"
                     "thresholds:\n"
                     "  - {expr: error_rate < 2%, severity: warning, abort: false}\n"
                     "  - {expr: error_rate < 3%, severity: critical, abort: true}\n";
    write_file("tmp_warning_ok.yaml", ok, strlen(ok));
    struct lg_suite *s = load_ok("tmp_warning_ok.yaml", NULL);
    assert_int_equal(s->n_thresholds, 2);
    assert_int_equal(s->thresholds[0].severity, LG_SEV_WARNING);
    assert_false(s->thresholds[0].abort);
    assert_int_equal(s->thresholds[1].severity, LG_SEV_CRITICAL);
    assert_true(s->thresholds[1].abort);
    lg_suite_free(s);
    unlink("tmp_warning_ok.yaml");
}

static void test_config_suite_mistakes_and_missing_scenario(void **state)
{
    const char *y = "suite: s\n"
                    "environments:\n"
                    "  production: {base_url: \"https://x\", protected: true,\n"
                    "               limits: {max_vus: 5}}\n"
                    "scenarios:\n"
                    "  - {file: fx/suite/nope.yaml}\n"
                    "  - {file: fx/suite/guest.yaml, weight: 0}\n"
                    "profiles:\n"
                    "  load: {rate: 5/s, max_vus: 10, vus: 0}\n";
    write_file("tmp_unsupported.yaml", y, strlen(y));
    load_err("tmp_unsupported.yaml", NULL,
             "tmp_unsupported.yaml:6:12: error: scenario file 'fx/suite/nope.yaml': cannot "
             "read: No such file or directory\n"
             "tmp_unsupported.yaml:7:41: error: 'weight' must be a positive number\n"
             "tmp_unsupported.yaml:9:10: error: a constant 'rate' needs 'duration'\n"
             "tmp_unsupported.yaml:9:34: error: 'rate' (open model) cannot be combined with "
             "'vus'\n"
             "fx/suite/guest.yaml:9:29: error: undefined variable 'category'\n");
    unlink("tmp_unsupported.yaml");
}

/* ---- protected environments and limits ---- */

static void test_config_environment_protected_and_limits(void **state)
{
    struct lg_suite *s = load_ok("fx/suite/production.yaml", NULL);
    assert_int_equal(s->n_envs, 3);
    const struct lg_environment *local = lg_suite_env(s, "local"),
                                *prod = lg_suite_env(s, "production"),
                                *canary = lg_suite_env(s, "canary");
    assert_false(local->is_protected);
    assert_true(local->max_rate_per_s == 0);
    assert_int_equal(local->max_vus, 0);
    assert_true(prod->is_protected);
    assert_true(prod->max_rate_per_s == 200);
    assert_int_equal(prod->max_vus, 500);
    assert_string_equal(prod->base_url, "https://api.example.com");
    assert_false(canary->is_protected);
    assert_true(canary->max_rate_per_s == 0.5);
    assert_int_equal(canary->max_vus, 0);
    lg_suite_free(s);
}

static void test_config_environment_protected_and_limits_mistakes(void **state)
{
    const char *y = "suite: s\n"
                    "vars: {category: x}\n"
                    "environments:\n"
                    "  a: {base_url: \"https://a\", protected: yes-please}\n"
                    "  b: {base_url: \"https://b\", limits: {max_rate: 0/s, max_vus: 0}}\n"
                    "  c: {base_url: \"https://c\", limits: {max_rate: fast, max_vu: 5}}\n"
                    "  d: {base_url: \"https://d\", limits: 500, protected: [true]}\n"
                    "  e: {base_url: \"https://e\", limits: {max_vus: -3, max_rate: 20000000/s}}\n"
                    "  f: {base_url: \"https://f\", protect: true}\n"
                    "scenarios:\n"
                    "  - fx/suite/board.yaml\n";
    write_file("tmp_limits.yaml", y, strlen(y));
    load_err("tmp_limits.yaml", NULL,
             "tmp_limits.yaml:4:41: error: 'protected' must be true or false\n"
             "tmp_limits.yaml:5:49: error: 'max_rate' must be greater than 0\n"
             "tmp_limits.yaml:5:63: error: 'max_vus' must be a positive integer\n"
             "tmp_limits.yaml:6:49: error: invalid rate 'fast' for 'max_rate' (a number per s, "
             "m or h, e.g. 50/s)\n"
             "tmp_limits.yaml:6:55: error: unknown key 'max_vu' in limits (did you mean "
             "'max_vus'?)\n"
             "tmp_limits.yaml:7:38: error: 'limits' must be a mapping, not a scalar\n"
             "tmp_limits.yaml:7:54: error: 'protected' must be true or false\n"
             "tmp_limits.yaml:8:48: error: 'max_vus' must be a positive integer\n"
             "tmp_limits.yaml:8:62: error: 'max_rate' must be at most 10000000/s\n"
             "tmp_limits.yaml:9:30: error: unknown key 'protect' in environment (did you mean "
             "'protected'?)\n");
    unlink("tmp_limits.yaml");
}

/* A profile's VUs and iterations share the command line's caps (LG_MAX_VUS,
 * LG_MAX_ITERATIONS): one more is refused, located, saying the cap. */
static void test_config_profile_vus_share_the_flags_cap(void **state)
{
    const char *ok = "suite: s\n"
                     "vars: {category: x}\n"
                     "environments:\n"
                     "  a: {base_url: \"https://a\", limits: {max_vus: 1000000}}\n"
                     "scenarios:\n"
                     "  - fx/suite/board.yaml\n"
                     "profiles:\n"
                     "  most: {vus: 1000000, iterations: 9007199254740992}\n"
                     "  staged: {vus: {start: 1000000, stages: [{ramp: 1s, to: 1000000}]}}\n"
                     "  open: {rate: 5/s, duration: 1s, max_vus: 1000000}\n";
    write_file("tmp_vus_ok.yaml", ok, strlen(ok));
    struct lg_suite *s = load_ok("tmp_vus_ok.yaml", NULL);
    assert_int_equal(s->profiles[0].vus, LG_MAX_VUS);
    assert_int_equal(s->profiles[0].iterations, LG_MAX_ITERATIONS);
    assert_true(s->profiles[1].vu_stages[0].target == LG_MAX_VUS);
    assert_int_equal(s->profiles[2].max_vus, LG_MAX_VUS);
    assert_int_equal(s->envs[0].max_vus, LG_MAX_VUS);
    lg_suite_free(s);
    unlink("tmp_vus_ok.yaml");

    const char *y = "suite: s\n"
                    "vars: {category: x}\n"
                    "environments:\n"
                    "  a: {base_url: \"https://a\", limits: {max_vus: 1000001}}\n"
                    "scenarios:\n"
                    "  - fx/suite/board.yaml\n"
                    "profiles:\n"
                    "  many: {vus: 1000001, iterations: 9007199254740993}\n"
                    "  staged: {vus: {start: 1000001, stages: [{ramp: 1s, to: 4294967295}]}}\n"
                    "  open: {rate: 5/s, duration: 1s, max_vus: 4294967296}\n";
    write_file("tmp_vus.yaml", y, strlen(y));
    load_err("tmp_vus.yaml", NULL,
             "tmp_vus.yaml:4:48: error: 'max_vus' must be at most 1000000\n"
             "tmp_vus.yaml:8:15: error: 'vus' must be at most 1000000\n"
             "tmp_vus.yaml:8:36: error: 'iterations' must be at most 9007199254740992\n"
             "tmp_vus.yaml:9:25: error: 'start' must be at most 1000000 (virtual users)\n"
             "tmp_vus.yaml:9:58: error: 'to' must be at most 1000000 (virtual users)\n"
             "tmp_vus.yaml:10:44: error: 'max_vus' must be at most 1000000\n");
    unlink("tmp_vus.yaml");
}

/* ---- HTTP versions ---- */

/* `http` is "1.1" or "2", quoted or not; `multiplex: true` needs http "2". */
static void test_config_environment_http_and_multiplex(void **state)
{
    const char *y = "suite: s\n"
                    "vars: {category: x}\n"
                    "environments:\n"
                    "  a: {base_url: \"https://a\"}\n"
                    "  b: {base_url: \"https://b\", http: \"1.1\"}\n"
                    "  c: {base_url: \"https://c\", http: 2, multiplex: true}\n"
                    "  d: {base_url: \"https://d\", http: 1.1}\n"
                    "scenarios:\n"
                    "  - fx/suite/board.yaml\n";
    write_file("tmp_http.yaml", y, strlen(y));
    struct lg_suite *s = load_ok("tmp_http.yaml", NULL);
    assert_int_equal(lg_suite_env(s, "a")->http, LG_HTTP_DEFAULT);
    assert_false(lg_suite_env(s, "a")->multiplex);
    assert_int_equal(lg_suite_env(s, "b")->http, LG_HTTP_1_1);
    assert_int_equal(lg_suite_env(s, "c")->http, LG_HTTP_2);
    assert_true(lg_suite_env(s, "c")->multiplex);
    assert_int_equal(lg_suite_env(s, "d")->http, LG_HTTP_1_1);
    lg_suite_free(s);
    unlink("tmp_http.yaml");
}

static void test_config_environment_http_mistakes(void **state)
{
    const char *y = "suite: s\n"
                    "vars: {category: x}\n"
                    "environments:\n"
                    "  a: {base_url: \"https://a\", http: 3}\n"
                    "  b: {base_url: \"https://b\", http: \"h2\", multiplex: yes}\n"
                    "  c: {base_url: \"https://c\", multiplex: true}\n"
                    "  d: {base_url: \"https://d\", http: \"1.1\", multiplex: true}\n"
                    "  e: {base_url: \"https://e\", http: [2]}\n"
                    "scenarios:\n"
                    "  - fx/suite/board.yaml\n";
    write_file("tmp_http.yaml", y, strlen(y));
    load_err("tmp_http.yaml", NULL,
             "tmp_http.yaml:4:36: error: 'http' must be \"1.1\" or \"2\"\n"
             "tmp_http.yaml:5:36: error: 'http' must be \"1.1\" or \"2\"\n"
             "tmp_http.yaml:5:53: error: 'multiplex' must be true or false\n"
             "tmp_http.yaml:6:41: error: 'multiplex: true' needs 'http: \"2\"' in the "
             "environment\n"
             "tmp_http.yaml:7:54: error: 'multiplex: true' needs 'http: \"2\"' in the "
             "environment\n"
             "tmp_http.yaml:8:36: error: 'http' must be \"1.1\" or \"2\"\n");
    unlink("tmp_http.yaml");
}

/* ---- compression ---- */

static void test_config_environment_compression(void **state)
{
    const char *y = "suite: s\n"
                    "vars: {category: x}\n"
                    "environments:\n"
                    "  default: {base_url: \"https://a\"}\n"
                    "  raw: {base_url: \"https://b\", compression: false}\n"
                    "  on: {base_url: \"https://c\", compression: true}\n"
                    "scenarios: [fx/suite/board.yaml]\n";
    write_file("tmp_gz.yaml", y, strlen(y));
    struct lg_suite *s = load_ok("tmp_gz.yaml", NULL);
    assert_false(lg_suite_env(s, "default")->no_compression);
    assert_true(lg_suite_env(s, "raw")->no_compression);
    assert_false(lg_suite_env(s, "on")->no_compression);
    lg_suite_free(s);

    y = "suite: s\n"
        "vars: {category: x}\n"
        "environments:\n"
        "  a: {compression: gzip}\n"
        "  b: {compression: [true]}\n"
        "  c: {compresion: false}\n"
        "scenarios: [fx/suite/board.yaml]\n";
    write_file("tmp_gz.yaml", y, strlen(y));
    load_err("tmp_gz.yaml", NULL,
             "tmp_gz.yaml:4:20: error: 'compression' must be true or false\n"
             "tmp_gz.yaml:5:20: error: 'compression' must be true or false\n"
             "tmp_gz.yaml:6:7: error: unknown key 'compresion' in environment (did you mean "
             "'compression'?)\n");
    unlink("tmp_gz.yaml");
}

/* ---- numbers beyond jansson's range ---- */

/* v as JSON text, numbers kept as text as their literal; caller frees. */
static char *dump_value(const json_t *v)
{
    struct lg_buf b = {0};
    lg_jnum_dump(v, JSON_COMPACT, &b);
    return lg_buf_take(&b);
}

static void assert_exact(const json_t *v, const char *want)
{
    assert_non_null(v);
    char *got = dump_value(v);
    assert_string_equal(got, want);
    free(got);
}

static void test_config_big_numbers_are_kept_exactly(void **state)
{
    const char *y =
        "scenario: big\n"
        "vars:\n"
        "  amounts: [1000000000000000000000, 1e400, 5, 1.5, \"1e400\", 0x10]\n"
        "steps:\n"
        "  - name: s\n"
        "    request:\n"
        "      method: POST\n"
        "      url: /x\n"
        "      json: {a: 1e400, b: 100000000000000000000000, c: \"1e400\", d: [-1E+400]}\n"
        "    expect:\n"
        "      json:\n"
        "        $.a: {equals: 1000000000000000000000, gt: 1e21, lt: 100, lte: +1.e3,\n"
        "              gte: .5}\n"
        "        $.b: {equals: 1e400, gte: 1.5e400, lt: 0x10, gt: -007}\n"
        "        $.c: 1.5\n";
    write_file("tmp_big.yaml", y, strlen(y));
    struct lg_suite *s = load_ok("tmp_big.yaml", NULL);
    const struct lg_scenario *sc = &s->scenarios[0];
    const struct lg_step *st = &sc->steps[0];
    struct render_env e;
    env_init(&e, sc);
    assert_render(st->req.body, &e,
                  "{\"a\":1e400,\"b\":100000000000000000000000,\"c\":\"1e400\",\"d\":[-1E+400]}");
    env_free(&e);
    assert_exact(sc->init[lg_scope_find(&sc->scope, "amounts")],
                 "[1000000000000000000000,1e400,5,1.5,\"1e400\",16]");

    assert_int_equal(st->n_checks, 10);
    /* equals: beyond int64 or a double, kept exactly as written */
    assert_string_equal(label(st, 0), "$.a == 1000000000000000000000");
    assert_exact(st->checks[0].expected, "1000000000000000000000");
    assert_true(lg_jnum_is_text(st->checks[0].expected));
    /* comparisons: the bound exactly (an integer when it is one within int64) */
    assert_string_equal(label(st, 1), "$.a > 1e21");
    assert_exact(st->checks[1].bound, "1e21");
    assert_true(st->checks[1].number == 1e21);
    assert_true(json_is_integer(st->checks[2].bound));
    assert_exact(st->checks[2].bound, "100");
    assert_string_equal(label(st, 3), "$.a <= +1.e3");
    assert_true(json_is_integer(st->checks[3].bound));
    assert_exact(st->checks[3].bound, "1000");
    assert_exact(st->checks[4].bound, "0.5");
    assert_true(st->checks[4].number == 0.5);
    assert_string_equal(label(st, 5), "$.b == 1e400");
    assert_exact(st->checks[5].expected, "1e400");
    assert_exact(st->checks[6].bound, "1.5e400");
    assert_true(st->checks[6].number == HUGE_VAL);
    assert_null(st->checks[7].bound); /* hexadecimal: as a double only */
    assert_true(st->checks[7].number == 16);
    assert_exact(st->checks[8].bound, "-7");
    /* a double in range stays a real */
    assert_true(json_is_real(st->checks[9].expected));
    lg_suite_free(s);
    unlink("tmp_big.yaml");
}

/* ---- expect: tls ---- */

static void test_config_tls_expectation(void **state)
{
    struct lg_suite *s = load_ok("fx/tls.yaml", NULL);
    const struct lg_scenario *sc = &s->scenarios[0];
    const struct lg_step *health = &sc->steps[0], *hours = &sc->steps[1], *days = &sc->steps[2],
                         *plain = &sc->steps[3];
    assert_int_equal(health->n_checks, 4);
    assert_string_equal(label(health, 0), "status in 200");
    assert_string_equal(label(health, 1), "tls >= 1.2");
    assert_int_equal(health->checks[1].kind, LG_CHECK_TLS);
    assert_int_equal(health->checks[1].op, LG_OP_GTE);
    assert_int_equal(health->checks[1].tls_min_version, 0x0303);
    assert_int_equal(health->checks[1].loc.line, 7);
    assert_int_equal(health->checks[1].loc.col, 26);
    assert_string_equal(label(health, 2), "certificate valid for >= 14d");
    assert_int_equal(health->checks[2].kind, LG_CHECK_TLS);
    assert_int_equal(health->checks[2].tls_min_version, 0);
    assert_int_equal(health->checks[2].cert_min_valid_s, 14 * 86400);
    assert_int_equal(health->checks[2].loc.col, 49);
    assert_string_equal(label(health, 3), "header strict-transport-security exists");
    assert_true(health->needs_tls);
    assert_false(health->needs_json);

    assert_int_equal(hours->n_checks, 2);
    assert_string_equal(label(hours, 0), "certificate valid for >= 336h");
    assert_int_equal(hours->checks[0].cert_min_valid_s, 336 * 3600);
    assert_string_equal(label(hours, 1), "tls >= 1.3");
    assert_int_equal(hours->checks[1].tls_min_version, 0x0304);
    assert_true(hours->needs_tls);
    assert_string_equal(label(days, 0), "certificate valid for >= 1.5d");
    assert_int_equal(days->checks[0].cert_min_valid_s, 129600);
    assert_false(plain->needs_tls);
    lg_suite_free(s);
}

static void test_config_tls_expectation_mistakes(void **state)
{
    const char *y = "scenario: t\n"
                    "steps:\n"
                    "  - name: a\n"
                    "    request: {url: \"https://x/\"}\n"
                    "    expect: {tls: {min_version: \"1.4\", cert_valid_for: 14days}}\n"
                    "  - name: b\n"
                    "    request: {url: /}\n"
                    "    expect: {tls: {}}\n"
                    "  - name: c\n"
                    "    request: {url: /}\n"
                    "    expect: {tls: {min_versoin: 1.2, cert_valid_for: -1d, min_version: 1}}\n"
                    "  - name: d\n"
                    "    request: {url: /}\n"
                    "    expect: {tls: true}\n"
                    "  - name: e\n"
                    "    request: {url: /}\n"
                    "    until: {tls: {min_version: \"1.2\"}, status: 200}\n"
                    "  - name: f\n"
                    "    request: {url: /}\n"
                    "    expect: {tls: {cert_valid_for: 14, min_version: [1.2]}}\n";
    write_file("tmp_tls.yaml", y, strlen(y));
    load_err("tmp_tls.yaml", NULL,
             "tmp_tls.yaml:5:33: error: 'min_version' must be one of \"1.0\", \"1.1\", "
             "\"1.2\", \"1.3\"\n"
             "tmp_tls.yaml:5:56: error: 'cert_valid_for' must be a duration, e.g. 14d or 336h "
             "(units: s, m, h, d)\n"
             "tmp_tls.yaml:8:19: error: 'tls' needs min_version, cert_valid_for or both\n"
             "tmp_tls.yaml:11:20: error: unknown key 'min_versoin' in tls (did you mean "
             "'min_version'?)\n"
             "tmp_tls.yaml:11:54: error: 'cert_valid_for' must be a duration, e.g. 14d or 336h "
             "(units: s, m, h, d)\n"
             "tmp_tls.yaml:11:72: error: 'min_version' must be one of \"1.0\", \"1.1\", "
             "\"1.2\", \"1.3\"\n"
             "tmp_tls.yaml:14:19: error: 'tls' must be a mapping, not a scalar\n"
             "tmp_tls.yaml:17:13: error: 'tls' is not a condition to poll for: put it in "
             "'expect'\n"
             "tmp_tls.yaml:20:36: error: 'cert_valid_for' must be a duration, e.g. 14d or 336h "
             "(units: s, m, h, d)\n"
             "tmp_tls.yaml:20:53: error: 'min_version' must be one of \"1.0\", \"1.1\", "
             "\"1.2\", \"1.3\"\n");
    unlink("tmp_tls.yaml");
}

/* ---- profiles ---- */

static const struct lg_profile *profile(const struct lg_suite *s, const char *name)
{
    const struct lg_profile *p = lg_suite_profile(s, name);
    if (!p)
        fail_msg("no profile '%s'", name);
    return p;
}

static void assert_stage(const struct lg_stage *st, int64_t duration_us, double target, bool hold)
{
    assert_int_equal(st->duration_us, duration_us);
    if (st->target != target)
        fail_msg("stage target %g, expected %g", st->target, target);
    assert_int_equal(st->hold, hold);
}

/* Nothing of the other model is set. */
static void assert_closed(const struct lg_profile *p)
{
    assert_false(p->open);
    assert_true(p->rate_per_s == 0);
    assert_null(p->rate_stages);
    assert_int_equal(p->n_rate_stages, 0);
    assert_int_equal(p->max_vus, 0);
    assert_int_equal(p->max_lateness_us, 0);
}

static void assert_open(const struct lg_profile *p)
{
    assert_true(p->open);
    assert_int_equal(p->vus, 0);
    assert_int_equal(p->iterations, 0);
    assert_null(p->vu_stages);
    assert_int_equal(p->n_vu_stages, 0);
}

static void test_config_profile_closed_counts(void **state)
{
    struct lg_suite *s = load_ok("fx/suite/profiles.yaml", NULL);
    assert_int_equal(s->n_profiles, 11);
    const struct lg_profile *p = profile(s, "smoke");
    assert_string_equal(p->loc.file, "fx/suite/profiles.yaml");
    assert_int_equal(p->loc.line, 6);
    assert_int_equal(p->loc.col, 3);
    assert_int_equal(p->vus, 1);
    assert_int_equal(p->iterations, 1);
    assert_int_equal(p->duration_us, 0);
    assert_null(p->vu_stages);
    assert_int_equal(p->n_vu_stages, 0);
    assert_closed(p);

    p = profile(s, "soak");
    assert_int_equal(p->vus, 20);
    assert_int_equal(p->duration_us, 3600000000LL);
    assert_int_equal(p->iterations, 5000);
    assert_int_equal(p->n_vu_stages, 0);
    assert_closed(p);
    lg_suite_free(s);
}

static void test_config_profile_constant_rate(void **state)
{
    struct lg_suite *s = load_ok("fx/suite/profiles.yaml", NULL);
    const struct lg_profile *p = profile(s, "steady");
    assert_open(p);
    assert_true(p->rate_per_s == 50);
    assert_null(p->rate_stages);
    assert_int_equal(p->n_rate_stages, 0);
    assert_int_equal(p->duration_us, 30000000);
    assert_int_equal(p->max_vus, 200);
    assert_int_equal(p->max_lateness_us, 2000000);

    /* N/m and N/h are per minute and per hour; a plain N is per second. */
    p = profile(s, "per-minute");
    assert_open(p);
    assert_true(p->rate_per_s == 1.5);
    assert_int_equal(p->duration_us, 60000000);
    assert_int_equal(p->max_vus, 0);
    assert_int_equal(p->max_lateness_us, 0);
    p = profile(s, "per-hour");
    assert_true(p->rate_per_s == 2);
    assert_int_equal(p->duration_us, 600000000);
    p = profile(s, "plain");
    assert_true(p->rate_per_s == 2.5);
    assert_int_equal(p->duration_us, 4000000);
    p = profile(s, "quoted");
    assert_true(p->rate_per_s == 12);
    assert_int_equal(p->n_rate_stages, 0);
    lg_suite_free(s);
}

static void test_config_profile_rate_stages_with_start(void **state)
{
    struct lg_suite *s = load_ok("fx/suite/profiles.yaml", NULL);
    const struct lg_profile *p = profile(s, "ramp");
    assert_open(p);
    assert_true(p->rate_per_s == 10);
    assert_int_equal(p->n_rate_stages, 5);
    assert_stage(&p->rate_stages[0], 30000000, 100, false);
    assert_stage(&p->rate_stages[1], 120000000, 100, true); /* holds the previous rate */
    assert_stage(&p->rate_stages[2], 1500000, 2, false);    /* 120/m */
    assert_stage(&p->rate_stages[3], 0, 0, false);          /* a jump */
    assert_stage(&p->rate_stages[4], 5000000, 0, true);
    assert_int_equal(p->duration_us, 30000000 + 120000000 + 1500000 + 5000000);
    assert_int_equal(p->max_vus, 300);
    assert_int_equal(p->max_lateness_us, 0);
    lg_suite_free(s);
}

static void test_config_profile_vu_stages(void **state)
{
    struct lg_suite *s = load_ok("fx/suite/profiles.yaml", NULL);
    const struct lg_profile *p = profile(s, "users");
    assert_closed(p);
    assert_int_equal(p->vus, 5);
    assert_int_equal(p->n_vu_stages, 3);
    assert_stage(&p->vu_stages[0], 30000000, 50, false);
    assert_stage(&p->vu_stages[1], 60000000, 50, true);
    assert_stage(&p->vu_stages[2], 10000000, 0, false);
    assert_int_equal(p->duration_us, 100000000);
    assert_int_equal(p->iterations, 100);

    /* start defaults to 0, and a first hold keeps it. */
    p = profile(s, "from-zero");
    assert_closed(p);
    assert_int_equal(p->vus, 0);
    assert_int_equal(p->n_vu_stages, 2);
    assert_stage(&p->vu_stages[0], 1000000, 0, true);
    assert_stage(&p->vu_stages[1], 2000000, 3, false);
    assert_int_equal(p->duration_us, 3000000);
    assert_int_equal(p->iterations, 0);
    lg_suite_free(s);
}

static void check_design_load_profile(const struct lg_profile *p)
{
    assert_open(p);
    assert_true(p->rate_per_s == 0);
    assert_int_equal(p->n_rate_stages, 3);
    assert_stage(&p->rate_stages[0], 30000000, 100, false);
    assert_stage(&p->rate_stages[1], 120000000, 100, true);
    assert_stage(&p->rate_stages[2], 30000000, 0, false);
    assert_int_equal(p->duration_us, 180000000);
    assert_int_equal(p->max_vus, 1000);
    assert_int_equal(p->max_lateness_us, 0);
}

static void test_config_profile_design_example(void **state)
{
    /* As DESIGN.md writes it, in block style... */
    struct lg_suite *s = load_ok("fx/suite/profiles.yaml", NULL);
    check_design_load_profile(profile(s, "load"));
    lg_suite_free(s);

    /* ...and on one line. */
    const char *y = "suite: trivia\n"
                    "vars: {category: art}\n"
                    "scenarios: [fx/suite/board.yaml]\n"
                    "profiles:\n"
                    "  smoke: {vus: 1, iterations: 1}\n"
                    "  load: {rate: {stages: [{ramp: 30s, to: 100/s}, {hold: 2m}, "
                    "{ramp: 30s, to: 0/s}]}, max_vus: 1000}\n";
    write_file("tmp_design.yaml", y, strlen(y));
    s = load_ok("tmp_design.yaml", NULL);
    check_design_load_profile(profile(s, "load"));
    assert_int_equal(profile(s, "smoke")->vus, 1);
    assert_int_equal(profile(s, "smoke")->iterations, 1);
    lg_suite_free(s);
    unlink("tmp_design.yaml");
}

static void test_config_profile_mistakes_exact_positions(void **state)
{
    load_err(
        "fx/suite/bad_profiles.yaml", NULL,
        "fx/suite/bad_profiles.yaml:5:37: error: 'rate' (open model) cannot be combined with "
        "'vus'\n"
        "fx/suite/bad_profiles.yaml:5:46: error: 'rate' (open model) cannot be combined with "
        "'iterations'\n"
        "fx/suite/bad_profiles.yaml:6:17: error: a constant 'rate' needs 'duration'\n"
        "fx/suite/bad_profiles.yaml:7:16: error: 'rate' must be greater than 0\n"
        "fx/suite/bad_profiles.yaml:8:20: error: invalid rate '5/sec' for 'rate' (a number per "
        "s, m or h, e.g. 50/s)\n"
        "fx/suite/bad_profiles.yaml:8:37: error: 'duration' must be greater than 0\n"
        "fx/suite/bad_profiles.yaml:8:50: error: 'max_vus' must be a positive integer\n"
        "fx/suite/bad_profiles.yaml:8:67: error: 'max_lateness' must be greater than 0\n"
        "fx/suite/bad_profiles.yaml:9:16: error: 'rate' must be at most 10000000/s\n"
        "fx/suite/bad_profiles.yaml:10:16: error: 'rate' must be a rate such as 50/s, or a "
        "mapping with 'stages'\n"
        "fx/suite/bad_profiles.yaml:10:37: error: invalid duration 'soon' for 'max_lateness' (a "
        "number and a unit: us, ms, s, m, h)\n"
        "fx/suite/bad_profiles.yaml:11:41: error: 'max_vus' applies to the open model (with "
        "'rate')\n"
        "fx/suite/bad_profiles.yaml:11:53: error: 'max_lateness' applies to the open model (with "
        "'rate')\n"
        "fx/suite/bad_profiles.yaml:14:5: error: 'duration' comes from the stages\n"
        "fx/suite/bad_profiles.yaml:15:16: error: 'rate' is 0 throughout: no iterations would "
        "start\n"
        "fx/suite/bad_profiles.yaml:16:40: error: the stages must last longer than 0s in total\n"
        "fx/suite/bad_profiles.yaml:17:38: error: 'stages' must list at least one stage\n"
        "fx/suite/bad_profiles.yaml:18:34: error: unknown key 'stagse' in rate (did you mean "
        "'stages'?)\n"
        "fx/suite/bad_profiles.yaml:18:47: error: 'rate' (open model) cannot be combined with "
        "'vus'\n"
        "fx/suite/bad_profiles.yaml:22:12: error: 'ramp' needs 'to'\n"
        "fx/suite/bad_profiles.yaml:23:22: error: 'to' goes with 'ramp': a hold keeps the value "
        "it starts from\n"
        "fx/suite/bad_profiles.yaml:24:22: error: 'ramp' and 'hold' cannot both be given: a "
        "stage is a ramp or a hold\n"
        "fx/suite/bad_profiles.yaml:25:11: error: a stage needs 'ramp' (with 'to') or 'hold'\n"
        "fx/suite/bad_profiles.yaml:26:11: error: a stage must be a mapping with 'ramp' and "
        "'to', or 'hold'\n"
        "fx/suite/bad_profiles.yaml:27:26: error: invalid rate '-1/s' for 'to' (a number per s, "
        "m or h, e.g. 50/s)\n"
        "fx/suite/bad_profiles.yaml:28:18: error: invalid duration 'fast' for 'ramp' (a number "
        "and a unit: us, ms, s, m, h)\n"
        "fx/suite/bad_profiles.yaml:29:12: error: unknown key 'rmap' in stage (did you mean "
        "'ramp'?)\n"
        "fx/suite/bad_profiles.yaml:31:18: error: 'start' must be a non-negative integer\n"
        "fx/suite/bad_profiles.yaml:31:47: error: 'to' must be a non-negative integer\n"
        "fx/suite/bad_profiles.yaml:31:66: error: unknown key 'begin' in vus\n"
        "fx/suite/bad_profiles.yaml:32:5: error: 'duration' comes from the stages\n"
        "fx/suite/bad_profiles.yaml:33:18: error: 'vus' must be a positive integer, or a mapping "
        "with 'stages'\n"
        "fx/suite/bad_profiles.yaml:33:26: error: unknown key 'stages' in profile (it goes under "
        "'rate' or 'vus')\n"
        "fx/suite/bad_profiles.yaml:34:18: error: 'vus' is 0 throughout: no iterations would "
        "start\n"
        "fx/suite/bad_profiles.yaml:35:28: error: 'rate' needs 'stages'\n"
        "fx/suite/bad_profiles.yaml:36:27: error: 'vus' needs 'stages'\n"
        "fx/suite/bad_profiles.yaml:37:25: error: unknown key 'duraton' in profile (did you mean "
        "'duration'?)\n"
        "fx/suite/bad_profiles.yaml:38:44: error: unknown key 'too' in stage (did you mean "
        "'to'?)\n"
        "fx/suite/bad_profiles.yaml:39:44: error: 'to' must be a rate, e.g. 50/s\n"
        "fx/suite/bad_profiles.yaml:40:47: error: the stages last too long in total\n");
}

static void test_config_profile_rate_syntax(void **state)
{
    /* Each bad form on its own line: the message names the value and the key. */
    static const char *const bad[] = {"5/s ", "+5/s", "1e3/s", "5/",    "/s", ".",
                                      "0x10", "5 /s", "inf",   "5/min", "5/S"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *y = lg_asprintf("suite: s\n"
                              "vars: {category: art}\n"
                              "scenarios: [fx/suite/board.yaml]\n"
                              "profiles:\n"
                              "  p: {duration: 1s, rate: \"%s\"}\n",
                              bad[i]);
        char *want = lg_asprintf("tmp_rate.yaml:5:27: error: invalid rate '%s' for 'rate' (a "
                                 "number per s, m or h, e.g. 50/s)\n",
                                 bad[i]);
        write_file("tmp_rate.yaml", y, strlen(y));
        load_err("tmp_rate.yaml", NULL, want);
        free(want);
        free(y);
    }
    /* Decimals either side of the point; the largest rate allowed. */
    static const struct {
        const char *text;
        double per_s;
    } good[] = {{".5", 0.5}, {"5.", 5}, {"0.25/s", 0.25}, {"600000000/m", 1e7}, {"10000000", 1e7}};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char *y = lg_asprintf("suite: s\n"
                              "vars: {category: art}\n"
                              "scenarios: [fx/suite/board.yaml]\n"
                              "profiles:\n"
                              "  p: {duration: 1s, rate: %s}\n",
                              good[i].text);
        write_file("tmp_rate.yaml", y, strlen(y));
        struct lg_suite *s = load_ok("tmp_rate.yaml", NULL);
        if (profile(s, "p")->rate_per_s != good[i].per_s)
            fail_msg("%s: %g per second, expected %g", good[i].text, profile(s, "p")->rate_per_s,
                     good[i].per_s);
        lg_suite_free(s);
        free(y);
    }
    unlink("tmp_rate.yaml");
}

static void test_config_scenario_errors_carry_their_own_file(void **state)
{
    const char *sc = "scenario: guest-session\n"
                     "steps:\n"
                     "  - name: a\n"
                     "    request: {url: /x, methd: GET}\n";
    const char *su = "suite: s\n"
                     "scenarios:\n"
                     "  - tmp_a.yaml\n"
                     "  - fx/suite/guest.yaml\n";
    write_file("tmp_a.yaml", sc, strlen(sc));
    write_file("tmp_suite.yaml", su, strlen(su));
    load_err("tmp_suite.yaml", NULL,
             "tmp_a.yaml:4:24: error: unknown key 'methd' in request (did you mean "
             "'method'?)\n"
             "fx/suite/guest.yaml:1:11: error: duplicate scenario name 'guest-session' (also in "
             "tmp_a.yaml:1:11)\n"
             "fx/suite/guest.yaml:9:29: error: undefined variable 'category'\n");
    unlink("tmp_a.yaml");
    unlink("tmp_suite.yaml");
}

static void test_config_environment_vars_follow_the_mode(void **state)
{
    const char *sc = "scenario: e\n"
                     "steps:\n"
                     "  - name: a\n"
                     "    request: {url: \"/{{token_name}}\"}\n";
    const char *su = "suite: s\n"
                     "environments:\n"
                     "  staging: {vars: {token_name: stg}}\n"
                     "  local: {base_url: \"http://127.0.0.1:1\"}\n"
                     "scenarios: [tmp_env_sc.yaml]\n";
    write_file("tmp_env_sc.yaml", sc, strlen(sc));
    write_file("tmp_env_su.yaml", su, strlen(su));

    /* `check` without --env: a var of any environment is known. */
    lg_suite_free(load_ok("tmp_env_su.yaml", NULL));
    /* A run uses only the chosen environment's vars. */
    struct lg_load_opts o = {.for_run = true};
    load_err("tmp_env_su.yaml", &o,
             "tmp_env_sc.yaml:4:24: error: undefined variable 'token_name'\n");
    o.env = "local";
    load_err("tmp_env_su.yaml", &o,
             "tmp_env_sc.yaml:4:24: error: undefined variable 'token_name'\n");
    o.env = "staging";
    struct lg_suite *s = load_ok("tmp_env_su.yaml", &o);
    struct render_env e;
    env_init(&e, &s->scenarios[0]);
    assert_render(s->scenarios[0].steps[0].req.url, &e, "/stg");
    env_free(&e);
    lg_suite_free(s);
    /* --var wins over the environment. */
    const struct lg_var v = {.name = "token_name", .value = "cli"};
    o.vars = &v;
    o.n_vars = 1;
    s = load_ok("tmp_env_su.yaml", &o);
    env_init(&e, &s->scenarios[0]);
    assert_render(s->scenarios[0].steps[0].req.url, &e, "/cli");
    env_free(&e);
    lg_suite_free(s);
    unlink("tmp_env_sc.yaml");
    unlink("tmp_env_su.yaml");
}

static void test_config_for_each_over_a_var_and_own_capture(void **state)
{
    const char *y = "scenario: f\n"
                    "vars: {ids: [1, b]}\n"
                    "steps:\n"
                    "  - name: a\n"
                    "    for_each: {in: ids, as: id}\n"
                    "    request: {url: \"/{{id}}\"}\n";
    write_file("tmp_fe.yaml", y, strlen(y));
    struct lg_suite *s = load_ok("tmp_fe.yaml", NULL);
    const struct lg_scenario *sc = &s->scenarios[0];
    int ids = lg_scope_find(&sc->scope, "ids");
    assert_int_equal(sc->steps[0].foreach_slot, ids);
    assert_int_equal(sc->steps[0].foreach_var, lg_scope_find(&sc->scope, "id"));
    char *j = json_dumps(sc->init[ids], JSON_COMPACT);
    assert_string_equal(j, "[1,\"b\"]");
    free(j);
    lg_suite_free(s);

    const char *own = "scenario: f\n"
                      "steps:\n"
                      "  - name: a\n"
                      "    request: {url: \"/{{tok}}\"}\n"
                      "    capture: {tok: {json: $.t}}\n";
    write_file("tmp_fe.yaml", own, strlen(own));
    load_err("tmp_fe.yaml", NULL,
             "tmp_fe.yaml:4:24: error: 'tok' is captured by this step, from its own response\n");
    unlink("tmp_fe.yaml");
}

/* ---- mistakes ---- */

static void test_config_all_mistakes_of_a_file(void **state)
{
    load_err("fx/mistakes.yaml", NULL,
             "fx/mistakes.yaml:5:5: error: unknown key 'expct' in step (did you mean 'expect'?)\n"
             "fx/mistakes.yaml:6:12: error: duration needs a unit, e.g. 500ms\n"
             "fx/mistakes.yaml:11:16: error: invalid duration 'fast' for 'timeout' (a number and a "
             "unit: us, ms, s, m, h)\n"
             "fx/mistakes.yaml:13:15: error: 'status' must be a status code (100..599), a range "
             "like 200..299, or a list of them\n"
             "fx/mistakes.yaml:15:15: error: unknown key 'lenght' in json check (did you mean "
             "'length'?)\n"
             "fx/mistakes.yaml:16:13: error: 'weight' must be a number greater than 0 and at most "
             "1\n"
             "fx/mistakes.yaml:17:11: error: duplicate step name 'one' (first at line 3)\n"
             "fx/mistakes.yaml:19:17: error: 'on_failure' must be stop or continue\n");
}

static void test_config_undefined_variable(void **state)
{
    load_err("fx/undefined.yaml", NULL,
             "fx/undefined.yaml:4:43: error: undefined variable 'item_id'\n");
}

static void test_config_capture_used_before_it_is_captured(void **state)
{
    load_err("fx/later.yaml", NULL,
             "fx/later.yaml:4:46: error: 'session_id' is captured by step 'start' which runs "
             "later\n");
}

static void test_config_unknown_key_suggests(void **state)
{
    load_err("fx/unknown_key.yaml", NULL,
             "fx/unknown_key.yaml:5:5: error: unknown key 'expct' in step (did you mean "
             "'expect'?)\n");
}

static void test_config_bad_duration(void **state)
{
    load_err("fx/bad_duration.yaml", NULL,
             "fx/bad_duration.yaml:4:45: error: invalid duration '2 seconds' for 'timeout' (a "
             "number and a unit: us, ms, s, m, h)\n"
             "fx/bad_duration.yaml:5:12: error: duration needs a unit, e.g. 500ms\n");
}

static void test_config_template_and_path_errors_point_inside_values(void **state)
{
    const char *y = "scenario: t\n"
                    "steps:\n"
                    "  - name: a\n"
                    "    for_each: {in: ids, as: id}\n"
                    "    request:\n"
                    "      url: /x/{{random_int 1}}\n"
                    "      json: {a: \"x{{uuid}}{{nope}}\", b: [\"{{id}}\"]}\n"
                    "    expect:\n"
                    "      json:\n"
                    "        $.a[: 1\n"
                    "        $.b: {matches: \"(\", type: text}\n"
                    "    capture:\n"
                    "      ids: {json: $.ids}\n"
                    "      uuid: {header: x}\n"
                    "  - name: b\n"
                    "    request: {url: \"/{{id}}\"}\n";
    write_file("tmp_tmpl.yaml", y, strlen(y));
    load_err("tmp_tmpl.yaml", NULL,
             "tmp_tmpl.yaml:4:20: error: 'ids' is captured by this step, from its own response\n"
             "tmp_tmpl.yaml:6:17: error: random_int takes 2 arguments\n"
             "tmp_tmpl.yaml:7:29: error: undefined variable 'nope'\n"
             "tmp_tmpl.yaml:10:13: error: expected a name, index or '*' after '['\n"
             "tmp_tmpl.yaml:11:24: error: invalid regex '(': Unmatched ( or \\(\n"
             "tmp_tmpl.yaml:11:35: error: 'type' must be one of string, number, integer, "
             "boolean, object, array, null\n"
             "tmp_tmpl.yaml:14:7: error: 'uuid' is a built-in name and cannot be a capture\n"
             "tmp_tmpl.yaml:16:24: error: 'id' is only defined inside step 'a' (its for_each "
             "variable)\n");
    unlink("tmp_tmpl.yaml");
}

static void test_config_types_and_structure(void **state)
{
    const char *y = "scenario: t\n"
                    "vars: [a]\n"
                    "steps:\n"
                    "  - name: a\n"
                    "    request: {url: /a, json: {}, body: x, follow: maybe}\n"
                    "    expect: {status: 200, latency: 1s, headers: {x: {exists: 1}}}\n"
                    "    until: {every: 0s}\n"
                    "    capture: {c: {json: $.a, header: x}}\n"
                    "    think: 2s..1s\n"
                    "    tags: {t: [1]}\n"
                    "  - name: b\n"
                    "  - request: {url: /c, method: \"GE T\"}\n"
                    "  - 5\n";
    write_file("tmp_types.yaml", y, strlen(y));
    load_err("tmp_types.yaml", NULL,
             "tmp_types.yaml:2:7: error: 'vars' must be a mapping, not a list\n"
             "tmp_types.yaml:5:34: error: 'json' and 'body' cannot both be given: one of json, "
             "body, form\n"
             "tmp_types.yaml:5:51: error: 'follow' must be true or false\n"
             "tmp_types.yaml:6:62: error: 'exists' must be true or false\n"
             "tmp_types.yaml:7:12: error: 'until' needs at least one condition (status, "
             "headers, json, body, latency)\n"
             "tmp_types.yaml:7:20: error: 'every' must be greater than 0\n"
             "tmp_types.yaml:8:18: error: capture 'c' needs exactly one of json, header, regex, "
             "cookie\n"
             "tmp_types.yaml:9:12: error: 'think' range goes down: 2s is more than 1s\n"
             "tmp_types.yaml:10:15: error: 't' must be a string, not a list\n"
             "tmp_types.yaml:11:5: error: step 'b' needs a 'request'\n"
             "tmp_types.yaml:12:5: error: a step needs a 'name'\n"
             "tmp_types.yaml:12:32: error: 'method' must be an HTTP method such as GET or POST\n"
             "tmp_types.yaml:13:5: error: a step must be a mapping with 'name' and 'request'\n");
    unlink("tmp_types.yaml");
}

static void test_config_yaml_syntax_error_position(void **state)
{
    const char *y = "scenario: t\nsteps:\n  - name: a\n   request: {url: /}\n";
    write_file("tmp_syntax.yaml", y, strlen(y));
    load_err("tmp_syntax.yaml", NULL,
             "tmp_syntax.yaml:4:4: error: invalid YAML: did not find expected '-' indicator "
             "(while parsing a block collection at 3:3)\n");
    const char *dup = "scenario: t\nscenario: u\nsteps: []\n";
    write_file("tmp_syntax.yaml", dup, strlen(dup));
    load_err("tmp_syntax.yaml", NULL,
             "tmp_syntax.yaml:2:1: error: duplicate key 'scenario' (first at 1:1)\n"
             "tmp_syntax.yaml:3:8: error: 'steps' must list at least one step\n");
    write_file("tmp_syntax.yaml", "", 0);
    load_err("tmp_syntax.yaml", NULL,
             "tmp_syntax.yaml:1:1: error: empty file: expected 'scenario:' or 'suite:'\n");
    write_file("tmp_syntax.yaml", "a: 1\n---\nb: 2\n", 14);
    load_err("tmp_syntax.yaml", NULL,
             "tmp_syntax.yaml:2:1: error: only one YAML document per file is supported\n");
    write_file("tmp_syntax.yaml", "scenario: \xff\n", 12);
    load_err("tmp_syntax.yaml", NULL,
             "tmp_syntax.yaml:1:11: error: invalid YAML: invalid leading UTF-8 octet\n");
    unlink("tmp_syntax.yaml");
}

static void test_config_missing_file(void **state)
{
    load_err("no-such-file.yaml", NULL,
             "no-such-file.yaml: error: cannot read: No such file or directory\n");
}

/* ---- hostile input ---- */

static void test_config_alias_refused(void **state)
{
    load_err("fx/alias.yaml", NULL,
             "fx/alias.yaml:3:9: error: anchors and aliases are not supported\n");
    write_file("tmp_alias.yaml", "scenario: *x\n", 13);
    load_err("tmp_alias.yaml", NULL, "tmp_alias.yaml:1:11: error: aliases are not supported\n");
    unlink("tmp_alias.yaml");
}

static void test_config_billion_laughs_refused(void **state)
{
    load_err("fx/laughs.yaml", NULL,
             "fx/laughs.yaml:3:6: error: anchors and aliases are not supported\n");
}

static void test_config_deep_nesting_refused_quickly(void **state)
{
    /* 1,000,000 open brackets: refused at the 64th level without reading on. */
    size_t n = 1000000;
    char *y = lg_malloc(n + 16);
    memcpy(y, "scenario: ", 10);
    memset(y + 10, '[', n);
    write_file("tmp_deep.yaml", y, n + 10);
    load_err("tmp_deep.yaml", NULL,
             "tmp_deep.yaml:1:74: error: nesting deeper than 64 levels is not supported\n");
    unlink("tmp_deep.yaml");
    free(y);
}

static void test_config_node_and_size_budgets(void **state)
{
    /* 200,000 scalars in one list: over the node budget. */
    size_t n = 200000;
    struct lg_buf b = {0};
    lg_buf_puts(&b, "scenario: t\nvars:\n  big: [");
    for (size_t i = 0; i < n; i++)
        lg_buf_puts(&b, "1,");
    lg_buf_puts(&b, "1]\n");
    write_file("tmp_nodes.yaml", b.data, b.len);
    load_err("tmp_nodes.yaml", NULL,
             "tmp_nodes.yaml:3:199995: error: too many YAML nodes (more than 100000)\n");
    lg_buf_free(&b);
    unlink("tmp_nodes.yaml");

    /* Over 16 MiB: refused before parsing. */
    size_t big = (16u << 20) + 1;
    char *y = lg_malloc(big);
    memset(y, '#', big);
    write_file("tmp_big.yaml", y, big);
    load_err("tmp_big.yaml", NULL, "tmp_big.yaml: error: file is larger than 16 MiB\n");
    unlink("tmp_big.yaml");
    free(y);
}

/* Tests run in a fresh directory: files they write go there, fixtures are in fx/. */
static char tmpdir[] = "/tmp/lg-test-config-XXXXXX";

static void test_config_regex_bomb_refused(void **state)
{
    /* glibc unrolls nested bounds: this would take hundreds of megabytes. */
    const char *y = "scenario: r\n"
                    "steps:\n"
                    "  - name: a\n"
                    "    request: {url: /}\n"
                    "    expect: {body: {matches: \"((a{100}){100}){100}\"}}\n"
                    "    capture: {id: {regex: \"id=([0-9a-f]{8}-[0-9a-f]{4})\"}}\n";
    write_file("tmp_re.yaml", y, strlen(y));
    load_err("tmp_re.yaml", NULL,
             "tmp_re.yaml:5:30: error: regex is too large (at most 4096 characters and 20000 "
             "atoms once its repetitions are expanded)\n");
    unlink("tmp_re.yaml");
}

/* ---- CSV feeds (data) ---- */

static void test_config_data_feeds_suite_and_scenario(void **state)
{
    struct lg_suite *s = load_ok("fx/data/suite.yaml", NULL);
    assert_int_equal(s->n_feeds, 3);
    const char *names[] = {"users", "codes", "codes"};
    const enum lg_feed_mode modes[] = {LG_FEED_UNIQUE, LG_FEED_SEQUENTIAL, LG_FEED_RANDOM};
    const size_t rows[] = {2, 2, 1};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(s->feeds[i]->name, names[i]);
        assert_int_equal(s->feeds[i]->mode, modes[i]);
        assert_int_equal(s->feeds[i]->index, i);
        assert_int_equal(s->feeds[i]->n_rows, rows[i]);
    }
    /* CSV files are relative to the YAML file that names them. */
    assert_string_equal(lg_feed_row(s->feeds[2], 0)[0], "P1");
    assert_string_equal(lg_feed_row(s->feeds[1], 1)[0], "B2");

    /* login's own `codes` hides the suite's; it reads promo codes and users. */
    const struct lg_scenario *login = &s->scenarios[0], *other = &s->scenarios[1];
    assert_int_equal(login->n_feeds_visible, 2);
    assert_ptr_equal(login->feeds_visible[0], s->feeds[0]);
    assert_ptr_equal(login->feeds_visible[1], s->feeds[2]);
    assert_int_equal(login->n_feeds, 2);
    assert_ptr_equal(login->feeds[0], s->feeds[2]);
    assert_ptr_equal(login->feeds[1], s->feeds[0]);
    assert_int_equal(other->n_feeds, 1);
    assert_ptr_equal(other->feeds[0], s->feeds[1]);

    /* Rendered from the rows a VU takes at the start of an iteration. */
    struct render_env e;
    struct lg_feed_rows data = {0};
    struct lg_rng rng;
    lg_rng_seed(&rng, 1);
    env_init(&e, login);
    e.ctx.data = &data;
    assert_int_equal(lg_feeds_next(login->feeds, login->n_feeds, &data, &rng), 0);
    assert_render(login->steps[0].req.url, &e, "/login?code=P1");
    assert_render(login->steps[0].req.body, &e,
                  "{\"email\":\"ann@example.com\",\"password\":\"pa\\\"ss\"}");
    assert_int_equal(lg_feeds_next(login->feeds, login->n_feeds, &data, &rng), 0);
    assert_render(login->steps[0].req.body, &e,
                  "{\"email\":\"bob, jr@example.com\",\"password\":\"pw2\"}");
    /* users is unique: two rows, then the VU cannot start another iteration. */
    assert_int_equal(lg_feeds_next(login->feeds, login->n_feeds, &data, &rng), LG_FEED_EXHAUSTED);
    env_free(&e);

    env_init(&e, other);
    e.ctx.data = &data;
    assert_int_equal(lg_feeds_next(other->feeds, other->n_feeds, &data, &rng), 0);
    assert_render(other->steps[0].req.headers[0].value, &e, "A1");
    assert_int_equal(lg_feeds_next(other->feeds, other->n_feeds, &data, &rng), 0);
    assert_render(other->steps[0].req.headers[0].value, &e, "B2");
    env_free(&e);
    lg_feed_rows_free(&data);
    lg_suite_free(s);

    /* Alone, login.yaml does not see the suite's users. */
    load_err("fx/data/login.yaml", NULL,
             "fx/data/login.yaml:9:24: error: no feed 'users' (feeds: codes)\n"
             "fx/data/login.yaml:9:58: error: no feed 'users' (feeds: codes)\n");
}

static void test_config_data_mistakes(void **state)
{
    static const char users[] = "email,password\nann@x.io,pw\n";
    static const char broken[] = "id,name\n1,ann\n2,\"bo\"b\n";
    static const char yaml[] =
        "scenario: bad\n"
        "data:\n"
        "  users: {file: users.csv}\n"
        "  promo: {file: users.csv, mode: once}\n"
        "  nofile: {mode: random}\n"
        "  missing: {file: missing.csv}\n"
        "  broken: broken.csv\n"
        "  bad.name: users.csv\n"
        "  extra: {file: users.csv, sort: true}\n"
        "  listed: [users.csv]\n"
        "steps:\n"
        "  - {name: a, request: {url: \"/u/{{data.users.mail}}\"}}\n"
        "  - {name: b, request: {url: \"/u/{{data.usrs.email}}\"}}\n"
        "  - {name: c, request: {url: \"/{{data.missing.x}}/{{data.broken.y}}\"}}\n";
    write_file("users.csv", users, sizeof(users) - 1);
    write_file("broken.csv", broken, sizeof(broken) - 1);
    write_file("bad.yaml", yaml, sizeof(yaml) - 1);
    load_err("bad.yaml", NULL,
             "bad.yaml:4:34: error: 'mode' must be sequential, random or unique, not 'once'\n"
             "bad.yaml:5:11: error: feed 'nofile' needs a 'file'\n"
             "bad.yaml:6:19: error: feed 'missing': cannot read 'missing.csv': No such file or "
             "directory\n"
             "bad.yaml:8:3: error: invalid feed name 'bad.name': a letter or _, then letters, "
             "digits, _ or -\n"
             "bad.yaml:9:28: error: unknown key 'sort' in feed\n"
             "bad.yaml:10:11: error: feed 'listed' must be a CSV file name or {file, mode}\n"
             "bad.yaml:12:36: error: no field 'mail' in feed 'users' (fields: email, password)\n"
             "bad.yaml:13:36: error: no feed 'usrs' (feeds: users, missing, broken, extra)\n"
             "broken.csv:3:7: error: unexpected 'b' after a closing quote\n");
}

/* The suite's `regression:` block and a step's own: each key read as written, absent
 * keys marked absent, a step's `metrics: []` read as "not judged". */
static void test_config_regression_suite_and_steps(void **state)
{
    const char *suite = "suite: s\n"
                        "scenarios: [tmp_reg_sc.yaml]\n"
                        "regression:\n"
                        "  budget: 12.5%\n"
                        "  metrics: [p99, error_rate, p50, checks]\n"
                        "  confidence: 95%\n";
    const char *sc = "scenario: cmp\n"
                     "steps:\n"
                     "  - name: health\n"
                     "    request: {method: GET, url: /health}\n"
                     "  - name: board\n"
                     "    request: {method: GET, url: /board}\n"
                     "    regression: {budget: 50%}\n"
                     "  - name: noisy\n"
                     "    request: {method: GET, url: /noisy}\n"
                     "    regression: {metrics: []}\n"
                     "  - name: tail\n"
                     "    request: {method: GET, url: /tail}\n"
                     "    regression: {budget: 0%, metrics: [p99]}\n";
    write_file("tmp_reg.yaml", suite, strlen(suite));
    write_file("tmp_reg_sc.yaml", sc, strlen(sc));
    struct lg_suite *s = load_ok("tmp_reg.yaml", NULL);
    const struct lg_regression *r = &s->regression;
    assert_true(r->has && r->has_budget && r->has_metrics && r->has_confidence);
    assert_true(r->budget == 0.125);
    assert_int_equal(r->metrics, 1u << LG_CMP_P50 | 1u << LG_CMP_P99 | 1u << LG_CMP_ERROR_RATE |
                                     1u << LG_CMP_CHECKS);
    assert_true(r->confidence == 0.95);
    assert_int_equal(s->n_steps, 4);
    assert_false(s->steps[0]->regression.has);
    const struct lg_regression *board = &s->steps[1]->regression, *noisy = &s->steps[2]->regression,
                               *tail = &s->steps[3]->regression;
    assert_true(board->has && board->has_budget && !board->has_metrics && !board->has_confidence);
    assert_true(board->budget == 0.5);
    assert_true(noisy->has && !noisy->has_budget && noisy->has_metrics);
    assert_int_equal(noisy->metrics, 0);
    assert_true(tail->has && tail->has_budget && tail->has_metrics);
    assert_true(tail->budget == 0.0);
    assert_int_equal(tail->metrics, 1u << LG_CMP_P99);
    lg_suite_free(s);

    /* No block: nothing set. */
    write_file("tmp_reg.yaml", suite, strlen("suite: s\nscenarios: [tmp_reg_sc.yaml]\n"));
    s = load_ok("tmp_reg.yaml", NULL);
    assert_false(s->regression.has || s->regression.has_budget || s->regression.has_metrics ||
                 s->regression.has_confidence);
    lg_suite_free(s);
    unlink("tmp_reg.yaml");
    unlink("tmp_reg_sc.yaml");
}

/* Every bad value of either block is reported where it is written, all of them at
 * once, and the suite does not load. */
static void test_config_regression_mistakes_exact_positions(void **state)
{
    const char *suite = "suite: s\n"
                        "scenarios: [tmp_regbad_sc.yaml]\n"
                        "regression:\n"
                        "  budget: -5%\n"
                        "  metrics: [p95, max, p95, rps, p97, 12]\n"
                        "  confidence: 100%\n"
                        "  confidense: 99%\n";
    const char *sc = "scenario: cmp\n"
                     "steps:\n"
                     "  - name: health\n"
                     "    request: {method: GET, url: /health}\n"
                     "    regression: {budget: 10, metrics: p95, confidence: 99%}\n"
                     "  - name: board\n"
                     "    request: {method: GET, url: /board}\n"
                     "    regression: [budget]\n"
                     "  - name: c\n"
                     "    request: {method: GET, url: /c}\n"
                     "    regression: {metrics: [], budgte: 5%}\n"
                     "  - name: d\n"
                     "    request: {method: GET, url: /d}\n"
                     "    regression: {budget: 20000%, metrics: [{p: 1}, max]}\n";
    write_file("tmp_regbad.yaml", suite, strlen(suite));
    write_file("tmp_regbad_sc.yaml", sc, strlen(sc));
    load_err("tmp_regbad.yaml", NULL,
             "tmp_regbad.yaml:4:11: error: 'budget' must be a percentage from 0% (e.g. 10%), got "
             "'-5%'\n"
             "tmp_regbad.yaml:5:18: error: max cannot be judged: a single sample has no "
             "confidence bounds (judge p99 instead)\n"
             "tmp_regbad.yaml:5:23: error: metric 'p95' is listed twice\n"
             "tmp_regbad.yaml:5:28: error: rps cannot be judged: a run has one figure, no "
             "samples to test (it follows latency in the closed model and the load shape in "
             "the open one)\n"
             "tmp_regbad.yaml:5:33: error: unknown metric 'p97' (p50, p90, p95, p99, "
             "error_rate, checks)\n"
             "tmp_regbad.yaml:5:38: error: unknown metric '12' (p50, p90, p95, p99, error_rate, "
             "checks)\n"
             "tmp_regbad.yaml:6:15: error: 'confidence' must be a percentage above 0% and below "
             "100% (e.g. 99%), got '100%'\n"
             "tmp_regbad.yaml:7:3: error: unknown key 'confidense' in regression (did you mean "
             "'confidence'?)\n"
             "tmp_regbad_sc.yaml:5:26: error: 'budget' must be a percentage from 0% (e.g. 10%), "
             "got '10'\n"
             "tmp_regbad_sc.yaml:5:39: error: 'metrics' must be a list, not a scalar\n"
             "tmp_regbad_sc.yaml:5:44: error: 'confidence' is the suite's (one comparison has "
             "one): set it in the suite's 'regression'\n"
             "tmp_regbad_sc.yaml:8:17: error: 'regression' must be a mapping, not a list\n"
             "tmp_regbad_sc.yaml:11:31: error: unknown key 'budgte' in a step's regression (did "
             "you mean 'budget'?)\n"
             "tmp_regbad_sc.yaml:14:26: error: 'budget' must be a percentage from 0% (e.g. "
             "10%), got '20000%'\n"
             "tmp_regbad_sc.yaml:14:44: error: a metric must be a name such as p95\n"
             "tmp_regbad_sc.yaml:14:52: error: max cannot be judged: a single sample has no "
             "confidence bounds (judge p99 instead)\n");

    /* An empty list at the top, a confidence of 0%, a block that is no mapping. */
    const char *empty = "suite: s\n"
                        "vars: {category: x}\n"
                        "scenarios: [fx/suite/board.yaml]\n"
                        "regression:\n"
                        "  metrics: []\n"
                        "  confidence: 0%\n";
    write_file("tmp_regbad.yaml", empty, strlen(empty));
    load_err("tmp_regbad.yaml", NULL,
             "tmp_regbad.yaml:5:12: error: 'metrics' must list at least one metric (a step's "
             "'metrics: []' leaves that step unjudged)\n"
             "tmp_regbad.yaml:6:15: error: 'confidence' must be a percentage above 0% and below "
             "100% (e.g. 99%), got '0%'\n");
    const char *scalar = "suite: s\n"
                         "vars: {category: x}\n"
                         "scenarios: [fx/suite/board.yaml]\n"
                         "regression: 10%\n";
    write_file("tmp_regbad.yaml", scalar, strlen(scalar));
    load_err("tmp_regbad.yaml", NULL,
             "tmp_regbad.yaml:4:13: error: 'regression' must be a mapping, not a scalar\n");
    unlink("tmp_regbad.yaml");
    unlink("tmp_regbad_sc.yaml");
}

static int setup(void **state)
{
    if (!mkdtemp(tmpdir) || chdir(tmpdir) || symlink(LG_TEST_DATA "/config", "fx"))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d)))
        unlink(e->d_name); /* fx is a symlink: the fixtures stay */
    if (d)
        closedir(d);
    return rmdir(tmpdir);
}

/* Plain scalars resolve as YAML 1.2's core schema: 0x and 0o integers, and past
 * 64 bits a number rather than a wrapped integer. */
static enum yscalar resolve(const char *text, long long *i, double *d)
{
    struct ynode n = {.type = YN_SCALAR, .s = (char *)text, .len = strlen(text)};
    *i = 0;
    *d = 0;
    bool b;
    return lg_cfg_resolve(&n, i, d, &b);
}

static void test_config_scalar_integers_in_every_base(void **state)
{
    long long i;
    double d;
    assert_int_equal(resolve("0x1F", &i, &d), YS_INT);
    assert_int_equal(i, 31);
    assert_int_equal(resolve("0o17", &i, &d), YS_INT);
    assert_int_equal(i, 15);
    assert_int_equal(resolve("-42", &i, &d), YS_INT);
    assert_int_equal(i, -42);
    assert_int_equal(resolve("0x8000000000000000", &i, &d), YS_FLOAT);
    assert_true(d == 9223372036854775808.0);
    assert_int_equal(resolve("0o19", &i, &d), YS_STRING);
    assert_int_equal(resolve("0xZ", &i, &d), YS_STRING);
    assert_int_equal(resolve("1.5e3", &i, &d), YS_FLOAT);
    assert_true(d == 1500.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_full_scenario_model),
        cmocka_unit_test(test_config_data_feeds_suite_and_scenario),
        cmocka_unit_test(test_config_data_mistakes),
        cmocka_unit_test(test_config_regression_suite_and_steps),
        cmocka_unit_test(test_config_regression_mistakes_exact_positions),
        cmocka_unit_test(test_config_json_body_renders_exactly),
        cmocka_unit_test(test_config_suite_environments_profiles_thresholds),
        cmocka_unit_test(test_config_env_var_unset_only_matters_for_the_run),
        cmocka_unit_test(test_config_bad_thresholds_exact_columns),
        cmocka_unit_test(test_config_warning_threshold_cannot_abort),
        cmocka_unit_test(test_config_suite_mistakes_and_missing_scenario),
        cmocka_unit_test(test_config_environment_protected_and_limits),
        cmocka_unit_test(test_config_environment_protected_and_limits_mistakes),
        cmocka_unit_test(test_config_profile_vus_share_the_flags_cap),
        cmocka_unit_test(test_config_environment_http_and_multiplex),
        cmocka_unit_test(test_config_environment_http_mistakes),
        cmocka_unit_test(test_config_environment_compression),
        cmocka_unit_test(test_config_big_numbers_are_kept_exactly),
        cmocka_unit_test(test_config_tls_expectation),
        cmocka_unit_test(test_config_tls_expectation_mistakes),
        cmocka_unit_test(test_config_profile_closed_counts),
        cmocka_unit_test(test_config_profile_constant_rate),
        cmocka_unit_test(test_config_profile_rate_stages_with_start),
        cmocka_unit_test(test_config_profile_vu_stages),
        cmocka_unit_test(test_config_profile_design_example),
        cmocka_unit_test(test_config_profile_mistakes_exact_positions),
        cmocka_unit_test(test_config_profile_rate_syntax),
        cmocka_unit_test(test_config_scenario_errors_carry_their_own_file),
        cmocka_unit_test(test_config_environment_vars_follow_the_mode),
        cmocka_unit_test(test_config_for_each_over_a_var_and_own_capture),
        cmocka_unit_test(test_config_all_mistakes_of_a_file),
        cmocka_unit_test(test_config_undefined_variable),
        cmocka_unit_test(test_config_capture_used_before_it_is_captured),
        cmocka_unit_test(test_config_unknown_key_suggests),
        cmocka_unit_test(test_config_bad_duration),
        cmocka_unit_test(test_config_template_and_path_errors_point_inside_values),
        cmocka_unit_test(test_config_types_and_structure),
        cmocka_unit_test(test_config_yaml_syntax_error_position),
        cmocka_unit_test(test_config_missing_file),
        cmocka_unit_test(test_config_alias_refused),
        cmocka_unit_test(test_config_billion_laughs_refused),
        cmocka_unit_test(test_config_deep_nesting_refused_quickly),
        cmocka_unit_test(test_config_node_and_size_budgets),
        cmocka_unit_test(test_config_regex_bomb_refused),
        cmocka_unit_test(test_config_scalar_integers_in_every_base),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
