/* Unit tests for lg_cli_parse_percent (engine/cli_common.h), which reads
 * --max-regression and --confidence: digits, an optional fraction, then '%' and
 * nothing else; every other spelling is refused, never read as another number. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "cli_common.h"
#include "util.h"

static void accepts(const char *s, double want)
{
    double v = -7;
    if (lg_cli_parse_percent(s, &v) != 0)
        fail_msg("'%s' refused, want %.17g", s, want);
    if (v != want)
        fail_msg("'%s' read as %.17g, want %.17g", s, v, want);
}

static void refuses(const char *s)
{
    double v = -7;
    if (lg_cli_parse_percent(s, &v) == 0)
        fail_msg("'%s' accepted as %.17g", s, v);
    assert_true(v == -7); /* *out untouched */
}

static void test_cli_percent_accepts(void **state)
{
    (void)state;
    accepts("10%", 0.1);
    accepts("0%", 0.0);
    accepts("99.5%", 0.995);
    accepts("0.5%", 0.005);
    accepts("100%", 1.0);
    accepts("99.99%", 0.9999);
    accepts("010%", 0.1); /* a leading zero is still decimal, not octal */
    accepts("0.000%", 0.0);
    accepts("150%", 1.5); /* the callers bound it: a budget up to 10000%, a confidence below 100% */
}

static void test_cli_percent_refuses(void **state)
{
    (void)state;
    const char *bad[] = {
        "10",                          /* no '%': a fraction or a percentage? */
        "-1%",                         /* no sign */
        "+1%",    "%",                 /* no digits */
        "",       "10%%",      "1e1%", /* no exponent */
        "1E1%",   "nan%",      "inf%",  "infinity%",
        " 10%",                                /* no blanks, before, inside or after */
        "10 %",   "10% ",      "10%\n", ".5%", /* digits before the point */
        "5.%",                                 /* and after it */
        "1.2.3%", "1,5%",                      /* no decimal comma */
        "0x10%",                               /* no hex */
        "1O%",                                 /* a letter O */
        "10%x",   "\xd9\xa3%",                 /* ARABIC-INDIC DIGIT THREE: only ASCII digits */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refuses(bad[i]);
}

/* Huge and tiny spellings: a number beyond a double is refused (never infinity); a
 * finite one is read as it is, and the callers' bounds refuse it; one below the
 * smallest double reads as (nearly) 0. */
static void test_cli_percent_huge_and_tiny(void **state)
{
    (void)state;
    char s[512];
    memset(s, '9', 400);
    strcpy(s + 400, "%");
    refuses(s); /* 1e400: not a double */
    s[0] = '1';
    memset(s + 1, '0', 300);
    strcpy(s + 301, "%");
    accepts(s, 1e298);
    strcpy(s, "0.");
    memset(s + 2, '0', 400);
    strcpy(s + 402, "1%");
    double v = -7;
    assert_int_equal(lg_cli_parse_percent(s, &v), 0);
    assert_true(v >= 0 && v < 1e-300);
    /* a long but ordinary fraction */
    accepts("12.50000000000000000000000000000000000000%", 0.125);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_percent_accepts),
        cmocka_unit_test(test_cli_percent_refuses),
        cmocka_unit_test(test_cli_percent_huge_and_tiny),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
