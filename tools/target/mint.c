/* mint: a mint's status as a function of the time since it was requested, and its
 * transaction hash, derived from the mint's id so that tests can predict it. */
#include "mint.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "login.h"

enum lg_mint_status lg_mint_status_at(int64_t elapsed_us, int64_t delay_us, int fails, int stuck)
{
    if (stuck)
        return LG_MINT_PENDING;
    if (elapsed_us < delay_us / 2)
        return LG_MINT_PENDING;
    if (elapsed_us < delay_us)
        return LG_MINT_SUBMITTED;
    return fails ? LG_MINT_FAILED : LG_MINT_CONFIRMED;
}

const char *lg_mint_status_name(enum lg_mint_status s)
{
    switch (s) {
    case LG_MINT_PENDING:
        return "pending";
    case LG_MINT_SUBMITTED:
        return "submitted";
    case LG_MINT_CONFIRMED:
        return "confirmed";
    case LG_MINT_FAILED:
        return "failed";
    }
    return "unknown";
}

int lg_mint_decide_fail(double u, double fail_share)
{
    return u < fail_share;
}

void lg_mint_tx_hash(const char *mint_id, char out[65])
{
    char text[64];
    unsigned char digest[SHA256_DIGEST_LENGTH];
    snprintf(text, sizeof(text), "tx:%s", mint_id);
    SHA256((const unsigned char *)text, strlen(text), digest);
    lg_hex_encode(digest, sizeof(digest), out);
}
