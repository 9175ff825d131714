/* config: turns suite and scenario YAML files into the validated model. This file
 * holds the file-level structure: suites, scenarios and their variables,
 * environments, profiles and thresholds. The YAML reader is config_yaml.c, typed
 * values and messages config_value.c, templates config_tmpl.c, steps config_step.c,
 * expectations and captures config_check.c. */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "cafile.h"
#include "config_int.h"
#include "threshold.h"
#include "url.h"

/* ---- files ---- */

/* Folds a file's digest into the suite's (lg_suite.files_sha256). */
static void fold_file(struct lg_suite *s, const struct ydoc *doc)
{
    unsigned char in[64];
    memcpy(in, s->files_sha256, 32);
    memcpy(in + 32, doc->sha256, 32);
    EVP_Digest(in, sizeof(in), s->files_sha256, NULL, EVP_sha256(), NULL);
}

static const char *add_file(struct lg_suite *s, const char *path)
{
    s->files = lg_realloc(s->files, (s->n_files + 1) * sizeof *s->files);
    s->files[s->n_files] = lg_strdup(path);
    return s->files[s->n_files++];
}

/* A scenario file named by a suite, relative to the suite's directory. */
static char *join_path(const char *suite_path, const char *file)
{
    const char *slash = strrchr(suite_path, '/');
    if (file[0] == '/' || !slash)
        return lg_strdup(file);
    return lg_asprintf("%.*s%s", (int)(slash - suite_path + 1), suite_path, file);
}

static const struct ynode *map_get(const struct ynode *map, const char *key)
{
    for (size_t i = 0; map && map->type == YN_MAP && i + 1 < map->n; i += 2) {
        if (!strcmp(map->kids[i]->s, key))
            return map->kids[i + 1];
    }
    return NULL;
}

/* ---- variables ---- */

struct var {
    const char *name; /* borrowed from a YAML node or the options */
    json_t *value;
};

struct varlist {
    struct var *v;
    size_t n, cap;
};

static void varlist_free(struct varlist *vl)
{
    for (size_t i = 0; i < vl->n; i++)
        json_decref(vl->v[i].value);
    free(vl->v);
    memset(vl, 0, sizeof *vl);
}

/* Vars of a suite or scenario: scalars become strings, lists and mappings JSON. */
static void parse_vars(struct ld *l, const struct ynode *n, struct varlist *out)
{
    if (!lg_cfg_is_map(l, n, "vars"))
        return;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        if (!lg_cfg_check_name(l, k, "variable"))
            continue;
        json_t *j;
        if (v->type == YN_SCALAR) {
            if (strstr(v->s, "{{")) {
                lg_cfg_err(l, v, "var '%s' is not a template: values of vars are used as written",
                           k->s);
                continue;
            }
            bool null = lg_cfg_resolve(v, NULL, NULL, NULL) == YS_NULL;
            j = null ? lg_cfg_jstr("", 0) : lg_cfg_jstr(v->s, v->len);
        } else {
            j = lg_cfg_to_json(v);
        }
        LG_GROW(out->v, out->n + 1, out->cap);
        out->v[out->n++] = (struct var){.name = k->s, .value = j};
    }
}

/* Sets a var's initial value in the scenario's scope (later calls override). Past
 * LG_CFG_MAX_SLOTS names, reports once (*full) and drops the var. */
static void scope_set(struct ld *l, struct lg_scenario *sc, const char *name, json_t *value,
                      bool *full)
{
    size_t before = sc->scope.n;
    if (before >= LG_CFG_MAX_SLOTS && lg_scope_find(&sc->scope, name) < 0) {
        if (!*full)
            lg_cfg_err(l, NULL, "scenario '%s' has too many variables (the limit is %d)", sc->name,
                       LG_CFG_MAX_SLOTS);
        *full = true;
        json_decref(value);
        return;
    }
    int slot = lg_scope_add(&sc->scope, name);
    if (sc->scope.n != before) {
        sc->init = lg_realloc(sc->init, sc->scope.n * sizeof *sc->init);
        sc->init[slot] = NULL;
    }
    json_decref(sc->init[slot]);
    sc->init[slot] = value;
}

/* ---- environments ---- */

static const char *const env_keys[] = {"base_url", "headers",   "vars",      "ca_file",
                                       "insecure", "protected", "limits",    "compression",
                                       "max_body", "http",      "multiplex", NULL};

static bool positive_int(struct ld *l, const struct ynode *n, const char *what,
                         unsigned long long max, unsigned long long *out);

static const char *const limit_keys[] = {"max_rate", "max_vus", NULL};

/* `limits: {max_rate: 200/s, max_vus: 500}`: caps on what a run against this
 * environment may ask for, whatever the profile or the flags say. */
static void parse_limits(struct ld *l, const struct ynode *n, struct lg_environment *e)
{
    if (!lg_cfg_is_map(l, n, "limits"))
        return;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        unsigned long long u;
        double rate;
        if (!strcmp(k->s, "max_rate")) {
            if (!lg_cfg_rate(l, v, "max_rate", &rate))
                continue;
            if (rate <= 0)
                lg_cfg_err(l, v, "'max_rate' must be greater than 0");
            else
                e->max_rate_per_s = rate;
        } else if (!strcmp(k->s, "max_vus")) {
            if (positive_int(l, v, "max_vus", LG_MAX_VUS, &u))
                e->max_vus = (uint32_t)u;
        } else {
            lg_cfg_unknown_key(l, k, "limits", limit_keys);
        }
    }
}

static void parse_env(struct ld *l, const struct ynode *name, const struct ynode *n,
                      struct lg_environment *e)
{
    e->name = lg_strdup(name->s);
    e->loc = lg_cfg_loc(l, name);
    if (!lg_cfg_is_map(l, n, "environment"))
        return;
    const char *sel = l->opts->env;
    bool chosen = sel && !strcmp(sel, name->s);
    struct lg_scope empty = {0};
    struct lg_cfg_tctx tc = {
        .l = l, .scope = &empty, .step = -1, .fe_var = -1, .need_env = l->opts->for_run && chosen};
    const struct ynode *multiplex_node = NULL;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        const char *s, *url_why;
        if (!strcmp(k->s, "base_url")) {
            if (!lg_cfg_string(l, v, "base_url", &s))
                continue;
            if (strstr(s, "{{"))
                lg_cfg_err(l, v, "'base_url' cannot use templates");
            else if (lg_url_kind(s, strlen(s), NULL) != LG_URL_HTTP)
                lg_cfg_err(l, v, "'base_url' must start with http:// or https://");
            else if ((url_why = lg_url_base_problem(s)))
                lg_cfg_err(l, v, "'base_url' is not a usable URL: %s", url_why);
            else if (!e->base_url)
                e->base_url = lg_strdup(s);
        } else if (!strcmp(k->s, "headers")) {
            if (!e->headers)
                lg_cfg_headers(&tc, v, &e->headers, &e->n_headers);
        } else if (!strcmp(k->s, "vars")) {
            if (!lg_cfg_is_map(l, v, "vars") || e->vars)
                continue;
            e->vars = lg_calloc(v->n / 2 + 1, sizeof *e->vars);
            for (size_t j = 0; j + 1 < v->n; j += 2) {
                const struct ynode *vk = v->kids[j], *vv = v->kids[j + 1];
                if (!lg_cfg_check_name(l, vk, "variable") || !lg_cfg_string(l, vv, vk->s, &s))
                    continue;
                if (strstr(s, "{{")) {
                    lg_cfg_err(l, vv,
                               "var '%s' is not a template: values of vars are used as written",
                               vk->s);
                    continue;
                }
                e->vars[e->n_vars++] =
                    (struct lg_var){.name = lg_strdup(vk->s), .value = lg_strdup(s)};
            }
        } else if (!strcmp(k->s, "ca_file")) {
            if (!lg_cfg_string(l, v, "ca_file", &s) || e->ca_file)
                continue;
            e->ca_file = join_path(l->suite->file, s);
            char why[160];
            if (tc.need_env && lg_cafile_check(e->ca_file, why, sizeof(why)) != 0)
                lg_cfg_err(l, v, "cannot use ca_file '%s': %s", e->ca_file, why);
        } else if (!strcmp(k->s, "insecure")) {
            lg_cfg_bool(l, v, "insecure", &e->insecure);
        } else if (!strcmp(k->s, "protected")) {
            lg_cfg_bool(l, v, "protected", &e->is_protected);
        } else if (!strcmp(k->s, "compression")) {
            bool on;
            if (lg_cfg_bool(l, v, "compression", &on))
                e->no_compression = !on;
        } else if (!strcmp(k->s, "limits")) {
            parse_limits(l, v, e);
        } else if (!strcmp(k->s, "max_body")) {
            lg_cfg_size(l, v, "max_body", &e->max_body);
        } else if (!strcmp(k->s, "http")) {
            /* YAML reads an unquoted 2 as a number and 1.1 as a float: both are
             * accepted as written, whatever the quoting. */
            if (v->type != YN_SCALAR || !lg_http_version_parse(v->s, &e->http))
                lg_cfg_err(l, v, "'http' must be \"1.1\" or \"2\"");
        } else if (!strcmp(k->s, "multiplex")) {
            if (lg_cfg_bool(l, v, "multiplex", &e->multiplex))
                multiplex_node = v;
        } else {
            lg_cfg_unknown_key(l, k, "environment", env_keys);
        }
    }
    /* Only HTTP/2 multiplexes; HTTP/1.1 connections carry one request at a time. */
    if (e->multiplex && e->http != LG_HTTP_2)
        lg_cfg_err(l, multiplex_node, "'multiplex: true' needs 'http: \"2\"' in the environment");
}

static void parse_envs(struct ld *l, const struct ynode *n)
{
    struct lg_suite *s = l->suite;
    if (!lg_cfg_is_map(l, n, "environments"))
        return;
    s->envs = lg_calloc(n->n / 2 + 1, sizeof *s->envs);
    for (size_t i = 0; i + 1 < n->n; i += 2)
        parse_env(l, n->kids[i], n->kids[i + 1], &s->envs[s->n_envs++]);
}

/* ---- profiles ---- */

static const char *const profile_keys[] = {"vus",     "duration",     "iterations", "rate",
                                           "max_vus", "max_lateness", NULL};
static const char *const shape_keys[] = {"start", "stages", NULL};
static const char *const stage_keys[] = {"ramp", "hold", "to", NULL};

/* Stages add up to at most this (about 285 years, as one duration). */
#define LG_CFG_MAX_STAGES_US 9000000000000000LL

static bool positive_int(struct ld *l, const struct ynode *n, const char *what,
                         unsigned long long max, unsigned long long *out)
{
    long long iv;
    bool is_int = n->type == YN_SCALAR && lg_cfg_resolve(n, &iv, NULL, NULL) == YS_INT;
    if (is_int && iv > 0 && (unsigned long long)iv <= max) {
        *out = (unsigned long long)iv;
        return true;
    }
    if (is_int && iv > 0)
        lg_cfg_err(l, n, "'%s' must be at most %llu", what, max);
    else
        lg_cfg_err(l, n, "'%s' must be a positive integer", what);
    return false;
}

/* A positive duration, e.g. a profile's `duration` or `max_lateness`. */
static bool positive_duration(struct ld *l, const struct ynode *n, const char *what, int64_t *out)
{
    int64_t us;
    if (!lg_cfg_duration(l, n, what, &us))
        return false;
    if (us <= 0) {
        lg_cfg_err(l, n, "'%s' must be greater than 0", what);
        return false;
    }
    *out = us;
    return true;
}

/* The value of a `start` or a stage's `to`: a number of VUs, or a rate. */
static bool shape_value(struct ld *l, const struct ynode *n, const char *what, bool rate,
                        double *out)
{
    long long iv;
    if (rate)
        return lg_cfg_rate(l, n, what, out);
    bool is_int = n->type == YN_SCALAR && lg_cfg_resolve(n, &iv, NULL, NULL) == YS_INT;
    if (is_int && iv >= 0 && iv <= LG_MAX_VUS) {
        *out = (double)iv;
        return true;
    }
    if (is_int && iv > LG_MAX_VUS)
        lg_cfg_err(l, n, "'%s' must be at most %d (virtual users)", what, LG_MAX_VUS);
    else
        lg_cfg_err(l, n, "'%s' must be a non-negative integer", what);
    return false;
}

/* One stage: {ramp: 30s, to: X} moves linearly from *prev to X, {hold: 1m} keeps
 * *prev. Returns true with *st filled and *prev updated, or false after reporting. */
static bool parse_stage(struct ld *l, const struct ynode *n, bool rate, double *prev,
                        struct lg_stage *st)
{
    const struct ynode *kind = NULL, *kind_v = NULL, *to = NULL, *to_v = NULL;
    bool ok = true, misspelt_kind = false, misspelt_to = false;
    if (n->type != YN_MAP) {
        lg_cfg_err(l, n, "a stage must be a mapping with 'ramp' and 'to', or 'hold'");
        return false;
    }
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        if (!strcmp(k->s, "ramp") || !strcmp(k->s, "hold")) {
            if (kind) {
                lg_cfg_err(l, k, "'%s' and '%s' cannot both be given: a stage is a ramp or a hold",
                           kind->s, k->s);
                ok = false;
            } else {
                kind = k;
                kind_v = v;
            }
        } else if (!strcmp(k->s, "to")) {
            to = k;
            to_v = v;
        } else {
            const char *meant = lg_cfg_unknown_key(l, k, "stage", stage_keys);
            misspelt_kind = misspelt_kind || (meant && strcmp(meant, "to"));
            misspelt_to = misspelt_to || (meant && !strcmp(meant, "to"));
            ok = false;
        }
    }
    if (!kind) {
        if (!misspelt_kind)
            lg_cfg_err(l, n, "a stage needs 'ramp' (with 'to') or 'hold'");
        return false;
    }
    int64_t us = 0;
    double target = *prev;
    ok = lg_cfg_duration(l, kind_v, kind->s, &us) && ok;
    bool hold = !strcmp(kind->s, "hold");
    if (hold && to) {
        lg_cfg_err(l, to, "'to' goes with 'ramp': a hold keeps the value it starts from");
        ok = false;
    } else if (!hold && !to) {
        if (!misspelt_to)
            lg_cfg_err(l, kind, "'ramp' needs 'to'");
        ok = false;
    } else if (!hold) {
        ok = shape_value(l, to_v, "to", rate, &target) && ok;
    }
    if (!ok)
        return false;
    *st = (struct lg_stage){.duration_us = us, .target = target, .hold = hold};
    *prev = target;
    return true;
}

/* A ramping load: `vus` or `rate` as {start, stages}. */
struct shape {
    double start; /* default 0 */
    struct lg_stage *stages;
    size_t n_stages;
    int64_t total_us; /* the stages' durations added up */
    double peak;      /* the largest value anywhere */
};

/* Parses n, the value of `what` (vus or rate), into *sh. Returns true when all of
 * it parsed; else reports and leaves *sh owning nothing. */
static bool parse_shape(struct ld *l, const char *what, const struct ynode *n, bool rate,
                        struct shape *sh)
{
    const struct ynode *list = NULL;
    bool ok = true, misspelt = false;
    memset(sh, 0, sizeof *sh);
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        if (!strcmp(k->s, "start")) {
            ok = shape_value(l, v, "start", rate, &sh->start) && ok;
        } else if (!strcmp(k->s, "stages")) {
            list = v;
        } else {
            const char *meant = lg_cfg_unknown_key(l, k, what, shape_keys);
            misspelt = misspelt || (meant && !strcmp(meant, "stages"));
            ok = false;
        }
    }
    if (!list) {
        if (!misspelt)
            lg_cfg_err(l, n, "'%s' needs 'stages'", what);
        return false;
    }
    if (!lg_cfg_is_seq(l, list, "stages"))
        return false;
    if (list->n == 0) {
        lg_cfg_err(l, list, "'stages' must list at least one stage");
        return false;
    }
    struct lg_stage *stages = lg_calloc(list->n, sizeof *stages);
    double prev = sh->start, peak = sh->start;
    int64_t total = 0;
    for (size_t i = 0; i < list->n; i++) {
        if (!parse_stage(l, list->kids[i], rate, &prev, &stages[i])) {
            ok = false;
            continue;
        }
        if (stages[i].duration_us > LG_CFG_MAX_STAGES_US - total) {
            lg_cfg_err(l, list->kids[i], "the stages last too long in total");
            ok = false;
            break;
        }
        total += stages[i].duration_us;
        if (prev > peak)
            peak = prev;
    }
    if (ok && total == 0) {
        lg_cfg_err(l, list, "the stages must last longer than 0s in total");
        ok = false;
    }
    if (!ok) {
        free(stages);
        return false;
    }
    sh->stages = stages;
    sh->n_stages = list->n;
    sh->total_us = total;
    sh->peak = peak;
    return true;
}

/* A profile's keys: k the key, v its value; both NULL when absent. */
struct pkey {
    const struct ynode *k, *v;
};

struct pkeys {
    struct pkey vus, duration, iterations, rate, max_vus, max_lateness;
    bool misspelt_duration;
};

/* Open model: `rate` (with `duration`) or rate stages, `max_vus`, `max_lateness`. */
static void parse_open(struct ld *l, const struct pkeys *pk, struct lg_profile *p)
{
    const struct ynode *rate = pk->rate.v;
    unsigned long long u;
    p->open = true;
    if (pk->vus.k)
        lg_cfg_err(l, pk->vus.k, "'rate' (open model) cannot be combined with 'vus'");
    if (pk->iterations.k)
        lg_cfg_err(l, pk->iterations.k, "'rate' (open model) cannot be combined with 'iterations'");
    if (rate->type == YN_MAP) {
        struct shape sh;
        if (parse_shape(l, "rate", rate, true, &sh)) {
            p->rate_per_s = sh.start;
            p->rate_stages = sh.stages;
            p->n_rate_stages = sh.n_stages;
            p->duration_us = sh.total_us;
            if (!(sh.peak > 0))
                lg_cfg_err(l, rate, "'rate' is 0 throughout: no iterations would start");
        }
        if (pk->duration.k && map_get(rate, "stages"))
            lg_cfg_err(l, pk->duration.k, "'duration' comes from the stages");
        else if (pk->duration.k)
            positive_duration(l, pk->duration.v, "duration", &p->duration_us);
    } else if (rate->type == YN_SCALAR) {
        double r;
        if (lg_cfg_rate(l, rate, "rate", &r)) {
            if (r > 0)
                p->rate_per_s = r;
            else
                lg_cfg_err(l, rate, "'rate' must be greater than 0");
        }
        if (pk->duration.k)
            positive_duration(l, pk->duration.v, "duration", &p->duration_us);
        else if (!pk->misspelt_duration)
            lg_cfg_err(l, pk->rate.k, "a constant 'rate' needs 'duration'");
    } else {
        lg_cfg_err(l, rate, "'rate' must be a rate such as 50/s, or a mapping with 'stages'");
    }
    if (pk->max_vus.k && positive_int(l, pk->max_vus.v, "max_vus", LG_MAX_VUS, &u))
        p->max_vus = (uint32_t)u;
    if (pk->max_lateness.k)
        positive_duration(l, pk->max_lateness.v, "max_lateness", &p->max_lateness_us);
}

/* Closed model: `vus` (a count or VU stages), `duration`, `iterations`. */
static void parse_closed(struct ld *l, const struct pkeys *pk, struct lg_profile *p)
{
    const struct ynode *vus = pk->vus.v;
    unsigned long long u;
    bool staged = false;
    if (pk->max_vus.k)
        lg_cfg_err(l, pk->max_vus.k, "'max_vus' applies to the open model (with 'rate')");
    if (pk->max_lateness.k)
        lg_cfg_err(l, pk->max_lateness.k, "'max_lateness' applies to the open model (with 'rate')");
    if (vus && vus->type == YN_MAP) {
        struct shape sh;
        staged = map_get(vus, "stages") != NULL;
        if (parse_shape(l, "vus", vus, false, &sh)) {
            p->vus = (uint32_t)sh.start;
            p->vu_stages = sh.stages;
            p->n_vu_stages = sh.n_stages;
            p->duration_us = sh.total_us;
            if (!(sh.peak > 0))
                lg_cfg_err(l, vus, "'vus' is 0 throughout: no iterations would start");
        }
    } else if (vus && vus->type == YN_SEQ) {
        lg_cfg_err(l, vus, "'vus' must be a positive integer, or a mapping with 'stages'");
    } else if (vus && positive_int(l, vus, "vus", LG_MAX_VUS, &u)) {
        p->vus = (uint32_t)u;
    }
    if (pk->iterations.k && positive_int(l, pk->iterations.v, "iterations", LG_MAX_ITERATIONS, &u))
        p->iterations = u;
    if (pk->duration.k && staged)
        lg_cfg_err(l, pk->duration.k, "'duration' comes from the stages");
    else if (pk->duration.k)
        positive_duration(l, pk->duration.v, "duration", &p->duration_us);
}

static void parse_profile(struct ld *l, const struct ynode *name, const struct ynode *n,
                          struct lg_profile *p)
{
    struct pkeys pk = {0};
    p->name = lg_strdup(name->s);
    p->loc = lg_cfg_loc(l, name);
    if (!lg_cfg_is_map(l, n, "profile"))
        return;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
        struct pkey *slot = !strcmp(k->s, "vus")            ? &pk.vus
                            : !strcmp(k->s, "duration")     ? &pk.duration
                            : !strcmp(k->s, "iterations")   ? &pk.iterations
                            : !strcmp(k->s, "rate")         ? &pk.rate
                            : !strcmp(k->s, "max_vus")      ? &pk.max_vus
                            : !strcmp(k->s, "max_lateness") ? &pk.max_lateness
                                                            : NULL;
        if (slot) {
            *slot = (struct pkey){k, v};
        } else if (!strcmp(k->s, "stages") || !strcmp(k->s, "start")) {
            lg_cfg_err(l, k, "unknown key '%s' in profile (it goes under 'rate' or 'vus')", k->s);
        } else {
            const char *meant = lg_cfg_unknown_key(l, k, "profile", profile_keys);
            pk.misspelt_duration = pk.misspelt_duration || (meant && !strcmp(meant, "duration"));
        }
    }
    if (pk.rate.k)
        parse_open(l, &pk, p);
    else
        parse_closed(l, &pk, p);
}

static void parse_profiles(struct ld *l, const struct ynode *n)
{
    struct lg_suite *s = l->suite;
    if (!lg_cfg_is_map(l, n, "profiles"))
        return;
    s->profiles = lg_calloc(n->n / 2 + 1, sizeof *s->profiles);
    for (size_t i = 0; i + 1 < n->n; i += 2)
        parse_profile(l, n->kids[i], n->kids[i + 1], &s->profiles[s->n_profiles++]);
}

/* ---- thresholds ---- */

static const char *const threshold_keys[] = {"expr", "severity", "abort", "abort_after", NULL};

/* Parses one threshold item; the expression's node goes to *expr_node for
 * resolving later. Returns true when *t holds a parsed threshold. */
static bool parse_threshold(struct ld *l, const struct ynode *n, struct lg_threshold *t,
                            const struct ynode **expr_node)
{
    const struct ynode *expr = NULL, *abort_after = NULL, *abort_key = NULL;
    enum lg_severity sev = LG_SEV_CRITICAL;
    bool abort_ = false, ok = true;
    int64_t after_us = 0;

    if (n->type == YN_SCALAR) {
        expr = n;
    } else if (n->type == YN_MAP) {
        for (size_t i = 0; i + 1 < n->n; i += 2) {
            const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
            const char *s;
            if (!strcmp(k->s, "expr")) {
                if (lg_cfg_string(l, v, "expr", &s))
                    expr = v;
                else
                    ok = false;
            } else if (!strcmp(k->s, "severity")) {
                if (!lg_cfg_string(l, v, "severity", &s))
                    ok = false;
                else if (!strcmp(s, "critical"))
                    sev = LG_SEV_CRITICAL;
                else if (!strcmp(s, "warning"))
                    sev = LG_SEV_WARNING;
                else {
                    lg_cfg_err(l, v, "'severity' must be critical or warning");
                    ok = false;
                }
            } else if (!strcmp(k->s, "abort")) {
                ok = lg_cfg_bool(l, v, "abort", &abort_) && ok;
                abort_key = k;
            } else if (!strcmp(k->s, "abort_after")) {
                ok = lg_cfg_duration(l, v, "abort_after", &after_us) && ok;
                abort_after = k;
            } else {
                lg_cfg_unknown_key(l, k, "threshold", threshold_keys);
                ok = false;
            }
        }
        if (!expr && ok) {
            lg_cfg_err(l, n, "threshold needs an 'expr'");
            ok = false;
        }
        if (abort_after && !abort_) {
            lg_cfg_err(l, abort_after, "'abort_after' needs 'abort: true'");
            ok = false;
        }
        /* A warning never fails the gate, so it cannot be a reason to stop the run
         * (an abort is exit 3, a failed run): refused rather than silently ignored. */
        if (abort_ && sev == LG_SEV_WARNING) {
            lg_cfg_err(l, abort_key,
                       "a warning cannot abort the run (it never fails the gate): drop 'abort' "
                       "or make the threshold critical");
            ok = false;
        }
    } else {
        lg_cfg_err(l, n, "a threshold must be an expression or a mapping with 'expr'");
        return false;
    }
    if (!expr)
        return false;
    char err[256] = "";
    int off = 0;
    if (lg_threshold_parse(expr->s, t, err, sizeof err, &off) != LG_OK) {
        lg_cfg_err_at(l, expr, off, "%s", err);
        return false;
    }
    if (!ok) {
        lg_threshold_clear(t);
        return false;
    }
    t->loc = lg_cfg_loc(l, expr);
    t->severity = sev;
    t->abort = abort_;
    t->abort_after_us = after_us;
    *expr_node = expr;
    return true;
}

/* ---- scenarios ---- */

static const char *const scenario_keys[] = {"scenario", "description", "vars",
                                            "data",     "steps",       NULL};

/* Walks a scenario file's root into a new scenario of the suite. */
static void parse_scenario(struct ld *l, const struct ynode *root, double weight,
                           const struct varlist *suite_vars, const struct lg_environment *envs,
                           size_t n_envs)
{
    struct lg_suite *s = l->suite;
    struct varlist vars = {0};
    const struct ynode *steps = NULL, *data = NULL;

    s->scenarios = lg_realloc(s->scenarios, (s->n_scenarios + 1) * sizeof *s->scenarios);
    struct lg_scenario *sc = &s->scenarios[s->n_scenarios];
    memset(sc, 0, sizeof *sc);
    sc->index = (uint32_t)s->n_scenarios++;
    sc->file = l->file;
    sc->loc = lg_cfg_loc(l, root);
    sc->weight = weight;

    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const struct ynode *k = root->kids[i], *v = root->kids[i + 1];
        const char *str;
        if (!strcmp(k->s, "scenario")) {
            if (!lg_cfg_string(l, v, "scenario", &str))
                continue;
            if (!*str)
                lg_cfg_err(l, v, "'scenario' must be a non-empty name");
            sc->name = lg_strdup(str);
            sc->loc = lg_cfg_loc(l, v);
        } else if (!strcmp(k->s, "description")) {
            if (lg_cfg_string(l, v, "description", &str))
                sc->description = lg_strdup(str);
        } else if (!strcmp(k->s, "vars")) {
            parse_vars(l, v, &vars);
        } else if (!strcmp(k->s, "steps")) {
            steps = v;
        } else if (!strcmp(k->s, "data")) {
            data = v;
        } else {
            lg_cfg_unknown_key(l, k, "scenario", scenario_keys);
        }
    }
    if (!sc->name)
        sc->name = lg_strdup("");

    /* Initial values, lowest precedence first. */
    bool full = false;
    for (size_t i = 0; suite_vars && i < suite_vars->n; i++)
        scope_set(l, sc, suite_vars->v[i].name, json_incref(suite_vars->v[i].value), &full);
    for (size_t i = 0; i < vars.n; i++)
        scope_set(l, sc, vars.v[i].name, json_incref(vars.v[i].value), &full);
    const char *sel = l->opts->env;
    for (size_t e = 0; e < n_envs; e++) {
        bool chosen = sel && !strcmp(sel, envs[e].name);
        /* `check` without --env: declare every environment's vars so that templates
         * using them validate; their values do not matter there. */
        bool declare = !sel && !l->opts->for_run;
        for (size_t i = 0; i < envs[e].n_vars; i++) {
            const struct lg_var *ev = &envs[e].vars[i];
            if (chosen || (declare && lg_scope_find(&sc->scope, ev->name) < 0))
                scope_set(l, sc, ev->name, lg_cfg_jstr(ev->value, strlen(ev->value)), &full);
        }
    }
    for (size_t i = 0; i < l->opts->n_vars; i++) {
        const struct lg_var *ov = &l->opts->vars[i];
        scope_set(l, sc, ov->name, lg_cfg_jstr(ov->value, strlen(ov->value)), &full);
    }

    /* Feeds before steps: their templates resolve data.FEED.FIELD. */
    sc->feeds_visible = lg_calloc(l->n_suite_feeds + 1, sizeof(*sc->feeds_visible));
    sc->n_feeds_visible = l->n_suite_feeds;
    if (l->n_suite_feeds)
        memcpy(sc->feeds_visible, s->feeds, l->n_suite_feeds * sizeof(*sc->feeds_visible));
    if (data)
        lg_cfg_parse_data(l, data, &sc->feeds_visible, &sc->n_feeds_visible);
    sc->scope.feeds = sc->feeds_visible;
    sc->scope.n_feeds = sc->n_feeds_visible;

    if (!steps)
        lg_cfg_err(l, root, "scenario needs 'steps'");
    else if (lg_cfg_is_seq(l, steps, "steps") && steps->n == 0)
        lg_cfg_err(l, steps, "'steps' must list at least one step");
    else if (steps->type == YN_SEQ)
        lg_cfg_parse_steps(l, sc, steps);
    lg_cfg_scenario_feeds(sc);
    varlist_free(&vars);
}

static bool is_scenario_root(struct ld *l, const struct ynode *root, bool want_scenario)
{
    if (!root) {
        lg_diags_add(l->diags, l->file, 1, 1, "empty file: expected 'scenario:' or 'suite:'");
        return false;
    }
    if (root->type != YN_MAP) {
        lg_cfg_err(l, root, "expected a mapping with 'scenario:' or 'suite:' at the top level");
        return false;
    }
    bool has_sc = map_get(root, "scenario") != NULL, has_su = map_get(root, "suite") != NULL;
    if (has_sc && has_su) {
        lg_cfg_err(l, root, "a file is either a 'scenario:' or a 'suite:', not both");
        return false;
    }
    if (want_scenario && !has_sc) {
        lg_cfg_err(l, root,
                   has_su ? "expected a scenario file, not a suite"
                          : "expected a scenario file with a top-level 'scenario:' name");
        return false;
    }
    if (!has_sc && !has_su) {
        lg_cfg_err(l, root, "expected a top-level 'scenario:' or 'suite:' key");
        return false;
    }
    return true;
}

/* ---- suites ---- */

static const char *const suite_keys[] = {"suite",        "description", "vars",     "data",
                                         "environments", "scenarios",   "profiles", "thresholds",
                                         "regression",   NULL};
static const char *const entry_keys[] = {"file", "weight", NULL};

/* Loads one scenario file named by a suite entry into the suite. */
static void load_scenario_file(struct ld *l, const struct ynode *file_node, double weight,
                               const struct varlist *suite_vars)
{
    char *path = join_path(l->suite->file, file_node->s);
    const char *suite_file = l->file;
    struct ydoc doc = {0};
    struct lg_diags tmp = {0};

    l->file = add_file(l->suite, path);
    int rc = lg_cfg_yaml_read(l->file, &l->budget, &doc, &tmp);
    fold_file(l->suite, &doc);
    for (size_t i = 0; i < tmp.n; i++) {
        const struct lg_diag *e = &tmp.v[i];
        if (e->line > 0)
            lg_diags_add(l->diags, e->file, e->line, e->col, "%s", e->msg);
        else /* the file as a whole: point at the suite's entry that names it */
            lg_diags_add(l->diags, suite_file, file_node->line, file_node->col,
                         "scenario file '%s': %s", path, e->msg);
    }
    if (rc == 0 && is_scenario_root(l, doc.root, true))
        parse_scenario(l, doc.root, weight, suite_vars, l->suite->envs, l->suite->n_envs);
    l->file = suite_file;
    lg_diags_free(&tmp);
    lg_cfg_yaml_free(&doc);
    free(path);
}

static void parse_scenario_entries(struct ld *l, const struct ynode *n,
                                   const struct varlist *suite_vars)
{
    if (!lg_cfg_is_seq(l, n, "scenarios"))
        return;
    if (n->n == 0) {
        lg_cfg_err(l, n, "'scenarios' must list at least one scenario file");
        return;
    }
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *e = n->kids[i], *file = NULL;
        if (l->suite->n_scenarios >= LG_CFG_MAX_SCENARIOS) {
            lg_cfg_err(l, e, "too many scenarios (the limit is %d)", LG_CFG_MAX_SCENARIOS);
            return;
        }
        double weight = 1;
        bool ok = true;
        if (e->type == YN_SCALAR) {
            file = e;
        } else if (e->type == YN_MAP) {
            for (size_t j = 0; j + 1 < e->n; j += 2) {
                const struct ynode *k = e->kids[j], *v = e->kids[j + 1];
                const char *s;
                if (!strcmp(k->s, "file")) {
                    if (lg_cfg_string(l, v, "file", &s) && *s)
                        file = v;
                    else if (v->type == YN_SCALAR)
                        lg_cfg_err(l, v, "'file' must name a scenario file");
                } else if (!strcmp(k->s, "weight")) {
                    if (!lg_cfg_number(v, &weight) || !(weight > 0) || !isfinite(weight)) {
                        lg_cfg_err(l, v, "'weight' must be a positive number");
                        ok = false;
                    }
                } else {
                    lg_cfg_unknown_key(l, k, "scenarios entry", entry_keys);
                }
            }
            if (!file && ok)
                lg_cfg_err(l, e, "scenarios entry needs a 'file'");
        } else {
            lg_cfg_err(l, e, "a scenarios entry must be a file name or {file, weight}");
        }
        if (file)
            load_scenario_file(l, file, weight, suite_vars);
    }
}

static void parse_suite(struct ld *l, const struct ynode *root)
{
    struct lg_suite *s = l->suite;
    struct varlist vars = {0};
    const struct ynode *envs = NULL, *scenarios = NULL, *profiles = NULL, *thresholds = NULL,
                       *data = NULL;
    const struct ynode **expr_nodes = NULL;

    for (size_t i = 0; i + 1 < root->n; i += 2) {
        const struct ynode *k = root->kids[i], *v = root->kids[i + 1];
        const char *str;
        if (!strcmp(k->s, "suite")) {
            if (lg_cfg_string(l, v, "suite", &str)) {
                if (!*str)
                    lg_cfg_err(l, v, "'suite' must be a non-empty name");
                free(s->name);
                s->name = lg_strdup(str);
            }
        } else if (!strcmp(k->s, "description")) {
            lg_cfg_string(l, v, "description", &str);
        } else if (!strcmp(k->s, "vars")) {
            parse_vars(l, v, &vars);
        } else if (!strcmp(k->s, "data")) {
            data = v;
        } else if (!strcmp(k->s, "environments")) {
            envs = v;
        } else if (!strcmp(k->s, "scenarios")) {
            scenarios = v;
        } else if (!strcmp(k->s, "profiles")) {
            profiles = v;
        } else if (!strcmp(k->s, "thresholds")) {
            thresholds = v;
        } else if (!strcmp(k->s, "regression")) {
            lg_cfg_parse_regression(l, v, false, &s->regression);
        } else {
            lg_cfg_unknown_key(l, k, "suite", suite_keys);
        }
    }
    /* Environments first: scenarios take vars from the chosen one; and the suite's
     * feeds, which every scenario's templates may read. */
    if (envs)
        parse_envs(l, envs);
    if (data)
        lg_cfg_parse_data(l, data, NULL, NULL);
    l->n_suite_feeds = s->n_feeds;
    if (scenarios)
        parse_scenario_entries(l, scenarios, &vars);
    else
        lg_cfg_err(l, root, "suite needs 'scenarios'");
    if (profiles)
        parse_profiles(l, profiles);
    if (thresholds && lg_cfg_is_seq(l, thresholds, "thresholds")) {
        s->thresholds = lg_calloc(thresholds->n + 1, sizeof *s->thresholds);
        expr_nodes = lg_calloc(thresholds->n + 1, sizeof *expr_nodes);
        for (size_t i = 0; i < thresholds->n; i++) {
            struct lg_threshold t = {0};
            if (parse_threshold(l, thresholds->kids[i], &t, &expr_nodes[s->n_thresholds]))
                s->thresholds[s->n_thresholds++] = t;
        }
    }
    varlist_free(&vars);
    /* Names in thresholds are checked against the steps of the whole suite (those
     * that loaded: a step of an unreadable file does not exist for the run either). */
    lg_cfg_build_step_table(s);
    for (size_t i = 0; i < s->n_thresholds; i++) {
        char err[256] = "";
        if (lg_threshold_resolve(&s->thresholds[i], s, err, sizeof err) != LG_OK)
            lg_cfg_err(l, expr_nodes[i], "%s", err);
    }
    free(expr_nodes);
}

/* ---- the flat step table ---- */

void lg_cfg_build_step_table(struct lg_suite *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_scenarios; i++)
        n += s->scenarios[i].n_steps;
    free(s->steps);
    s->steps = lg_calloc(n + 1, sizeof *s->steps);
    s->n_steps = 0;
    for (size_t i = 0; i < s->n_scenarios; i++) {
        struct lg_scenario *sc = &s->scenarios[i];
        for (size_t j = 0; j < sc->n_steps; j++) {
            sc->steps[j].id = (uint32_t)s->n_steps;
            sc->steps[j].scenario = (uint32_t)i;
            s->steps[s->n_steps++] = &sc->steps[j];
        }
    }
}

static void check_scenario_names(struct ld *l)
{
    struct lg_suite *s = l->suite;
    for (size_t i = 1; i < s->n_scenarios; i++) {
        for (size_t j = 0; j < i; j++) {
            const struct lg_scenario *a = &s->scenarios[j], *b = &s->scenarios[i];
            if (!*b->name || strcmp(a->name, b->name))
                continue;
            lg_diags_add(l->diags, b->loc.file, b->loc.line, b->loc.col,
                         "duplicate scenario name '%s' (also in %s:%d:%d)", b->name, a->loc.file,
                         a->loc.line, a->loc.col);
            break;
        }
    }
}

/* ---- diagnostics order ---- */

struct dkey {
    size_t file_rank, seq;
    int line, col;
};

static int dkey_cmp(const void *a, const void *b)
{
    const struct dkey *x = a, *y = b;
    if (x->file_rank != y->file_rank)
        return x->file_rank < y->file_rank ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Orders the problems of this load by file (in reading order), line and column. */
static void sort_diags(struct lg_diags *d, size_t from, const struct lg_suite *s)
{
    size_t n = d->n - from;
    if (n < 2)
        return;
    struct dkey *keys = lg_malloc(n * sizeof *keys);
    struct lg_diag *copy = lg_malloc(n * sizeof *copy);
    for (size_t i = 0; i < n; i++) {
        const struct lg_diag *e = &d->v[from + i];
        size_t rank = s->n_files;
        for (size_t f = 0; f < s->n_files; f++) {
            if (!strcmp(s->files[f], e->file)) {
                rank = f;
                break;
            }
        }
        keys[i] = (struct dkey){.file_rank = rank, .seq = i, .line = e->line, .col = e->col};
        copy[i] = *e;
    }
    qsort(keys, n, sizeof *keys, dkey_cmp);
    for (size_t i = 0; i < n; i++)
        d->v[from + i] = copy[keys[i].seq];
    free(copy);
    free(keys);
}

/* ---- entry point ---- */

int lg_config_load(const char *path, const struct lg_load_opts *opts, struct lg_suite **out,
                   struct lg_diags *diags)
{
    static const struct lg_load_opts no_opts = {0};
    struct lg_suite *s = lg_calloc(1, sizeof *s);
    struct ydoc doc = {0};
    struct ld l = {.diags = diags,
                   .opts = opts ? opts : &no_opts,
                   .suite = s,
                   .budget = {LG_YAML_SUITE_BYTES, LG_YAML_SUITE_NODES}};
    size_t from = diags->n;
    int rc = LG_OK;

    s->file = l.file = add_file(s, path ? path : "");
    int read_rc = lg_cfg_yaml_read(l.file, &l.budget, &doc, diags);
    fold_file(s, &doc);
    if (read_rc < 0) {
        rc = LG_EINVAL;
        goto out;
    }
    if (is_scenario_root(&l, doc.root, false)) {
        if (map_get(doc.root, "scenario")) {
            parse_scenario(&l, doc.root, 1, NULL, NULL, 0);
            s->name = lg_strdup(s->scenarios[0].name);
            lg_cfg_build_step_table(s);
        } else {
            parse_suite(&l, doc.root);
            if (!s->name)
                s->name = lg_strdup("");
            check_scenario_names(&l);
        }
    }
    if (diags->n > from)
        rc = LG_EINVAL;
out:
    lg_cfg_yaml_free(&doc);
    sort_diags(diags, from, s);
    if (rc == LG_OK)
        *out = s;
    else
        lg_suite_free(s);
    return rc;
}
