/* leaderboard: sorted arrays, one per (season, category), kept sorted on insert so
 * that a page read is a slice and a rank is an index. */
#include "leaderboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void lg_boards_init(struct lg_boards *b, size_t max_entries)
{
    memset(b, 0, sizeof(*b));
    b->max_entries = max_entries ? max_entries : 1;
}

void lg_boards_free(struct lg_boards *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        free(b->v[i].v);
    free(b->v);
    memset(b, 0, sizeof(*b));
}

/* <0 when x ranks before y. */
static int order(const struct lg_board_entry *x, const struct lg_board_entry *y)
{
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return strcmp(x->player_id, y->player_id);
}

static struct lg_board *board_for(struct lg_boards *b, const char *season, const char *category)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->v[i].season, season) == 0 && strcmp(b->v[i].category, category) == 0)
            return &b->v[i];
    LG_GROW(b->v, b->n + 1, b->cap);
    struct lg_board *board = &b->v[b->n++];
    memset(board, 0, sizeof(*board));
    snprintf(board->season, sizeof(board->season), "%s", season);
    snprintf(board->category, sizeof(board->category), "%s", category);
    return board;
}

long lg_board_find(const struct lg_board *board, const char *player_id)
{
    for (size_t i = 0; board && i < board->n; i++)
        if (strcmp(board->v[i].player_id, player_id) == 0)
            return (long)i;
    return -1;
}

static void board_submit(struct lg_board *board, size_t max_entries, const char *player_id,
                         int score, uint64_t seq)
{
    struct lg_board_entry e = {.score = score, .seq = seq};
    snprintf(e.player_id, sizeof(e.player_id), "%s", player_id);
    long old = lg_board_find(board, player_id);
    if (old >= 0) {
        if (board->v[old].score >= score)
            return; /* not a new best: the earlier time stands */
        memmove(&board->v[old], &board->v[old + 1], (board->n - (size_t)old - 1) * sizeof(e));
        board->n--;
    }
    size_t lo = 0, hi = board->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (order(&board->v[mid], &e) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (board->n >= max_entries) {
        if (lo >= board->n)
            return; /* ranks below everyone on a full board */
        board->n--;
    }
    LG_GROW(board->v, board->n + 1, board->cap);
    memmove(&board->v[lo + 1], &board->v[lo], (board->n - lo) * sizeof(e));
    board->v[lo] = e;
    board->n++;
}

void lg_boards_submit(struct lg_boards *b, const char *season, const char *category,
                      const char *player_id, int score, uint64_t seq)
{
    board_submit(board_for(b, season, category), b->max_entries, player_id, score, seq);
    if (strcmp(category, "all") != 0)
        board_submit(board_for(b, season, "all"), b->max_entries, player_id, score, seq);
}

const struct lg_board *lg_boards_get(const struct lg_boards *b, const char *season,
                                     const char *category)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->v[i].season, season) == 0 && strcmp(b->v[i].category, category) == 0)
            return &b->v[i];
    return NULL;
}

size_t lg_board_rank_at(const struct lg_board *board, size_t i)
{
    while (i > 0 && board->v[i - 1].score == board->v[i].score &&
           board->v[i - 1].seq == board->v[i].seq)
        i--;
    return i + 1;
}
