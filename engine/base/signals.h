/* signals: what SIGINT, SIGTERM and SIGHUP do once the run's event loop is gone
 * (joining the workers, writing the reports): a first one is remembered and the
 * reports are finished, a second exits at once with the aborted exit code, leaving
 * the reports already written and removing the temporary file of the one being
 * written. During the run the coordinator's libev watchers handle them (run.c). */
#ifndef LG_SIGNALS_H
#define LG_SIGNALS_H

#include <stdbool.h>

/* The exit code of an aborted run (DESIGN.md section 1), also that of a second
 * signal. */
#define LG_EXIT_ABORTED 3

/* Installs the same handlers for the time before the run, while the files load:
 * the first signal is remembered (the caller then starts no run) and interrupts a
 * blocking read (a FIFO whose writer stalls), a second exits at once. */
void lg_signals_before_run(void);

/* Installs the handlers (sigaction) for SIGINT, SIGTERM and SIGHUP. `received` is
 * how many of them the run already got (so 1 makes the next one exit at once).
 * Call it from the main thread once the loop's signal watchers are stopped. */
void lg_signals_after_run(int received);

/* How many such signals arrived since lg_signals_after_run, plus `received`. */
int lg_signals_received(void);

/* The last signal those handlers got (SIGINT, SIGTERM or SIGHUP), 0 when none. */
int lg_signals_last(void);

/* Names the temporary file a second signal must remove before it exits (a
 * report's, before its rename); NULL once renamed or removed. The path is copied
 * (at most PATH_MAX bytes; a longer one is not registered). Main thread only. */
void lg_signals_pending_file(const char *path);

/* Restores the default dispositions (tests, and anything that runs after). */
void lg_signals_reset(void);

#endif
