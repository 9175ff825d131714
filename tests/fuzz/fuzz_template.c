/* Fuzz target: a template ("Bearer {{token}}", "{{hmac_sha256 key (sha256 body)}}"),
 * compiled with each escaping and, when it compiles, rendered with every slot set.
 * A compile error names an offset within the text; a render fails only for a
 * function's run-time arguments (random_int) or a data.* part with no row. */
#include "fuzz.h"
#include "tmpl.h"
#include "util.h"
#include "wallet.h"

static const char *const names[] = {"name", "token", "n", "key", "msg", "user.email"};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lg_scope scope;
    static json_t *slots[N_NAMES];
    if (!slots[0]) {
        for (size_t i = 0; i < N_NAMES; i++)
            lg_scope_add(&scope, names[i]);
        slots[0] = json_string("Ann");
        slots[1] = json_string("t0k\"en");
        slots[2] = json_integer(-42);
        slots[3] = json_string("Jefe");
        slots[4] = json_real(1.5);
        slots[5] = json_string("a@b.c");
    }
    char *src = fuzz_cstr(data, size);
    for (int esc = LG_TMPL_RAW; esc <= LG_TMPL_URL; esc++) {
        struct lg_tmpl *t = NULL;
        struct lg_tmpl_err err = {0};
        if (lg_tmpl_compile(src, (enum lg_tmpl_esc)esc, &scope, &t, &err) != 0) {
            FUZZ_CHECK(t == NULL && err.msg[0] != '\0');
            FUZZ_CHECK_OFFSET(err.offset, src);
            continue;
        }
        struct lg_rng rng;
        lg_rng_seed(&rng, 1);
        struct lg_buf scratch = {0}, out = {0};
        struct lg_wallet *wallet = NULL;
        struct lg_tmpl_ctx ctx = {.slots = slots,
                                  .n_slots = N_NAMES,
                                  .scope = &scope,
                                  .vu_id = 3,
                                  .iteration = 7,
                                  .rng = &rng,
                                  .scratch = &scratch,
                                  .wallet = &wallet,
                                  .wallet_seed = 11};
        int rc = lg_tmpl_render(t, &ctx, &out, NULL);
        FUZZ_CHECK(rc == 0 || rc == LG_EINVAL);
        if (lg_tmpl_is_const(t)) {
            struct lg_buf again = {0};
            FUZZ_CHECK(lg_tmpl_render(t, NULL, &again, NULL) == 0);
            FUZZ_CHECK(again.len == out.len &&
                       (!out.len || !memcmp(again.data, out.data, out.len)));
            lg_buf_free(&again);
        }
        lg_wallet_free(wallet);
        lg_buf_free(&scratch);
        lg_buf_free(&out);
        lg_tmpl_free(t);
    }
    free(src);
    return 0;
}
