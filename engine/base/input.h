/* input: opens a file loadgate reads whole (a scenario, a suite, a CSV feed)
 * without ever blocking in open(). */
#ifndef LG_INPUT_H
#define LG_INPUT_H

#include <stdbool.h>
#include <stdio.h>

/* Opens a file loadgate reads whole (a scenario, a suite, a CSV feed) without ever
 * blocking in open(): a FIFO is opened non-blocking, so one with no writer reads as
 * empty instead of hanging, then read as usual (blocking) once open. Refuses what is
 * neither a regular file nor a pipe (a directory, a terminal, a device): returns
 * NULL with errno EISDIR / ENODEV ("not a regular file"). *is_pipe tells a FIFO or
 * pipe (may be NULL). The caller owns the FILE. */
FILE *lg_open_input(const char *path, bool *is_pipe);

#endif
