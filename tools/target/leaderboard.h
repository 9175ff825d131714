/* leaderboard: per season, one board per category and one across all categories
 * ("all"). A player's entry holds their best score and the sequence number of the
 * session that first reached it; boards rank by score (higher first), then by the
 * earlier sequence. Entries equal in both share a rank (competition ranking). */
#ifndef LG_LEADERBOARD_H
#define LG_LEADERBOARD_H

#include <stddef.h>
#include <stdint.h>

struct lg_board_entry {
    char player_id[48];
    int score;
    uint64_t seq; /* smaller = earlier */
};

struct lg_board {
    char season[32];
    char category[16];
    struct lg_board_entry *v; /* sorted best first */
    size_t n, cap;
};

struct lg_boards {
    struct lg_board *v;
    size_t n, cap;
    size_t max_entries; /* per board; past it the lowest-ranked entry goes */
};

/* An empty set of boards, each holding at most max_entries (>= 1). */
void lg_boards_init(struct lg_boards *b, size_t max_entries);
/* Frees every board; accepts NULL. */
void lg_boards_free(struct lg_boards *b);
/* Records a finished session: on the season's `category` board and its "all" board,
 * the player's entry becomes (score, seq) if the score beats their best so far. */
void lg_boards_submit(struct lg_boards *b, const char *season, const char *category,
                      const char *player_id, int score, uint64_t seq);
/* The board for (season, category), category "all" for the global one, or NULL
 * when nothing was ever recorded there. Owned by b; valid until the next submit. */
const struct lg_board *lg_boards_get(const struct lg_boards *b, const char *season,
                                     const char *category);
/* The 1-based rank of the entry at index i of a board. */
size_t lg_board_rank_at(const struct lg_board *board, size_t i);
/* The index of player_id's entry, or -1. */
long lg_board_find(const struct lg_board *board, const char *player_id);

#endif
