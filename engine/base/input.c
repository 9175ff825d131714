/* input: lg_open_input, which never blocks in open() and refuses devices, so
 * that a FIFO with no writer is an error rather than a hang. */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *lg_open_input(const char *path, bool *is_pipe)
{
    /* O_NONBLOCK: open() of a FIFO with no writer would wait for one forever. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : ENODEV;
        return NULL;
    }
    /* Open now: a FIFO whose writer is there is read to its end; with none, read()
     * returns end-of-file at once. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
        return NULL;
    }
    if (is_pipe)
        *is_pipe = S_ISFIFO(st.st_mode);
    return f;
}
