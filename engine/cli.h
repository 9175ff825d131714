/* cli: loadgate's command line (run, check, version), the one entry point main.c
 * calls; everything a run does is reached from here. */
#ifndef LG_CLI_H
#define LG_CLI_H

/* Runs the command in argv and returns the process exit code: 0 pass, 1 gate
 * failed, 2 invalid input, 3 aborted, 4 internal error. */
int lg_cli_main(int argc, char **argv);

#endif
