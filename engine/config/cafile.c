/* cafile: reads a CA bundle the way libcurl's OpenSSL back end will, so that a
 * bad one is refused at load time instead of failing every TLS handshake. */
#include "cafile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int lg_cafile_check(const char *path, char *why, size_t why_len)
{
    /* Regular files only: a FIFO would be drained here and found empty by every
     * connection after, and a device read by each of them. */
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
        snprintf(why, why_len, "%s", strerror(errno));
        return LG_EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "not a regular file");
        return LG_EINVAL;
    }
    X509_STORE *store = X509_STORE_new();
    X509_LOOKUP *lookup = store ? X509_STORE_add_lookup(store, X509_LOOKUP_file()) : NULL;
    bool loaded = lookup && X509_LOOKUP_load_file(lookup, path, X509_FILETYPE_PEM) == 1;
    /* OpenSSL's reason tells an empty or non-PEM file from a damaged one. */
    const char *reason = loaded ? NULL : ERR_reason_error_string(ERR_peek_error());
    if (!loaded)
        snprintf(why, why_len, "no usable PEM certificate in it (%s)",
                 reason ? reason : "no certificate found");
    X509_STORE_free(store);
    ERR_clear_error(); /* nothing of this check may reach a later OpenSSL caller */
    return loaded ? 0 : LG_EINVAL;
}
