/* Unit tests for wallet: RFC 8032 test vectors, key pairs derived from a seed and a
 * virtual user pinned against values computed independently (Python's
 * `cryptography` package), and signatures checked with OpenSSL's verifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "util.h"
#include "wallet.h"

static void from_hex(const char *hex, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
}

static void to_hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* Verifies sig over msg with the raw public key given as hex, as the reference
 * server does (tools/target/API.md). */
static bool verifies(const char *pub_hex, const char *msg, const unsigned char *sig)
{
    unsigned char pub[32];
    from_hex(pub_hex, pub, sizeof(pub));
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, sizeof(pub));
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    bool ok =
        k && mc && EVP_DigestVerifyInit(mc, NULL, NULL, NULL, k) == 1 &&
        EVP_DigestVerify(mc, sig, LG_WALLET_SIG_LEN, (const unsigned char *)msg, strlen(msg)) == 1;
    EVP_MD_CTX_free(mc);
    EVP_PKEY_free(k);
    return ok;
}

static void test_wallet_rfc8032_vectors(void **state)
{
    static const struct {
        const char *secret, *public, *msg_hex, *sig;
    } v[] = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
         "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
         "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        unsigned char sk[32], msg[1], sig[LG_WALLET_SIG_LEN];
        char sig_hex[2 * LG_WALLET_SIG_LEN + 1];
        size_t msg_len = strlen(v[i].msg_hex) / 2;
        from_hex(v[i].secret, sk, sizeof(sk));
        from_hex(v[i].msg_hex, msg, msg_len);
        struct lg_wallet *w = NULL;
        assert_int_equal(lg_wallet_from_private(sk, &w), 0);
        assert_string_equal(lg_wallet_public_key(w), v[i].public);
        assert_int_equal(lg_wallet_sign(w, msg, msg_len, sig), 0);
        to_hex(sig, sizeof(sig), sig_hex);
        assert_string_equal(sig_hex, v[i].sig);
        lg_wallet_free(w);
    }
}

/* Expected values: private key SHA-256(seed LE64 || vu LE32), computed with
 * Python's hashlib and cryptography (Ed25519PrivateKey.from_private_bytes). */
static void test_wallet_seeded_key_is_pinned(void **state)
{
    static const struct {
        uint64_t seed;
        uint32_t vu;
        const char *public, *address, *sig;
    } v[] = {
        {42, 1, "07d78d5985198c1c6ec7cf55d09d42e990957442fe41b15870e7963e76a41717",
         "stake13e729d46024d9928c771dcf4ef7ef49f3df66f7a",
         "db025d109732630889b19eb862eeae96477514ef70a05d4c2b737a7a67e51a15"
         "ec98bdf72b13fce50dcf20a5d46570679c5da4e76c0f21c45659d78387060403"},
        {42, 2, "35bedb5cce97edf72309c369f60d2d61021696da0a364c0c77724094f90b959e",
         "stake1a2d5bd8d1ca18d03ed9208a4d8d6e6e83afb30ab",
         "858c3fadd6841f4f88edf49282284fb8e854ed60af6e336065a7487718ae9a35"
         "5fbcfacbd32196756d4411444674474401a066542ea26ebad4cef18e6dfd9f05"},
        {0xdeadbeefcafef00dULL, 7,
         "da29d21c93746cee0e670d479333208515f38aa8df1c2f1f404d93f70f7e48be",
         "stake10708b176f4eb0ddff6c58e6685d1229b223fff9e",
         "982f34c19b2e3a3d63889df864f16fbe83ba3300774408345dc2e226520f590c"
         "88f49eeecf45b219f96fb8d624a854533e1051035fa2d74936777e12f90fac0c"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct lg_wallet *w = NULL;
        unsigned char sig[LG_WALLET_SIG_LEN];
        char sig_hex[2 * LG_WALLET_SIG_LEN + 1];
        assert_int_equal(lg_wallet_new_seeded(v[i].seed, v[i].vu, &w), 0);
        assert_string_equal(lg_wallet_public_key(w), v[i].public);
        assert_string_equal(lg_wallet_address(w), v[i].address);
        assert_int_equal(strlen(lg_wallet_address(w)), LG_WALLET_ADDRESS_LEN);
        assert_int_equal(lg_wallet_sign(w, "nonce-123", 9, sig), 0);
        to_hex(sig, sizeof(sig), sig_hex);
        assert_string_equal(sig_hex, v[i].sig);
        lg_wallet_free(w);
    }
}

/* The address is "stake1" + the first 40 hex digits of SHA-256(raw public key). */
static void test_wallet_address_is_hash_of_public_key(void **state)
{
    struct lg_wallet *w = NULL;
    assert_int_equal(lg_wallet_new_random(&w), 0);
    unsigned char pub[32], md[32];
    unsigned int n = 0;
    char hex[65];
    from_hex(lg_wallet_public_key(w), pub, sizeof(pub));
    assert_true(EVP_Digest(pub, sizeof(pub), md, &n, EVP_sha256(), NULL));
    to_hex(md, 20, hex);
    char want[6 + sizeof(hex)];
    snprintf(want, sizeof(want), "stake1%s", hex);
    assert_string_equal(lg_wallet_address(w), want);
    lg_wallet_free(w);
}

static void test_wallet_signature_verifies(void **state)
{
    struct lg_wallet *w = NULL;
    unsigned char sig[LG_WALLET_SIG_LEN];
    const char *nonce = "5f2a9c0e4b7d8a1f3e6c9b2d5a8f1e4c7b0a3d6f9e2c5b8a1d4f7e0c3b6a9d2f";
    assert_int_equal(lg_wallet_new_seeded(7, 3, &w), 0);
    assert_int_equal(lg_wallet_sign(w, nonce, strlen(nonce), sig), 0);
    assert_true(verifies(lg_wallet_public_key(w), nonce, sig));
    /* A different message, or a flipped bit, does not verify. */
    assert_false(verifies(lg_wallet_public_key(w), "another nonce", sig));
    sig[10] ^= 1;
    assert_false(verifies(lg_wallet_public_key(w), nonce, sig));
    /* An empty message is signed too. */
    assert_int_equal(lg_wallet_sign(w, NULL, 0, sig), 0);
    assert_true(verifies(lg_wallet_public_key(w), "", sig));
    lg_wallet_free(w);
}

static void test_wallet_keys_differ_by_vu_and_seed(void **state)
{
    struct lg_wallet *a = NULL, *a2 = NULL, *b = NULL, *c = NULL, *r1 = NULL, *r2 = NULL;
    assert_int_equal(lg_wallet_new_seeded(1, 1, &a), 0);
    assert_int_equal(lg_wallet_new_seeded(1, 1, &a2), 0);
    assert_int_equal(lg_wallet_new_seeded(1, 2, &b), 0);
    assert_int_equal(lg_wallet_new_seeded(2, 1, &c), 0);
    assert_string_equal(lg_wallet_public_key(a), lg_wallet_public_key(a2));
    assert_string_not_equal(lg_wallet_public_key(a), lg_wallet_public_key(b));
    assert_string_not_equal(lg_wallet_public_key(a), lg_wallet_public_key(c));
    assert_string_not_equal(lg_wallet_address(a), lg_wallet_address(b));
    assert_int_equal(lg_wallet_new_random(&r1), 0);
    assert_int_equal(lg_wallet_new_random(&r2), 0);
    assert_string_not_equal(lg_wallet_public_key(r1), lg_wallet_public_key(r2));
    lg_wallet_free(a);
    lg_wallet_free(a2);
    lg_wallet_free(b);
    lg_wallet_free(c);
    lg_wallet_free(r1);
    lg_wallet_free(r2);
    lg_wallet_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wallet_rfc8032_vectors),
        cmocka_unit_test(test_wallet_seeded_key_is_pinned),
        cmocka_unit_test(test_wallet_address_is_hash_of_public_key),
        cmocka_unit_test(test_wallet_signature_verifies),
        cmocka_unit_test(test_wallet_keys_differ_by_vu_and_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
