/* config_data: the `data` section of suites and scenarios, CSV feeds for the
 * templates' data.FEED.FIELD. Files are read here, once, at load time; which feeds
 * a scenario reads is worked out from its compiled templates. */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static const char *const feed_keys[] = {"file", "mode", NULL};

/* A feed's name: a letter or _, then letters, digits, _ or - (no dots: the name
 * sits between two dots in data.FEED.FIELD). */
static bool valid_feed_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return false;
    return true;
}

/* file, relative to the folder of the YAML file being read. */
static char *data_path(const struct ld *l, const char *file)
{
    const char *slash = strrchr(l->file, '/');
    if (file[0] == '/' || !slash)
        return lg_strdup(file);
    return lg_asprintf("%.*s%s", (int)(slash - l->file + 1), l->file, file);
}

/* One entry of `data`; returns the new feed (added to the suite; an unread
 * placeholder when its file could not be read, which is reported), or NULL after
 * reporting a mistake in the entry itself. */
static struct lg_feed *parse_feed(struct ld *l, const struct ynode *name, const struct ynode *v)
{
    struct lg_suite *s = l->suite;
    const struct ynode *file = NULL;
    enum lg_feed_mode mode = LG_FEED_SEQUENTIAL;
    bool ok = true;
    if (!valid_feed_name(name->s)) {
        lg_cfg_err(l, name, "invalid feed name '%s': a letter or _, then letters, digits, _ or -",
                   name->s);
        ok = false;
    }
    if (v->type == YN_SCALAR) {
        file = v;
    } else if (v->type == YN_MAP) {
        for (size_t i = 0; i + 1 < v->n; i += 2) {
            const struct ynode *k = v->kids[i], *val = v->kids[i + 1];
            const char *str;
            if (!strcmp(k->s, "file")) {
                if (lg_cfg_string(l, val, "file", &str))
                    file = val;
                else
                    ok = false;
            } else if (!strcmp(k->s, "mode")) {
                if (!lg_cfg_string(l, val, "mode", &str))
                    ok = false;
                else if (!strcmp(str, "sequential"))
                    mode = LG_FEED_SEQUENTIAL;
                else if (!strcmp(str, "random"))
                    mode = LG_FEED_RANDOM;
                else if (!strcmp(str, "unique"))
                    mode = LG_FEED_UNIQUE;
                else {
                    lg_cfg_err(l, val, "'mode' must be sequential, random or unique, not '%s'",
                               str);
                    ok = false;
                }
            } else {
                if (lg_cfg_unknown_key(l, k, "feed", feed_keys))
                    ok = false;
            }
        }
        if (!file && ok) {
            lg_cfg_err(l, v, "feed '%s' needs a 'file'", name->s);
            return NULL;
        }
    } else {
        lg_cfg_err(l, v, "feed '%s' must be a CSV file name or {file, mode}", name->s);
        return NULL;
    }
    if (!ok || !file)
        return NULL;
    if (!*file->s) {
        lg_cfg_err(l, file, "'file' must name a CSV file");
        return NULL;
    }
    if (s->n_feeds >= LG_CFG_MAX_FEEDS) {
        lg_cfg_err(l, name, "too many feeds (the limit is %d)", LG_CFG_MAX_FEEDS);
        return NULL;
    }
    char *path = data_path(l, file->s);
    struct lg_feed *f = NULL;
    struct lg_feed_err err;
    if (lg_feed_load(name->s, path, &f, &err) != LG_OK) {
        if (err.line > 0)
            lg_diags_add(l->diags, path, err.line, err.col, "%s", err.msg);
        else if (!strncmp(err.msg, "cannot read", 11))
            lg_cfg_err(l, file, "feed '%s': %s", name->s, err.msg);
        else
            lg_cfg_err(l, file, "feed '%s': '%s': %s", name->s, path, err.msg);
        /* The feed stays declared, so that the templates reading it do not add
         * "no feed" errors to the one just reported (the load fails anyway). */
        f = lg_calloc(1, sizeof(*f));
        f->name = lg_strdup(name->s);
        f->unread = true;
    }
    free(path);
    f->mode = mode;
    f->index = (uint32_t)s->n_feeds;
    s->feeds = lg_realloc(s->feeds, (s->n_feeds + 1) * sizeof(*s->feeds));
    s->feeds[s->n_feeds++] = f;
    return f;
}

void lg_cfg_parse_data(struct ld *l, const struct ynode *n, struct lg_feed ***vis, size_t *n_vis)
{
    if (!lg_cfg_is_map(l, n, "data"))
        return;
    for (size_t i = 0; i + 1 < n->n; i += 2) {
        struct lg_feed *f = parse_feed(l, n->kids[i], n->kids[i + 1]);
        if (!f || !vis)
            continue;
        /* A scenario's feed hides the suite's feed of the same name. */
        size_t j = 0;
        while (j < *n_vis && strcmp((*vis)[j]->name, f->name))
            j++;
        if (j == *n_vis) {
            *vis = lg_realloc(*vis, (*n_vis + 1) * sizeof(**vis));
            (*n_vis)++;
        }
        (*vis)[j] = f;
    }
}

/* Adds the feeds t reads to sc->feeds, each once. */
static void add_reads(struct lg_scenario *sc, const struct lg_tmpl *t)
{
    uint32_t small[16];
    if (!t)
        return;
    size_t n = lg_tmpl_feeds(t, small, 16);
    uint32_t *idx = n > 16 ? lg_malloc(n * sizeof(*idx)) : small;
    if (n > 16)
        lg_tmpl_feeds(t, idx, n);
    for (size_t i = 0; i < n; i++) {
        struct lg_feed *f = NULL;
        for (size_t j = 0; j < sc->n_feeds_visible && !f; j++)
            if (sc->feeds_visible[j]->index == idx[i])
                f = sc->feeds_visible[j];
        bool seen = !f;
        for (size_t j = 0; j < sc->n_feeds && !seen; j++)
            seen = sc->feeds[j] == f;
        if (seen)
            continue;
        sc->feeds = lg_realloc(sc->feeds, (sc->n_feeds + 1) * sizeof(*sc->feeds));
        sc->feeds[sc->n_feeds++] = f;
    }
    if (idx != small)
        free(idx);
}

void lg_cfg_scenario_feeds(struct lg_scenario *sc)
{
    for (size_t i = 0; i < sc->n_steps; i++) {
        const struct lg_step *st = &sc->steps[i];
        add_reads(sc, st->req.url);
        for (size_t j = 0; j < st->req.n_headers; j++)
            add_reads(sc, st->req.headers[j].value);
        for (size_t j = 0; j < st->req.n_query; j++)
            add_reads(sc, st->req.query[j].value);
        add_reads(sc, st->req.body);
        for (size_t j = 0; j < st->n_checks; j++)
            add_reads(sc, st->checks[j].expected_tmpl);
        for (size_t j = 0; j < st->n_until; j++)
            add_reads(sc, st->until[j].expected_tmpl);
    }
}
