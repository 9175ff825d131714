/* wallet: ed25519 key pairs for virtual users. The address and the public key's
 * hex are computed once when the pair is made; signing is OpenSSL's one-shot
 * EVP_DigestSign with no digest (ed25519 hashes the message itself). */
#include "wallet.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util.h"

struct lg_wallet {
    EVP_PKEY *key;
    char address[LG_WALLET_ADDRESS_LEN + 1];
    char pubkey_hex[LG_WALLET_PUBKEY_HEX_LEN + 1];
};

static void to_hex(char *dst, const unsigned char *p, size_t n)
{
    static const char hexdigits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = hexdigits[p[i] >> 4];
        dst[2 * i + 1] = hexdigits[p[i] & 15];
    }
    dst[2 * n] = '\0';
}

/* Takes ownership of key. */
static int wallet_of_key(EVP_PKEY *key, struct lg_wallet **out)
{
    unsigned char pub[32], md[EVP_MAX_MD_SIZE];
    size_t pub_len = sizeof(pub);
    unsigned int md_len = 0;
    if (!key || !EVP_PKEY_get_raw_public_key(key, pub, &pub_len) || pub_len != sizeof(pub) ||
        !EVP_Digest(pub, pub_len, md, &md_len, EVP_sha256(), NULL)) {
        EVP_PKEY_free(key);
        return LG_EINVAL;
    }
    struct lg_wallet *w = lg_calloc(1, sizeof(*w));
    w->key = key;
    to_hex(w->pubkey_hex, pub, sizeof(pub));
    memcpy(w->address, "stake1", 6);
    to_hex(w->address + 6, md, 20); /* 20 bytes: the first 40 hex digits */
    *out = w;
    return 0;
}

int lg_wallet_from_private(const unsigned char priv[32], struct lg_wallet **out)
{
    return wallet_of_key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv, 32), out);
}

int lg_wallet_new_seeded(uint64_t seed, uint32_t vu_id, struct lg_wallet **out)
{
    unsigned char in[12], priv[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    for (int i = 0; i < 8; i++)
        in[i] = (unsigned char)(seed >> (8 * i));
    for (int i = 0; i < 4; i++)
        in[8 + i] = (unsigned char)(vu_id >> (8 * i));
    if (!EVP_Digest(in, sizeof(in), priv, &n, EVP_sha256(), NULL) || n != 32)
        return LG_EINVAL;
    int rc = lg_wallet_from_private(priv, out);
    OPENSSL_cleanse(priv, sizeof(priv));
    return rc;
}

int lg_wallet_new_random(struct lg_wallet **out)
{
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    if (!pc || EVP_PKEY_keygen_init(pc) <= 0 || EVP_PKEY_keygen(pc, &key) <= 0) {
        EVP_PKEY_CTX_free(pc);
        return LG_EINVAL;
    }
    EVP_PKEY_CTX_free(pc);
    return wallet_of_key(key, out);
}

void lg_wallet_free(struct lg_wallet *w)
{
    if (!w)
        return;
    EVP_PKEY_free(w->key);
    free(w);
}

const char *lg_wallet_address(const struct lg_wallet *w)
{
    return w->address;
}

const char *lg_wallet_public_key(const struct lg_wallet *w)
{
    return w->pubkey_hex;
}

int lg_wallet_sign(const struct lg_wallet *w, const void *msg, size_t len,
                   unsigned char sig[LG_WALLET_SIG_LEN])
{
    /* A context per signature: an ed25519 EVP_MD_CTX cannot sign twice. */
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    size_t sig_len = LG_WALLET_SIG_LEN;
    /* An empty message is valid, but OpenSSL wants a non-NULL pointer for it. */
    const unsigned char *m = len ? msg : (const unsigned char *)"";
    int ok = mc && EVP_DigestSignInit(mc, NULL, NULL, NULL, w->key) == 1 &&
             EVP_DigestSign(mc, sig, &sig_len, m, len) == 1 && sig_len == LG_WALLET_SIG_LEN;
    EVP_MD_CTX_free(mc);
    return ok ? 0 : LG_EINVAL;
}
