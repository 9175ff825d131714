/* Unit tests for request: the request lines a step renders before libcurl sees them.
 * The header list is pinned line by line, as libcurl walks it, and across renders
 * into the same list, which must reuse its storage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "tmpl.h"
#include "request.h"

enum { S_TOKEN, S_ID, N_SLOTS };

struct fx {
    struct lg_scope scope;
    json_t *slots[N_SLOTS];
    struct lg_tmpl_ctx ctx;
    struct lg_header_tmpl env_headers[2];
    struct lg_header_tmpl step_headers[2];
    struct lg_environment env;
    struct lg_step step;
    struct lg_header_list list;
};

static struct lg_tmpl *compile(struct fx *f, const char *src)
{
    struct lg_tmpl *t = NULL;
    assert_int_equal(lg_tmpl_compile(src, LG_TMPL_RAW, &f->scope, &t, NULL), 0);
    return t;
}

static struct lg_header_tmpl header(char *name, struct lg_tmpl *value)
{
    return (struct lg_header_tmpl){.name = name, .value = value};
}

static int setup(void **state)
{
    struct fx *f = lg_calloc(1, sizeof(*f));
    assert_int_equal(lg_scope_add(&f->scope, "token"), S_TOKEN);
    assert_int_equal(lg_scope_add(&f->scope, "id"), S_ID);
    f->slots[S_TOKEN] = json_string("t-1");
    f->slots[S_ID] = json_integer(7);
    f->ctx = (struct lg_tmpl_ctx){.slots = f->slots, .n_slots = N_SLOTS, .scope = &f->scope};

    f->env_headers[0] = header("X-Env", compile(f, "staging"));
    f->env_headers[1] = header("Authorization", compile(f, "Basic ZW52"));
    f->env.headers = f->env_headers;
    f->env.n_headers = 2;

    f->step_headers[0] = header("authorization", compile(f, "Bearer {{token}}"));
    f->step_headers[1] = header("X-Id", compile(f, "item-{{id}}"));
    f->step.req.headers = f->step_headers;
    f->step.req.n_headers = 2;
    f->step.req.url = compile(f, "/items/{{id}}");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 2; i++) {
        lg_tmpl_free(f->env_headers[i].value);
        lg_tmpl_free(f->step_headers[i].value);
    }
    lg_tmpl_free(f->step.req.url);
    for (int i = 0; i < N_SLOTS; i++)
        json_decref(f->slots[i]);
    lg_scope_free(&f->scope);
    lg_header_list_free(&f->list);
    free(f);
    return 0;
}

/* Asserts that list holds exactly the n lines, in order, as libcurl reads them. */
static void assert_lines(struct lg_header_list *list, const char *const *lines, size_t n)
{
    const struct curl_slist *node = lg_header_list_head(list);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(node);
        assert_string_equal(node->data, lines[i]);
        node = node->next;
    }
    assert_null(node);
}

static void test_request_headers_env_then_step_and_step_wins(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     0);
    const char *want[] = {"X-Env: staging", "authorization: Bearer t-1", "X-Id: item-7",
                          "User-Agent: " LG_USER_AGENT, "Expect:"};
    assert_lines(&f->list, want, 5);
}

static void test_request_headers_content_type_for_json_and_form_bodies(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    f->step.req.n_headers = 0;
    f->step.req.body_kind = LG_BODY_JSON;
    assert_int_equal(lg_request_render_headers(&f->step, NULL, NULL, &f->ctx, &f->list, &unset), 0);
    const char *json[] = {"User-Agent: " LG_USER_AGENT, "Content-Type: application/json",
                          "Expect:"};
    assert_lines(&f->list, json, 3);

    f->step.req.body_kind = LG_BODY_FORM;
    assert_int_equal(lg_request_render_headers(&f->step, NULL, NULL, &f->ctx, &f->list, &unset), 0);
    const char *form[] = {"User-Agent: " LG_USER_AGENT,
                          "Content-Type: application/x-www-form-urlencoded", "Expect:"};
    assert_lines(&f->list, form, 3);

    /* A content type the step sets itself is not doubled. */
    struct lg_header_tmpl own = header("content-type", compile(f, "text/plain"));
    f->step.req.headers = &own;
    f->step.req.n_headers = 1;
    assert_int_equal(lg_request_render_headers(&f->step, NULL, NULL, &f->ctx, &f->list, &unset), 0);
    const char *mine[] = {"content-type: text/plain", "User-Agent: " LG_USER_AGENT, "Expect:"};
    assert_lines(&f->list, mine, 3);
    lg_tmpl_free(own.value);
}

static void test_request_headers_user_agent_unless_env_or_step_sets_one(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    /* The step's own, in any case: no second User-Agent line. */
    struct lg_header_tmpl mine = header("user-agent", compile(f, "probe/1"));
    f->step.req.headers = &mine;
    f->step.req.n_headers = 1;
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     0);
    const char *step_ua[] = {"X-Env: staging", "Authorization: Basic ZW52", "user-agent: probe/1",
                             "Expect:"};
    assert_lines(&f->list, step_ua, 4);

    /* The environment's, when the step has none. */
    struct lg_header_tmpl env_ua = header("User-Agent", compile(f, "staging-smoke"));
    f->env.headers = &env_ua;
    f->env.n_headers = 1;
    f->step.req.n_headers = 0;
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     0);
    const char *env_only[] = {"User-Agent: staging-smoke", "Expect:"};
    assert_lines(&f->list, env_only, 2);
    lg_tmpl_free(mine.value);
    lg_tmpl_free(env_ua.value);
}

static void test_request_headers_rerender_reuses_storage(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     0);
    const struct curl_slist *nodes = f->list.nodes;
    const char *text = f->list.text.data;

    /* The next request's values: same lengths, so nothing grows or moves. */
    json_decref(f->slots[S_TOKEN]);
    f->slots[S_TOKEN] = json_string("t-2");
    json_decref(f->slots[S_ID]);
    f->slots[S_ID] = json_integer(8);
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     0);
    const char *want[] = {"X-Env: staging", "authorization: Bearer t-2", "X-Id: item-8",
                          "User-Agent: " LG_USER_AGENT, "Expect:"};
    assert_lines(&f->list, want, 5);
    assert_ptr_equal(f->list.nodes, nodes);
    assert_ptr_equal(f->list.text.data, text);

    /* Fewer lines: the list ends where the new render ends. */
    f->step.req.n_headers = 0;
    assert_int_equal(lg_request_render_headers(&f->step, NULL, NULL, &f->ctx, &f->list, &unset), 0);
    const char *only[] = {"User-Agent: " LG_USER_AGENT, "Expect:"};
    assert_lines(&f->list, only, 2);
}

static void test_request_headers_grow_past_first_capacity(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    /* 21 lines: more than the first allocation holds, and long enough to move the
     * text while it is written; every node must point into the final text. */
    struct lg_header_tmpl many[19];
    char names[19][16];
    for (int i = 0; i < 19; i++) {
        snprintf(names[i], sizeof(names[i]), "X-H%02d", i);
        many[i] = header(names[i], compile(f, "{{token}}-0123456789abcdef0123456789abcdef"));
    }
    f->step.req.headers = many;
    f->step.req.n_headers = 19;
    assert_int_equal(lg_request_render_headers(&f->step, NULL, NULL, &f->ctx, &f->list, &unset), 0);
    const struct curl_slist *node = lg_header_list_head(&f->list);
    for (int i = 0; i < 19; i++) {
        char want[80];
        snprintf(want, sizeof(want), "X-H%02d: t-1-0123456789abcdef0123456789abcdef", i);
        assert_non_null(node);
        assert_string_equal(node->data, want);
        node = node->next;
    }
    assert_non_null(node);
    assert_string_equal(node->data, "User-Agent: " LG_USER_AGENT);
    node = node->next;
    assert_non_null(node);
    assert_string_equal(node->data, "Expect:");
    assert_null(node->next);
    assert_int_equal(f->list.n, 21);
    for (int i = 0; i < 19; i++)
        lg_tmpl_free(many[i].value);
}

static void test_request_headers_unset_slot_leaves_no_list(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     0);
    json_decref(f->slots[S_TOKEN]);
    f->slots[S_TOKEN] = NULL;
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     LG_EUNSET);
    assert_int_equal(unset, S_TOKEN);
    assert_null(lg_header_list_head(&f->list));
}

static void test_request_url_joins_base_and_query(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    struct lg_buf out = {0};
    struct lg_query_tmpl q[2] = {{.name = "page", .value = compile(f, "2")},
                                 {.name = "by", .value = compile(f, "{{token}}")}};
    f->step.req.query = q;
    f->step.req.n_query = 2;
    assert_int_equal(
        lg_request_render_url(&f->step, "http://127.0.0.1:8080", &f->ctx, &out, &unset), 0);
    assert_string_equal(out.data, "http://127.0.0.1:8080/items/7?page=2&by=t-1");

    lg_tmpl_free(f->step.req.url);
    f->step.req.url = compile(f, "items?id={{id}}");
    assert_int_equal(
        lg_request_render_url(&f->step, "http://127.0.0.1:8080", &f->ctx, &out, &unset), 0);
    assert_string_equal(out.data, "http://127.0.0.1:8080/items?id=7&page=2&by=t-1");

    lg_tmpl_free(f->step.req.url);
    f->step.req.url = compile(f, "http://127.0.0.2/x");
    f->step.req.n_query = 0;
    assert_int_equal(
        lg_request_render_url(&f->step, "http://127.0.0.1:8080", &f->ctx, &out, &unset), 0);
    assert_string_equal(out.data, "http://127.0.0.2/x");
    for (int i = 0; i < 2; i++)
        lg_tmpl_free(q[i].value);
    lg_buf_free(&out);
}

static void test_request_headers_refuse_cr_lf_nul_in_a_rendered_value(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    static const char *const bad[] = {"t\r\nX-Injected: yes", "t\nX-Injected: yes", "t\r"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        json_decref(f->slots[S_TOKEN]);
        f->slots[S_TOKEN] = json_string(bad[i]);
        assert_int_equal(
            lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
            LG_EUNSAFE);
        assert_null(lg_header_list_head(&f->list));
    }
    json_decref(f->slots[S_TOKEN]);
    f->slots[S_TOKEN] = json_stringn("t\0evil", 6); /* would be cut short at the NUL */
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     LG_EUNSAFE);
    assert_null(lg_header_list_head(&f->list));
    json_decref(f->slots[S_TOKEN]);
    f->slots[S_TOKEN] = json_string("t-2\tok"); /* a tab is allowed in a field value */
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     0);
    assert_string_equal(lg_header_list_head(&f->list)->data, "X-Env: staging");
}

static void test_request_headers_flag_the_lines_kept_on_their_origin(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    f->env_headers[0].same_origin_only = false;  /* X-Env */
    f->step_headers[0].same_origin_only = true;  /* authorization */
    f->step_headers[1].same_origin_only = false; /* X-Id */
    assert_int_equal(lg_request_render_headers(&f->step, &f->env, NULL, &f->ctx, &f->list, &unset),
                     0);
    /* X-Env, authorization, X-Id, User-Agent, Expect */
    static const bool want[] = {false, true, false, false, false};
    assert_int_equal(f->list.n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(f->list.same_origin_only[i], want[i]);
}

static void test_request_url_refuses_what_cannot_be_requested(void **state)
{
    struct fx *f = *state;
    int unset = -1;
    struct lg_buf out = {0};
    static const char *const bad[] = {"file:///etc/hostname",
                                      "ftp://127.0.0.1/x",
                                      "gopher://127.0.0.1/",
                                      "https:example.com",
                                      "/a\r\nX-Injected: yes",
                                      "/a b",
                                      "/a\x7f"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        json_decref(f->slots[S_TOKEN]);
        f->slots[S_TOKEN] = json_string(bad[i]);
        lg_tmpl_free(f->step.req.url);
        f->step.req.url = compile(f, "{{token}}");
        assert_int_equal(
            lg_request_render_url(&f->step, "http://127.0.0.1:8080", &f->ctx, &out, &unset),
            LG_EUNSAFE);
    }
    json_decref(f->slots[S_TOKEN]);
    f->slots[S_TOKEN] = json_string("/items/1");
    assert_int_equal(lg_request_render_url(&f->step, NULL, &f->ctx, &out, &unset), LG_EUNSAFE);
    assert_int_equal(
        lg_request_render_url(&f->step, "http://127.0.0.1:8080", &f->ctx, &out, &unset), 0);
    assert_string_equal(out.data, "http://127.0.0.1:8080/items/1");
    json_decref(f->slots[S_TOKEN]);
    f->slots[S_TOKEN] = json_string("HTTPS://127.0.0.2/x");
    assert_int_equal(lg_request_render_url(&f->step, NULL, &f->ctx, &out, &unset), 0);
    assert_string_equal(out.data, "HTTPS://127.0.0.2/x");
    lg_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_request_headers_env_then_step_and_step_wins, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_request_headers_content_type_for_json_and_form_bodies,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_headers_user_agent_unless_env_or_step_sets_one,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_headers_rerender_reuses_storage, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_request_headers_grow_past_first_capacity, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_request_headers_unset_slot_leaves_no_list, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_request_url_joins_base_and_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_headers_refuse_cr_lf_nul_in_a_rendered_value,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_headers_flag_the_lines_kept_on_their_origin,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_url_refuses_what_cannot_be_requested, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
