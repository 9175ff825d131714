/* loadgate: HTTP load and smoke testing that gates releases. */
#include "cli.h"

int main(int argc, char **argv)
{
    return lg_cli_main(argc, argv);
}
