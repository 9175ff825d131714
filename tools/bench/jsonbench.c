/* loadgate-jsonbench: the cost of a step's JSON checks on given bodies, for
 * instruction counts under callgrind (tools/bench/jsoncost). Each round parses each
 * body as the VU does (lg_response_parse_json) and, unless --parse-only, evaluates
 * the checks and captures of the scenario's step STEP (its name) on it.
 *
 * With --arena, the tree goes into the thread's arena (lg_jarena), as in a run.
 *
 *   loadgate-jsonbench [--arena] [--parse-only] ROUNDS SCENARIO STEP=BODY...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "jarena.h"
#include "util.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    struct lg_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        lg_buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return b.data ? b.data : lg_strdup("");
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--arena")) {
        lg_jarena_install();
        argv++;
        argc--;
    }
    bool parse_only = argc > 1 && !strcmp(argv[1], "--parse-only");
    argv += parse_only;
    argc -= parse_only;
    if (argc < 4) {
        fprintf(
            stderr,
            "usage: loadgate-jsonbench [--arena] [--parse-only] ROUNDS SCENARIO STEP=BODY...\n");
        return 2;
    }
    long rounds = strtol(argv[1], NULL, 10);
    struct lg_load_opts opts = {0};
    struct lg_suite *suite = NULL;
    struct lg_diags diags = {0};
    if (lg_config_load(argv[2], &opts, &suite, &diags) != 0) {
        lg_diags_print(&diags, stderr);
        return 2;
    }
    struct lg_scenario *sc = &suite->scenarios[0];
    size_t nb = (size_t)argc - 3;
    char **body = lg_calloc(nb, sizeof(*body));
    size_t *len = lg_calloc(nb, sizeof(*len));
    const struct lg_step **step = lg_calloc(nb, sizeof(*step));
    for (size_t i = 0; i < nb; i++) {
        const char *arg = argv[3 + i], *eq = strchr(arg, '=');
        for (size_t s = 0; eq && s < sc->n_steps; s++)
            if (strlen(sc->steps[s].name) == (size_t)(eq - arg) &&
                !memcmp(sc->steps[s].name, arg, (size_t)(eq - arg)))
                step[i] = &sc->steps[s];
        if (!step[i]) {
            fprintf(stderr, "loadgate-jsonbench: %s: no such STEP=BODY\n", arg);
            return 2;
        }
        body[i] = slurp(eq + 1, &len[i]);
    }

    struct lg_buf scratch = {0};
    struct lg_tmpl_ctx ctx = {
        .slots = sc->init, .n_slots = sc->scope.n, .scope = &sc->scope, .scratch = &scratch};
    unsigned long passed = 0, failed = 0, invalid = 0;
    for (long k = 0; k < rounds; k++) {
        for (size_t i = 0; i < nb; i++) {
            const struct lg_step *st = step[i];
            struct lg_response r = {.status = 200, .body = body[i], .body_len = len[i]};
            json_error_t err;
            lg_response_parse_json(&r, &err);
            invalid += r.json_invalid;
            for (size_t c = 0; !parse_only && c < st->n_checks; c++) {
                char why[256];
                if (st->checks[c].kind == LG_CHECK_UNTIL)
                    continue;
                if (lg_check_eval(&st->checks[c], &r, &ctx, why, sizeof(why)))
                    passed++;
                else
                    failed++;
            }
            for (size_t c = 0; !parse_only && c < st->n_captures; c++) {
                char why[256];
                json_t *v = NULL;
                if (!lg_capture_eval(&st->captures[c], &r, &v, why, sizeof(why)))
                    json_decref(lg_response_keep(v));
            }
            lg_response_release_json(&r);
        }
    }
    printf("rounds %ld bodies %zu checks passed %lu failed %lu invalid bodies %lu\n", rounds, nb,
           passed, failed, invalid);
    for (size_t i = 0; i < nb; i++)
        free(body[i]);
    free(body);
    free(len);
    free(step);
    lg_buf_free(&scratch);
    lg_suite_free(suite);
    return 0;
}
