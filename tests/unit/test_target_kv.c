/* Unit tests for loadgate-target's bounded store (tools/target/kv.c): lookups,
 * replacement, deletion, and eviction of the oldest entry at the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kv.h"
#include "util.h"

static int freed;

static void count_free(void *p)
{
    freed++;
    free(p);
}

static char *val(const char *s)
{
    return lg_strdup(s);
}

static void test_target_kv_get_put_replace_del(void **state)
{
    struct lg_kv kv;
    freed = 0;
    lg_kv_init(&kv, 10, count_free);
    lg_kv_put(&kv, "a", val("1"));
    lg_kv_put(&kv, "b", val("2"));
    assert_string_equal(lg_kv_get(&kv, "a"), "1");
    assert_string_equal(lg_kv_get(&kv, "b"), "2");
    assert_null(lg_kv_get(&kv, "c"));
    lg_kv_put(&kv, "a", val("3")); /* replaces and frees the old value */
    assert_int_equal(freed, 1);
    assert_string_equal(lg_kv_get(&kv, "a"), "3");
    assert_int_equal(kv.n, 2);
    assert_int_equal(lg_kv_del(&kv, "a"), 1);
    assert_int_equal(lg_kv_del(&kv, "a"), 0);
    assert_int_equal(freed, 2);
    assert_null(lg_kv_get(&kv, "a"));
    lg_kv_free(&kv);
    assert_int_equal(freed, 3);
}

static void test_target_kv_evicts_oldest_at_cap(void **state)
{
    struct lg_kv kv;
    char key[16];
    freed = 0;
    lg_kv_init(&kv, 100, count_free);
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        lg_kv_put(&kv, key, val(key));
        assert_true(kv.n <= 100);
    }
    assert_int_equal(kv.n, 100);
    assert_int_equal(freed, 900);
    assert_null(lg_kv_get(&kv, "k899"));
    assert_string_equal(lg_kv_get(&kv, "k900"), "k900");
    assert_string_equal(lg_kv_get(&kv, "k999"), "k999");
    /* a replaced key becomes the newest: it survives the next eviction */
    lg_kv_put(&kv, "k900", val("again"));
    lg_kv_put(&kv, "new", val("new"));
    assert_string_equal(lg_kv_get(&kv, "k900"), "again");
    assert_null(lg_kv_get(&kv, "k901"));
    lg_kv_free(&kv);
    assert_int_equal(freed, 1000 + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_kv_get_put_replace_del),
        cmocka_unit_test(test_target_kv_evicts_oldest_at_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
