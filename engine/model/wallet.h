/* wallet: an ed25519 key pair per virtual user (OpenSSL), for the templates
 * `wallet.address`, `wallet.public_key` and `wallet.sign MSG`. */
#ifndef LG_WALLET_H
#define LG_WALLET_H

#include <stddef.h>
#include <stdint.h>

#define LG_WALLET_ADDRESS_LEN 46 /* "stake1" + 40 hex digits */
#define LG_WALLET_PUBKEY_HEX_LEN 64
#define LG_WALLET_SIG_LEN 64 /* raw ed25519 signature bytes */

struct lg_wallet;

/* A key pair from a raw 32-byte ed25519 private key. Returns 0 and *out (free with
 * lg_wallet_free), or LG_EINVAL when OpenSSL refuses the key. */
int lg_wallet_from_private(const unsigned char priv[32], struct lg_wallet **out);

/* The deterministic key pair of virtual user vu_id in a run seeded with seed: the
 * private key is SHA-256(seed as 8 little-endian bytes || vu_id as 4 little-endian
 * bytes). Returns 0 and *out, or LG_EINVAL. */
int lg_wallet_new_seeded(uint64_t seed, uint32_t vu_id, struct lg_wallet **out);

/* A key pair from OpenSSL's random generator. Returns 0 and *out, or LG_EINVAL. */
int lg_wallet_new_random(struct lg_wallet **out);

void lg_wallet_free(struct lg_wallet *w); /* accepts NULL */

/* "stake1" followed by the first 40 lowercase hex digits of SHA-256 of the raw
 * public key; NUL-terminated, LG_WALLET_ADDRESS_LEN characters, owned by w. */
const char *lg_wallet_address(const struct lg_wallet *w);

/* The raw 32-byte public key as 64 lowercase hex digits; owned by w. */
const char *lg_wallet_public_key(const struct lg_wallet *w);

/* Signs the len bytes at msg (ed25519, no pre-hash) into sig. Returns 0, or
 * LG_EINVAL when OpenSSL fails. */
int lg_wallet_sign(const struct lg_wallet *w, const void *msg, size_t len,
                   unsigned char sig[LG_WALLET_SIG_LEN]);

#endif
