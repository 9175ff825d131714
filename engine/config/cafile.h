/* cafile: whether a CA bundle (an environment's ca_file, --cacert) is one libcurl
 * can use, checked before anything is sent. */
#ifndef LG_CAFILE_H
#define LG_CAFILE_H

#include <stddef.h>

/* Checks that path is a CA bundle libcurl can use: a readable regular file holding
 * at least one PEM certificate, read the way libcurl's OpenSSL back end will read
 * it (an X509 file lookup). Used for an environment's ca_file and for --cacert, so
 * that a bad bundle is refused before anything is sent rather than failing every
 * TLS handshake of the run. Returns 0, or LG_EIO (cannot open: errno's text) or
 * LG_EINVAL (not a regular file, or no certificate could be read: OpenSSL's reason,
 * e.g. "bad base64 decode" for a damaged one) with the reason in why. */
int lg_cafile_check(const char *path, char *why, size_t why_len);

#endif
