/* fdlimit: the open-file limit a run of N virtual users needs, raised before the
 * run starts or refused with a message that says how to raise it. */
#ifndef LG_FDLIMIT_H
#define LG_FDLIMIT_H

#include <stddef.h>
#include <stdint.h>

/* Raises the soft RLIMIT_NOFILE to what vus virtual users need. Returns 0, or
 * LG_ELIMIT with a message naming the limit in err when the hard limit is lower. */
int lg_fdlimit_raise(uint32_t vus, char *err, size_t errlen);

#endif
