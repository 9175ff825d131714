/* fdlimit: raises the soft RLIMIT_NOFILE to what the run's virtual users need, so
 * that a run fails before it starts rather than with EMFILE midway. */
#include "fdlimit.h"

#include <stdio.h>
#include <sys/resource.h>

#include "util.h"

/* Each virtual user keeps one connection open; libcurl, libev and the process need
 * a few more descriptors. */
static rlim_t fds_needed(uint32_t vus)
{
    return (rlim_t)vus + vus / 8 + 64;
}

int lg_fdlimit_raise(uint32_t vus, char *err, size_t errlen)
{
    struct rlimit rl;
    rlim_t need = fds_needed(vus);
    if (getrlimit(RLIMIT_NOFILE, &rl))
        return LG_OK; /* cannot tell: let the run find out */
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
            snprintf(err, errlen,
                     "%u virtual users need about %llu open files, but the hard limit "
                     "RLIMIT_NOFILE is %llu: raise it (ulimit -Hn, or LimitNOFILE= for a "
                     "service) or run fewer virtual users",
                     vus, (unsigned long long)need, (unsigned long long)rl.rlim_max);
            return LG_ELIMIT;
        }
        rl.rlim_cur = need;
        if (setrlimit(RLIMIT_NOFILE, &rl)) {
            snprintf(err, errlen, "cannot raise RLIMIT_NOFILE to %llu for %u virtual users",
                     (unsigned long long)need, vus);
            return LG_ELIMIT;
        }
    }
    return LG_OK;
}
