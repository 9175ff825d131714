/* login: address derivation and ed25519 signature verification (OpenSSL) for the
 * target's /v1/auth routes. Plain data in, a verdict out: no HTTP here. */
#include "login.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

void lg_hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int lg_hex_decode(const char *hex, unsigned char *out, size_t n)
{
    if (!hex || strlen(hex) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

void lg_login_address(const unsigned char pub[32], char out[LG_LOGIN_ADDRESS_LEN + 1])
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(pub, 32, digest);
    memcpy(out, "stake1", 6);
    lg_hex_encode(digest, 20, out + 6);
}

int lg_login_address_valid(const char *s)
{
    if (!s || strlen(s) != LG_LOGIN_ADDRESS_LEN || strncmp(s, "stake1", 6) != 0)
        return 0;
    for (const char *p = s + 6; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

int lg_login_verify(const char *address, const char *public_key_hex, const char *signature_hex,
                    const char *message)
{
    unsigned char pub[32], sig[64];
    char derived[LG_LOGIN_ADDRESS_LEN + 1];
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *ctx = NULL;
    int rc = LG_LOGIN_ESIG;

    if (!address || !message || lg_hex_decode(public_key_hex, pub, sizeof(pub)) != 0 ||
        lg_hex_decode(signature_hex, sig, sizeof(sig)) != 0)
        return LG_LOGIN_EFORMAT;
    lg_login_address(pub, derived);
    if (strcmp(derived, address) != 0)
        return LG_LOGIN_EADDRESS;

    key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, sizeof(pub));
    ctx = EVP_MD_CTX_new();
    if (!key || !ctx)
        goto out;
    /* ed25519 is a one-shot scheme: no digest, EVP_DigestVerify over the message. */
    if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1)
        goto out;
    if (EVP_DigestVerify(ctx, sig, sizeof(sig), (const unsigned char *)message, strlen(message)) ==
        1)
        rc = LG_LOGIN_OK;
out:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return rc;
}
