/* login: the target's side of wallet login. A wallet's address is "stake1" and the
 * first 40 hex digits of the SHA-256 of its raw 32-byte ed25519 public key; a login
 * proves the key by an ed25519 signature of the challenge nonce's text. */
#ifndef LG_LOGIN_H
#define LG_LOGIN_H

#include <stddef.h>

#define LG_LOGIN_ADDRESS_LEN 46 /* "stake1" + 40 hex digits */

/* Why lg_login_verify refused. */
enum {
    LG_LOGIN_OK = 0,
    LG_LOGIN_EFORMAT = -1,  /* key or signature is not hex of the right length */
    LG_LOGIN_EADDRESS = -2, /* the address is not the key's address */
    LG_LOGIN_ESIG = -3,     /* the signature does not verify */
};

/* Writes the lowercase hex of n bytes and a NUL into out (2n + 1 bytes). */
void lg_hex_encode(const unsigned char *in, size_t n, char *out);
/* Decodes exactly 2n hex digits (either case) into n bytes; 0 or -1. */
int lg_hex_decode(const char *hex, unsigned char *out, size_t n);

/* Writes the address of a raw ed25519 public key into out (47 bytes). */
void lg_login_address(const unsigned char pub[32], char out[LG_LOGIN_ADDRESS_LEN + 1]);
/* 1 when s has the form of an address ("stake1" + 40 lowercase hex digits). */
int lg_login_address_valid(const char *s);
/* Checks that public_key_hex (64 hex) belongs to address and that signature_hex
 * (128 hex) is its ed25519 signature of message's bytes. Returns LG_LOGIN_OK or
 * one of the negative codes above. */
int lg_login_verify(const char *address, const char *public_key_hex, const char *signature_hex,
                    const char *message);

#endif
