/* cli_percent: the percentages of the command line's flags (--max-regression,
 * --confidence): written as people write them, "10%", and nothing looser, so that a
 * typo ("10", "1O%", "10%%") is refused rather than read as another budget. */
#include "cli_common.h"
#include "parse.h"

int lg_cli_parse_percent(const char *s, double *out)
{
    return lg_parse_percent(s, out) ? -1 : 0;
}
