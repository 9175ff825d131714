/* errors: the error codes every module returns (0 or a negative LG_E*) and
 * the one function that explains them. */
#ifndef LG_ERRORS_H
#define LG_ERRORS_H

#include <stddef.h>

/* Error codes. Functions return 0 on success or one of these (negative). */
enum {
    LG_OK = 0,
    LG_EINVAL = -1,    /* invalid argument or input */
    LG_ESYNTAX = -2,   /* syntax error in a template, path, threshold or value */
    LG_EUNSET = -3,    /* a template read a variable or capture that has no value */
    LG_ENOTFOUND = -4, /* a path, header or cookie matched nothing */
    LG_EIO = -5,       /* read or write failed (errno is set) */
    LG_ECURL = -6,     /* libcurl refused an option or handle */
    LG_ELIMIT = -7,    /* a resource limit (file descriptors, sizes) was reached */
    LG_EUNSAFE = -8,   /* a rendered value cannot go on the wire as it is */
};

/* Returns a static description of an error code above. */
const char *lg_strerror(int code);

/* Writes the message fmt makes into err (errlen bytes; nothing when err is NULL or
 * errlen 0) and returns LG_EINVAL: how a function refuses with a reason. */
int lg_errorf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
