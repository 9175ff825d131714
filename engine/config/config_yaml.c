/* config_yaml: reads one YAML file into a bounded tree of positioned nodes with the
 * libyaml event API, so that hostile input (aliases, deep nesting, huge documents)
 * is refused early instead of being expanded or walked. */
#include "config_int.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define TAG_STR "tag:yaml.org,2002:str"

struct yread {
    const char *file;
    struct lg_diags *d;
    struct ydoc *doc;
    struct ynode *stack[LG_YAML_MAX_DEPTH + 1];
    int depth;
    bool fatal;
    size_t max_nodes;
};

/* Reads the whole file, refusing files over max bytes, directories and devices,
 * and a FIFO with no writer (lg_open_input: never a hang). */
static int read_file(const char *file, size_t max, char **out, size_t *outlen, struct lg_diags *d)
{
    int rc = -1;
    struct lg_buf b = {0};
    bool pipe = false;
    FILE *f = lg_open_input(file, &pipe);
    if (!f) {
        lg_diags_add(d, file, 0, 0, "cannot read: %s",
                     errno == EISDIR || errno == ENODEV ? "not a regular file" : strerror(errno));
        goto out;
    }
    char chunk[65536];
    for (;;) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n)
            lg_buf_append(&b, chunk, n);
        if (b.len > max) {
            if (max == LG_YAML_MAX_BYTES)
                lg_diags_add(d, file, 0, 0, "file is larger than %u MiB", LG_YAML_MAX_BYTES >> 20);
            else
                lg_diags_add(d, file, 0, 0, "the files of this suite are larger than %u MiB",
                             LG_YAML_SUITE_BYTES >> 20);
            goto out;
        }
        if (n < sizeof chunk) {
            if (ferror(f)) {
                lg_diags_add(d, file, 0, 0, "cannot read: %s", strerror(errno));
                goto out;
            }
            break;
        }
    }
    if (pipe && b.len == 0) {
        lg_diags_add(d, file, 0, 0, "cannot read: empty pipe (no writer)");
        goto out;
    }
    *outlen = b.len;
    *out = lg_buf_take(&b);
    rc = 0;
out:
    if (f)
        fclose(f);
    lg_buf_free(&b);
    return rc;
}

static void fatal(struct yread *r, const yaml_mark_t *m, const char *msg)
{
    lg_diags_add(r->d, r->file, (int)m->line + 1, (int)m->column + 1, "%s", msg);
    r->fatal = true;
}

static void syntax_error(struct yread *r, const yaml_parser_t *p, const char *buf, size_t len)
{
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_READER_ERROR) {
        /* Reader errors carry a byte offset, not a mark. */
        line = 1;
        col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            if (buf[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        lg_diags_add(r->d, r->file, line, col, "invalid YAML: %s", problem);
    } else if (p->context) {
        lg_diags_add(r->d, r->file, line, col, "invalid YAML: %s (%s at %d:%d)", problem,
                     p->context, (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    } else {
        lg_diags_add(r->d, r->file, line, col, "invalid YAML: %s", problem);
    }
    r->fatal = true;
}

static struct ynode *new_node(struct yread *r, enum yn_type type, const yaml_mark_t *start)
{
    if (r->doc->n_all >= r->max_nodes) {
        char msg[96];
        if (r->max_nodes < LG_YAML_MAX_NODES)
            snprintf(msg, sizeof msg,
                     "too many YAML nodes in the files of this suite (more than %d)",
                     LG_YAML_SUITE_NODES);
        else
            snprintf(msg, sizeof msg, "too many YAML nodes (more than %d)", LG_YAML_MAX_NODES);
        fatal(r, start, msg);
        return NULL;
    }
    struct ynode *n = lg_calloc(1, sizeof *n);
    n->type = type;
    n->line = (int)start->line + 1;
    n->col = (int)start->column + 1;
    LG_GROW(r->doc->all, r->doc->n_all + 1, r->doc->cap_all);
    r->doc->all[r->doc->n_all++] = n;
    return n;
}

/* Links n under the open collection (or makes it the root). */
static void attach(struct yread *r, struct ynode *n, const yaml_mark_t *start)
{
    if (r->depth == 0) {
        r->doc->root = n;
        return;
    }
    struct ynode *parent = r->stack[r->depth - 1];
    if (parent->type == YN_MAP && parent->n % 2 == 0 && n->type != YN_SCALAR) {
        fatal(r, start, "mapping keys must be strings");
        return;
    }
    LG_GROW(parent->kids, parent->n + 1, parent->cap);
    parent->kids[parent->n++] = n;
}

static int key_cmp(const void *a, const void *b)
{
    const struct ynode *x = *(const struct ynode *const *)a, *y = *(const struct ynode *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

/* Reports repeated keys of a finished mapping (sorting: no quadratic scan) and drops
 * the later pairs, so that the loader never sees a key twice. */
static void check_dup_keys(struct yread *r, struct ynode *map)
{
    size_t nk = map->n / 2, kept = 0;
    if (nk < 2)
        return;
    struct ynode **keys = lg_malloc(nk * sizeof *keys);
    for (size_t i = 0; i < nk; i++)
        keys[i] = map->kids[2 * i];
    qsort(keys, nk, sizeof *keys, key_cmp);
    for (size_t i = 1; i < nk; i++) {
        struct ynode *a = keys[i - 1], *b = keys[i];
        if (a->len == b->len && !memcmp(a->s, b->s, a->len)) {
            lg_diags_add(r->d, r->file, b->line, b->col, "duplicate key '%s' (first at %d:%d)",
                         b->s, a->line, a->col);
            b->dup = true;
            keys[i] = a; /* name the first occurrence for a third one too */
        }
    }
    free(keys);
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        if (map->kids[i]->dup)
            continue;
        map->kids[kept++] = map->kids[i];
        map->kids[kept++] = map->kids[i + 1];
    }
    map->n = kept;
}

static void on_scalar(struct yread *r, const yaml_event_t *ev)
{
    const yaml_mark_t *s = &ev->start_mark, *e = &ev->end_mark;
    struct ynode *n = new_node(r, YN_SCALAR, s);
    if (!n)
        return;
    n->len = ev->data.scalar.length;
    n->s = lg_strndup((const char *)ev->data.scalar.value, n->len);
    yaml_scalar_style_t st = ev->data.scalar.style;
    const char *tag = (const char *)ev->data.scalar.tag;
    n->quoted = st != YAML_PLAIN_SCALAR_STYLE || (tag && !strcmp(tag, TAG_STR));
    if (tag && strcmp(tag, TAG_STR) && strcmp(tag, "!")) {
        lg_diags_add(r->d, r->file, n->line, n->col, "YAML tags are not supported ('%s')", tag);
    }
    if (memchr(n->s, '\0', n->len))
        lg_diags_add(r->d, r->file, n->line, n->col, "strings must not contain NUL characters");
    /* Offsets into the value map onto columns only when the source text is the value
     * itself: one line, no escapes, ASCII (marks count characters, not bytes). */
    size_t span = e->index - s->index;
    if (s->line == e->line) {
        if (st == YAML_PLAIN_SCALAR_STYLE)
            n->exact = span == n->len;
        else if (st == YAML_SINGLE_QUOTED_SCALAR_STYLE || st == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
            n->exact = span == n->len + 2;
    }
    if (n->exact && st != YAML_PLAIN_SCALAR_STYLE)
        n->voff = 1; /* the value starts after the quote */
    attach(r, n, s);
}

static void on_start(struct yread *r, const yaml_event_t *ev, enum yn_type type)
{
    if (r->depth >= LG_YAML_MAX_DEPTH) {
        char msg[80];
        snprintf(msg, sizeof msg, "nesting deeper than %d levels is not supported",
                 LG_YAML_MAX_DEPTH);
        fatal(r, &ev->start_mark, msg);
        return;
    }
    struct ynode *n = new_node(r, type, &ev->start_mark);
    if (!n)
        return;
    attach(r, n, &ev->start_mark);
    if (r->fatal)
        return;
    r->stack[r->depth++] = n;
}

static void on_event(struct yread *r, const yaml_event_t *ev, int *docs)
{
    const unsigned char *anchor = NULL;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++*docs > 1)
            fatal(r, &ev->start_mark, "only one YAML document per file is supported");
        return;
    case YAML_ALIAS_EVENT:
        fatal(r, &ev->start_mark, "aliases are not supported");
        return;
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        break;
    default:
        break;
    }
    if (anchor) {
        fatal(r, &ev->start_mark, "anchors and aliases are not supported");
        return;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        on_scalar(r, ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
        on_start(r, ev, YN_SEQ);
        break;
    case YAML_MAPPING_START_EVENT:
        on_start(r, ev, YN_MAP);
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (r->depth > 0) {
            struct ynode *n = r->stack[--r->depth];
            if (n->type == YN_MAP)
                check_dup_keys(r, n);
        }
        break;
    default:
        break;
    }
}

int lg_cfg_yaml_read(const char *file, struct ylimits *lim, struct ydoc *doc, struct lg_diags *d)
{
    char *buf = NULL;
    size_t len = 0;
    yaml_parser_t p;
    bool parser_ready = false;
    size_t max_bytes = lim->bytes < LG_YAML_MAX_BYTES ? lim->bytes : LG_YAML_MAX_BYTES;
    struct yread r = {.file = file,
                      .d = d,
                      .doc = doc,
                      .max_nodes = lim->nodes < LG_YAML_MAX_NODES ? lim->nodes : LG_YAML_MAX_NODES};
    int docs = 0;

    memset(doc, 0, sizeof *doc);
    if (read_file(file, max_bytes, &buf, &len, d) < 0) {
        r.fatal = true;
        goto out;
    }
    if (!yaml_parser_initialize(&p)) {
        lg_diags_add(d, file, 0, 0, "cannot initialise the YAML parser");
        r.fatal = true;
        goto out;
    }
    parser_ready = true;
    lim->bytes -= len;
    EVP_Digest(buf, len, doc->sha256, NULL, EVP_sha256(), NULL);
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            syntax_error(&r, &p, buf, len);
            break;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;
        on_event(&r, &ev, &docs);
        yaml_event_delete(&ev);
        if (end || r.fatal)
            break;
    }
out:
    lim->nodes -= doc->n_all < lim->nodes ? doc->n_all : lim->nodes;
    if (parser_ready)
        yaml_parser_delete(&p);
    free(buf);
    if (r.fatal) {
        lg_cfg_yaml_free(doc);
        return -1;
    }
    return 0;
}

void lg_cfg_yaml_free(struct ydoc *doc)
{
    for (size_t i = 0; i < doc->n_all; i++) {
        free(doc->all[i]->s);
        free(doc->all[i]->kids);
        free(doc->all[i]);
    }
    free(doc->all);
    memset(doc, 0, sizeof *doc);
}
