/* loadgate: HTTP load and smoke testing that gates releases. main only hands argv
 * to the command line (cli.c), which does the rest. */
#include "cli.h"

int main(int argc, char **argv)
{
    return lg_cli_main(argc, argv);
}
