/* errors: lg_strerror, one sentence per error code of errors.h, for messages
 * that must name what failed without a caller-side table. */
#include "errors.h"

#include <stdarg.h>
#include <stdio.h>

const char *lg_strerror(int code)
{
    switch (code) {
    case LG_OK:
        return "success";
    case LG_EINVAL:
        return "invalid argument";
    case LG_ESYNTAX:
        return "syntax error";
    case LG_EUNSET:
        return "value not set";
    case LG_ENOTFOUND:
        return "not found";
    case LG_EIO:
        return "input/output error";
    case LG_ECURL:
        return "libcurl error";
    case LG_ELIMIT:
        return "resource limit reached";
    case LG_EUNSAFE:
        return "value unsafe to send";
    }
    return "unknown error";
}

int lg_errorf(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return LG_EINVAL;
}
