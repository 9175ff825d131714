/* cli_segment: `run --segment K/N` and `run --start-at TIME` on the command line's
 * side: the resolved load cut to the segment's stripe, unique feeds partitioned,
 * the configuration hash, and the checks on the start instant. The run itself
 * (run.c) strides the arrivals and gives the VUs their global ids. */
#include "cli_segment.h"

#include <inttypes.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "errors.h"
#include "feeder.h"
#include "schedule.h"
#include "url.h"
#include "util.h"

int lg_cli_slice_load(struct lg_run_opts *o, struct lg_slice sl, const char *spec, char *why,
                      size_t whylen)
{
    o->slice = sl;
    if (whylen)
        why[0] = '\0';
    if (lg_slice_whole(sl))
        return LG_OK;
    uint32_t n = sl.count;
    uint64_t vus = lg_slice_share(sl, o->vus), arrivals = 0;
    if (o->open) {
        struct lg_schedule sc;
        lg_schedule_init(&sc, o->rate_per_s, o->rate_stages, o->n_rate_stages, o->duration_us);
        uint64_t all = lg_schedule_arrivals(&sc);
        lg_schedule_free(&sc);
        arrivals = all;
        if (lg_slice_share(sl, all) == 0)
            return lg_errorf(why, whylen,
                             "--segment %s: this segment gets no arrival (the schedule has %" PRIu64
                             " in all): use at most %" PRIu64 " segments",
                             spec, all, all);
        if (vus == 0)
            return lg_errorf(why, whylen,
                             "--segment %s: this segment gets no VU of the pool (max_vus %u over "
                             "%u segments): raise --max-vus to at least %u, or use fewer segments",
                             spec, o->vus, n, n);
    } else {
        if (vus == 0)
            return lg_errorf(why, whylen,
                             "--segment %s: this segment gets no VU (%u VUs over %u segments): use "
                             "at most %u segments",
                             spec, o->vus, n, o->vus);
        if (o->iterations && lg_slice_share(sl, o->iterations) == 0)
            return lg_errorf(why, whylen,
                             "--segment %s: this segment gets no iteration (%" PRIu64
                             " iterations over %u segments): use at most %" PRIu64 " segments",
                             spec, o->iterations, n, o->iterations);
    }
    struct lg_buf b = {0};
    lg_buf_printf(&b, "segment %s: ", spec);
    if (o->open)
        lg_buf_printf(&b,
                      "%" PRIu64 " of the schedule's %" PRIu64 " arrivals, a pool of %" PRIu64
                      " of %u VUs",
                      lg_slice_share(sl, arrivals), arrivals, vus, o->vus);
    else {
        uint64_t first = sl.index + 1, last = lg_slice_global(sl, vus - 1) + 1;
        lg_buf_printf(&b, "%" PRIu64 " of %u VUs (%s %" PRIu64, vus, o->vus,
                      vus == 1 ? "id" : "ids", first);
        if (vus > 1)
            lg_buf_printf(&b, "%s%" PRIu64, vus == 2 ? ", " : ", ..., ", last);
        lg_buf_putc(&b, ')');
    }
    if (!o->open && o->iterations)
        lg_buf_printf(&b, ", %" PRIu64 " of %" PRIu64 " iterations",
                      lg_slice_share(sl, o->iterations), o->iterations);
    if (o->max_rate_per_s > 0)
        lg_buf_printf(&b, ", max_rate %g/s of %g/s", lg_slice_rate(sl, o->max_rate_per_s),
                      o->max_rate_per_s);
    snprintf(why, whylen, "%s", b.data);
    lg_buf_free(&b);
    o->iterations = lg_slice_share(sl, o->iterations);
    o->vus = (uint32_t)vus;
    o->max_rate_per_s = o->max_rate_per_s > 0 ? lg_slice_rate(sl, o->max_rate_per_s) : 0;
    return LG_OK;
}

void lg_cli_slice_feeds(struct lg_suite *s, struct lg_slice sl)
{
    for (size_t i = 0; i < s->n_feeds; i++) {
        if (s->feeds[i]->mode == LG_FEED_UNIQUE)
            lg_feed_keep_slice(s->feeds[i], sl);
        lg_feed_stripe(s->feeds[i], sl);
    }
}

/* Each value is written with its length, so that no two configurations give the
 * same text (a name holding a newline cannot pass for two). */
static void put_str(EVP_MD_CTX *h, const char *key, const char *v)
{
    char head[96];
    size_t len = v ? strlen(v) : 0;
    int n = snprintf(head, sizeof(head), "%s %s%zu:", key, v ? "" : "null ", len);
    EVP_DigestUpdate(h, head, (size_t)n);
    if (v)
        EVP_DigestUpdate(h, v, len);
    EVP_DigestUpdate(h, "\n", 1);
}

static void put_num(EVP_MD_CTX *h, const char *key, double v)
{
    char s[64];
    snprintf(s, sizeof(s), "%.17g", v);
    put_str(h, key, s);
}

static int var_cmp(const void *a, const void *b)
{
    const struct lg_var *x = *(const struct lg_var *const *)a,
                        *y = *(const struct lg_var *const *)b;
    return strcmp(x->name, y->name);
}

/* The --var values as the run uses them: by name, the last of a name winning (the
 * loader sets them in order), so that the order they were given in does not count. */
static void put_vars(EVP_MD_CTX *h, const struct lg_var *vars, size_t n)
{
    const struct lg_var **v = lg_calloc(n + 1, sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool later = false;
        for (size_t j = i + 1; j < n && !later; j++)
            later = !strcmp(vars[i].name, vars[j].name);
        if (!later)
            v[k++] = &vars[i];
    }
    qsort(v, k, sizeof(*v), var_cmp);
    for (size_t i = 0; i < k; i++) {
        put_str(h, "var", v[i]->name);
        put_str(h, "=", v[i]->value);
    }
    free(v);
}

static void put_stages(EVP_MD_CTX *h, const char *key, const struct lg_stage *st, size_t n)
{
    put_num(h, key, (double)n);
    for (size_t i = 0; i < n; i++) {
        put_num(h, "stage.duration_us", (double)st[i].duration_us);
        put_num(h, "stage.target", st[i].target);
        put_num(h, "stage.hold", st[i].hold);
    }
}

char *lg_cli_config_hash(const struct lg_suite *s, const struct lg_cli_config *c, char *why,
                         size_t whylen)
{
    const struct lg_run_opts *o = c->o;
    EVP_MD_CTX *h = EVP_MD_CTX_new();
    if (!h || !EVP_DigestInit_ex(h, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(h);
        lg_errorf(why, whylen, "config_hash: SHA-256 is not available");
        return NULL;
    }
    put_str(h, "loadgate.config", "1");
    put_str(h, "version", LG_VERSION);
    put_num(h, "files", (double)s->n_files);
    EVP_DigestUpdate(h, s->files_sha256, sizeof(s->files_sha256));
    put_num(h, "feeds", (double)s->n_feeds);
    for (size_t i = 0; i < s->n_feeds; i++) {
        const struct lg_feed *f = s->feeds[i];
        put_str(h, "feed", f->name);
        put_num(h, "mode", f->mode);
        put_num(h, "fields", (double)f->n_fields);
        for (size_t k = 0; k < f->n_fields; k++)
            put_str(h, "field", f->fields[k]);
        put_num(h, "rows", (double)f->n_rows);
        for (size_t k = 0; k < f->n_rows * f->n_fields; k++)
            put_str(h, "v", f->cells[k]);
    }
    put_str(h, "env", c->env);
    put_str(h, "profile", c->profile);
    put_vars(h, c->vars, c->n_vars);
    for (size_t i = 0; i < c->n_thresholds; i++)
        put_str(h, "threshold", c->thresholds[i]);
    char *url = lg_url_redact(o->base_url);
    put_str(h, "base_url", url);
    free(url);
    put_str(h, "ca_file", o->ca_file);
    put_num(h, "insecure", o->insecure);
    put_num(h, "http", o->http);
    put_num(h, "multiplex", o->multiplex);
    put_num(h, "in_turn", o->scenarios_in_turn);
    put_num(h, "open", o->open);
    put_num(h, "vus", o->vus);
    put_num(h, "vus_start", o->vus_start);
    put_stages(h, "vu_stages", o->vu_stages, o->n_vu_stages);
    put_num(h, "duration_us", (double)o->duration_us);
    put_num(h, "iterations", (double)o->iterations);
    put_num(h, "rate_per_s", o->rate_per_s);
    put_stages(h, "rate_stages", o->rate_stages, o->n_rate_stages);
    put_num(h, "max_lateness_us", (double)o->max_lateness_us);
    put_num(h, "max_rate_per_s", o->max_rate_per_s);
    if (c->have_seed)
        put_num(h, "seed", (double)o->seed);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    int ok = EVP_DigestFinal_ex(h, md, &len);
    EVP_MD_CTX_free(h);
    if (!ok || len != 32) {
        lg_errorf(why, whylen, "config_hash: SHA-256 failed");
        return NULL;
    }
    char *out = lg_malloc(7 + 64 + 1);
    memcpy(out, "sha256:", 7);
    for (unsigned i = 0; i < len; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
    return out;
}

void lg_cli_format_instant(int64_t ms, char *buf, size_t n)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[32];
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%03dZ", day, (int)(ms % 1000));
}

int lg_cli_start_at_check(int64_t at_ms, int64_t now_ms, char *why, size_t whylen)
{
    char at[48];
    lg_cli_format_instant(at_ms, at, sizeof(at));
    if (at_ms < now_ms - LG_START_AT_LATE_MS)
        return lg_errorf(why, whylen,
                         "--start-at: %s was %.3f s ago (more than %.0f s): the segments would not "
                         "start together",
                         at, (double)(now_ms - at_ms) / 1e3, LG_START_AT_LATE_MS / 1e3);
    if (at_ms > now_ms + LG_START_AT_MAX_AHEAD_MS)
        return lg_errorf(why, whylen,
                         "--start-at: %s is more than %lld hours ahead: refusing to wait that long",
                         at, LG_START_AT_MAX_AHEAD_MS / 3600000);
    return LG_OK;
}
