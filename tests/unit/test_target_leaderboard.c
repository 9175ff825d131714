/* Unit tests for loadgate-target's leaderboard (tools/target/leaderboard.c): exact
 * ranks with ties, best scores kept, per-category and "all" boards, seasons kept
 * apart, pagination as slices, and the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "leaderboard.h"

static int setup(void **state)
{
    static struct lg_boards b;
    lg_boards_init(&b, 1000);
    *state = &b;
    return 0;
}

static int teardown(void **state)
{
    lg_boards_free(*state);
    return 0;
}

static void expect_row(const struct lg_board *b, size_t i, size_t rank, const char *player,
                       int score)
{
    assert_true(i < b->n);
    assert_int_equal(lg_board_rank_at(b, i), rank);
    assert_string_equal(b->v[i].player_id, player);
    assert_int_equal(b->v[i].score, score);
}

static void test_target_leaderboard_ranks_with_ties(void **state)
{
    struct lg_boards *b = *state;
    lg_boards_submit(b, "s1", "science", "carol", 7, 3);
    lg_boards_submit(b, "s1", "science", "alice", 9, 5);
    lg_boards_submit(b, "s1", "science", "bob", 9, 2);  /* same score, earlier: ahead */
    lg_boards_submit(b, "s1", "science", "dave", 7, 3); /* same score and time as carol */
    lg_boards_submit(b, "s1", "science", "erin", 4, 1);
    const struct lg_board *s = lg_boards_get(b, "s1", "science");
    assert_non_null(s);
    assert_int_equal(s->n, 5);
    expect_row(s, 0, 1, "bob", 9);
    expect_row(s, 1, 2, "alice", 9);
    expect_row(s, 2, 3, "carol", 7);
    expect_row(s, 3, 3, "dave", 7); /* a true tie shares the rank ... */
    expect_row(s, 4, 5, "erin", 4); /* ... and the next rank skips */
    assert_int_equal(lg_board_find(s, "dave"), 3);
    assert_int_equal(lg_board_find(s, "nobody"), -1);
}

static void test_target_leaderboard_keeps_best_score(void **state)
{
    struct lg_boards *b = *state;
    lg_boards_submit(b, "s1", "history", "alice", 5, 1);
    lg_boards_submit(b, "s1", "history", "bob", 6, 2);
    lg_boards_submit(b, "s1", "history", "alice", 5, 3); /* equal: the earlier time stands */
    lg_boards_submit(b, "s1", "history", "bob", 2, 4);   /* lower: ignored */
    const struct lg_board *h = lg_boards_get(b, "s1", "history");
    assert_int_equal(h->n, 2);
    expect_row(h, 0, 1, "bob", 6);
    expect_row(h, 1, 2, "alice", 5);
    assert_int_equal(h->v[1].seq, 1);
    lg_boards_submit(b, "s1", "history", "alice", 8, 5); /* a new best moves her up */
    expect_row(h, 0, 1, "alice", 8);
    expect_row(h, 1, 2, "bob", 6);
    assert_int_equal(h->n, 2);
}

static void test_target_leaderboard_per_category_and_all(void **state)
{
    struct lg_boards *b = *state;
    lg_boards_submit(b, "s1", "science", "alice", 3, 1);
    lg_boards_submit(b, "s1", "sports", "alice", 8, 2);
    lg_boards_submit(b, "s1", "sports", "bob", 5, 3);
    lg_boards_submit(b, "s1", "science", "bob", 6, 4);
    const struct lg_board *sci = lg_boards_get(b, "s1", "science");
    const struct lg_board *spo = lg_boards_get(b, "s1", "sports");
    const struct lg_board *all = lg_boards_get(b, "s1", "all");
    expect_row(sci, 0, 1, "bob", 6);
    expect_row(sci, 1, 2, "alice", 3);
    expect_row(spo, 0, 1, "alice", 8);
    expect_row(spo, 1, 2, "bob", 5);
    /* across categories each player's best counts once */
    assert_int_equal(all->n, 2);
    expect_row(all, 0, 1, "alice", 8);
    expect_row(all, 1, 2, "bob", 6);
    assert_null(lg_boards_get(b, "s1", "geography"));
}

static void test_target_leaderboard_seasons_apart(void **state)
{
    struct lg_boards *b = *state;
    lg_boards_submit(b, "2024-s4", "science", "alice", 10, 1);
    lg_boards_submit(b, "2025-s1", "science", "bob", 2, 2);
    const struct lg_board *old = lg_boards_get(b, "2024-s4", "all");
    const struct lg_board *cur = lg_boards_get(b, "2025-s1", "all");
    assert_int_equal(old->n, 1);
    expect_row(old, 0, 1, "alice", 10);
    assert_int_equal(cur->n, 1);
    expect_row(cur, 0, 1, "bob", 2);
    assert_null(lg_boards_get(b, "2023-s1", "all"));
}

static void test_target_leaderboard_pagination_slices(void **state)
{
    struct lg_boards *b = *state;
    char id[16];
    for (int i = 0; i < 25; i++) { /* scores 0..24 in order: player p24 leads */
        snprintf(id, sizeof(id), "p%02d", i);
        lg_boards_submit(b, "s1", "geography", id, i, (uint64_t)i + 1);
    }
    const struct lg_board *g = lg_boards_get(b, "s1", "geography");
    assert_int_equal(g->n, 25);
    /* offset 10, limit 10 is indices 10..19: ranks 11..20 */
    for (size_t i = 10; i < 20; i++) {
        snprintf(id, sizeof(id), "p%02zu", 24 - i);
        expect_row(g, i, i + 1, id, (int)(24 - i));
    }
    expect_row(g, 24, 25, "p00", 0);
}

static void test_target_leaderboard_cap_drops_lowest(void **state)
{
    struct lg_boards small;
    lg_boards_init(&small, 3);
    lg_boards_submit(&small, "s1", "sports", "a", 5, 1);
    lg_boards_submit(&small, "s1", "sports", "b", 7, 2);
    lg_boards_submit(&small, "s1", "sports", "c", 6, 3);
    lg_boards_submit(&small, "s1", "sports", "d", 1, 4); /* below everyone on a full board */
    lg_boards_submit(&small, "s1", "sports", "e", 9, 5); /* pushes "a" out */
    const struct lg_board *s = lg_boards_get(&small, "s1", "sports");
    assert_int_equal(s->n, 3);
    expect_row(s, 0, 1, "e", 9);
    expect_row(s, 1, 2, "b", 7);
    expect_row(s, 2, 3, "c", 6);
    lg_boards_free(&small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_target_leaderboard_ranks_with_ties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_leaderboard_keeps_best_score, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_leaderboard_per_category_and_all, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_target_leaderboard_seasons_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_leaderboard_pagination_slices, setup, teardown),
        cmocka_unit_test(test_target_leaderboard_cap_drops_lowest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
