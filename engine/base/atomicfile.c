/* atomicfile: writes a whole file so that a reader sees the old content or the new,
 * never half of it: a temporary file beside the target, fsync, rename. Every
 * report writer goes through it. */
#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signals.h"
#include "util.h"

/* Makes the rename itself durable. Best effort: some filesystems refuse fsync on a
 * directory, and the data is already safe in the file. */
static void sync_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? lg_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : lg_strdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int lg_write_atomic(const char *path, const void *data, size_t len)
{
    int rc = LG_EIO;
    /* A name no one can predict, created with O_EXCL in the target's own folder (a
     * rename cannot cross filesystems): nothing planted there is followed or
     * overwritten. */
    char *tmp = lg_asprintf("%s.tmp.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    bool created = fd >= 0;
    if (!created)
        goto done;
    lg_signals_pending_file(tmp); /* a second Ctrl-C removes it (signals.h) */
    /* mkstemp makes it 0600; a report is as readable as any file the user creates
     * (0666 less the umask). Only the main thread runs here: reading the umask by
     * setting it back is safe. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0)
        goto done;
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto done;
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) != 0)
        goto done;
    int closed = close(fd);
    fd = -1;
    if (closed != 0 || rename(tmp, path) != 0)
        goto done;
    sync_dir_of(path);
    rc = LG_OK;
done:;
    int e = errno;
    if (fd >= 0)
        close(fd);
    if (rc != LG_OK && created)
        unlink(tmp);
    if (created)
        lg_signals_pending_file(NULL);
    free(tmp);
    errno = e;
    return rc;
}
