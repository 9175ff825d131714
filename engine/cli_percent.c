/* cli_percent: the percentages of the command line's flags (--max-regression,
 * --confidence): written as people write them, "10%", and nothing looser, so that a
 * typo ("10", "1O%", "10%%") is refused rather than read as another budget. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "util.h"

int lg_cli_parse_percent(const char *s, double *out)
{
    const char *p = s;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        size_t frac = 0;
        while (*p >= '0' && *p <= '9')
            p++, frac++;
        if (!frac)
            return -1;
    }
    if (!digits || strcmp(p, "%") != 0)
        return -1;
    /* read as NUMBERe-2, so that the fraction is the double nearest to what was
     * written: 99.99 / 100 would give 0.99989999999999990 */
    char *e = lg_asprintf("%.*se-2", (int)(p - s), s);
    double v = strtod(e, NULL);
    free(e);
    if (!isfinite(v))
        return -1;
    *out = v;
    return 0;
}
