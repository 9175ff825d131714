/* atomicfile: replaces a file's content in one step (temporary file, fsync,
 * rename), so that a reader never sees a half-written report. */
#ifndef LG_ATOMICFILE_H
#define LG_ATOMICFILE_H

#include <stddef.h>

/* Writes data to path atomically: a temporary file beside it (mkstemp, mode 0666
 * less the umask), fsync, rename; the temporary file is removed on failure.
 * Returns 0 or LG_EIO (errno set). */
int lg_write_atomic(const char *path, const void *data, size_t len);

#endif
