/* Unit tests for loadgate-target's wallet login (tools/target/login.c): address
 * derivation pinned against an independent SHA-256 (python3 hashlib and
 * `openssl dgst`), and ed25519 verification with keys generated here by OpenSSL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "login.h"

/* A fresh key pair; writes its public key and the signature of msg as hex. */
struct keypair {
    EVP_PKEY *key;
    char pub_hex[65];
    char address[LG_LOGIN_ADDRESS_LEN + 1];
};

static void keypair_new(struct keypair *kp)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
    kp->key = NULL;
    assert_int_equal(EVP_PKEY_keygen(ctx, &kp->key), 1);
    EVP_PKEY_CTX_free(ctx);
    unsigned char pub[32];
    size_t len = sizeof(pub);
    assert_int_equal(EVP_PKEY_get_raw_public_key(kp->key, pub, &len), 1);
    assert_int_equal(len, 32);
    lg_hex_encode(pub, 32, kp->pub_hex);
    lg_login_address(pub, kp->address);
}

static void sign_hex(const struct keypair *kp, const char *msg, char out[129])
{
    unsigned char sig[64];
    size_t len = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, kp->key), 1);
    assert_int_equal(EVP_DigestSign(md, sig, &len, (const unsigned char *)msg, strlen(msg)), 1);
    EVP_MD_CTX_free(md);
    lg_hex_encode(sig, 64, out);
}

static const char nonce[] = "5f2b9c0e4d1a7f3e8b6c2d9a0e1f4b7c5d8e2a1f9c3b6e0d7a4f1c8b2e5d9a3f";

static void test_target_login_good_signature_verifies(void **state)
{
    struct keypair kp;
    char sig[129];
    keypair_new(&kp);
    sign_hex(&kp, nonce, sig);
    assert_int_equal(lg_login_verify(kp.address, kp.pub_hex, sig, nonce), LG_LOGIN_OK);
    EVP_PKEY_free(kp.key);
}

static void test_target_login_flipped_bit_fails(void **state)
{
    struct keypair kp;
    char sig[129];
    keypair_new(&kp);
    sign_hex(&kp, nonce, sig);
    sig[10] = sig[10] == '0' ? '1' : '0'; /* one bit of one byte's high nibble */
    assert_int_equal(lg_login_verify(kp.address, kp.pub_hex, sig, nonce), LG_LOGIN_ESIG);
    EVP_PKEY_free(kp.key);
}

static void test_target_login_wrong_key_fails(void **state)
{
    struct keypair a, b;
    char sig[129];
    keypair_new(&a);
    keypair_new(&b);
    sign_hex(&a, nonce, sig);
    /* b's key and b's address with a's signature: the address matches, the key does not */
    assert_int_equal(lg_login_verify(b.address, b.pub_hex, sig, nonce), LG_LOGIN_ESIG);
    EVP_PKEY_free(a.key);
    EVP_PKEY_free(b.key);
}

static void test_target_login_wrong_nonce_fails(void **state)
{
    struct keypair kp;
    char sig[129];
    keypair_new(&kp);
    sign_hex(&kp, nonce, sig);
    char other[sizeof(nonce)];
    memcpy(other, nonce, sizeof(nonce));
    other[0] = '6';
    assert_int_equal(lg_login_verify(kp.address, kp.pub_hex, sig, other), LG_LOGIN_ESIG);
    EVP_PKEY_free(kp.key);
}

static void test_target_login_wrong_address_fails(void **state)
{
    struct keypair a, b;
    char sig[129];
    keypair_new(&a);
    keypair_new(&b);
    sign_hex(&a, nonce, sig);
    assert_int_equal(lg_login_verify(b.address, a.pub_hex, sig, nonce), LG_LOGIN_EADDRESS);
    EVP_PKEY_free(a.key);
    EVP_PKEY_free(b.key);
}

static void test_target_login_malformed_hex_refused(void **state)
{
    struct keypair kp;
    char sig[129];
    keypair_new(&kp);
    sign_hex(&kp, nonce, sig);
    assert_int_equal(lg_login_verify(kp.address, "abcd", sig, nonce), LG_LOGIN_EFORMAT);
    assert_int_equal(lg_login_verify(kp.address, kp.pub_hex, "zz", nonce), LG_LOGIN_EFORMAT);
    assert_int_equal(lg_login_verify(kp.address, NULL, sig, nonce), LG_LOGIN_EFORMAT);
    sig[127] = 'g';
    assert_int_equal(lg_login_verify(kp.address, kp.pub_hex, sig, nonce), LG_LOGIN_EFORMAT);
    EVP_PKEY_free(kp.key);
}

/* RFC 8032 section 7.1, test 1: public key, empty message, signature. The address
 * was computed independently: python3 -c "import hashlib; print('stake1' +
 * hashlib.sha256(bytes.fromhex(PK)).hexdigest()[:40])", and agrees with
 * `xxd -r -p | openssl dgst -sha256`. */
static const char rfc_pub[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char rfc_sig[] = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                              "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

static void test_target_login_address_pinned(void **state)
{
    unsigned char pub[32];
    char address[LG_LOGIN_ADDRESS_LEN + 1];
    assert_int_equal(lg_hex_decode(rfc_pub, pub, 32), 0);
    lg_login_address(pub, address);
    assert_string_equal(address, "stake121fe31dfa154a261626bf854046fd2271b7bed4b");
    assert_true(lg_login_address_valid(address));
}

static void test_target_login_rfc8032_vector_verifies(void **state)
{
    assert_int_equal(
        lg_login_verify("stake121fe31dfa154a261626bf854046fd2271b7bed4b", rfc_pub, rfc_sig, ""),
        LG_LOGIN_OK);
}

static void test_target_login_address_form(void **state)
{
    assert_true(lg_login_address_valid("stake1000000000000000000000000000000000000000a"));
    assert_false(lg_login_address_valid("stake1000000000000000000000000000000000000000"));
    assert_false(lg_login_address_valid("stake1000000000000000000000000000000000000000A"));
    assert_false(lg_login_address_valid("stake2000000000000000000000000000000000000000a"));
    assert_false(
        lg_login_address_valid("stake1u8pcjgmx7962w6hey5hhsd502araxp26kdtgagakhaqtq8sxy9w"));
    assert_false(lg_login_address_valid(""));
    assert_false(lg_login_address_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_login_good_signature_verifies),
        cmocka_unit_test(test_target_login_flipped_bit_fails),
        cmocka_unit_test(test_target_login_wrong_key_fails),
        cmocka_unit_test(test_target_login_wrong_nonce_fails),
        cmocka_unit_test(test_target_login_wrong_address_fails),
        cmocka_unit_test(test_target_login_malformed_hex_refused),
        cmocka_unit_test(test_target_login_address_pinned),
        cmocka_unit_test(test_target_login_rfc8032_vector_verifies),
        cmocka_unit_test(test_target_login_address_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
