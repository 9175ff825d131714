/* mint: the NFT mint's life, a pure function of the time since it was requested:
 * pending for the first half of the delay, submitted until the delay ends, then
 * confirmed or failed (decided once, when the mint is created). */
#ifndef LG_MINT_H
#define LG_MINT_H

#include <stdint.h>

enum lg_mint_status {
    LG_MINT_PENDING,
    LG_MINT_SUBMITTED,
    LG_MINT_CONFIRMED,
    LG_MINT_FAILED,
};

struct lg_mint {
    char id[24]; /* "m-" + 16 hex */
    char session_id[24];
    char player_id[48];
    int64_t created_us; /* lg_now_us() at creation */
    int fails;          /* decided at creation: ends failed instead of confirmed */
};

/* The status `elapsed_us` after creation for a mint of `delay_us`; a stuck mint
 * stays pending forever. */
enum lg_mint_status lg_mint_status_at(int64_t elapsed_us, int64_t delay_us, int fails, int stuck);
/* "pending", "submitted", "confirmed" or "failed". */
const char *lg_mint_status_name(enum lg_mint_status s);
/* Whether a mint fails, given a uniform draw u in [0, 1) and the failure share. */
int lg_mint_decide_fail(double u, double fail_share);
/* The confirmed transaction's hash: SHA-256 hex of "tx:" + mint id (65 bytes). */
void lg_mint_tx_hash(const char *mint_id, char out[65]);

#endif
