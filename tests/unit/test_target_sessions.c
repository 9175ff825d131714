/* Unit tests for loadgate-target's sessions (tools/target/sessions.c): answering,
 * scoring (perfect when every choice is 0), the refusals, and a player's record
 * and history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sessions.h"

static const int pool[5] = {7, 0, 42, 99, 13};

static void answer_all(struct lg_session *s, const int *choices)
{
    for (int i = 0; i < s->n; i++) {
        char qid[32];
        int correct = -1;
        snprintf(qid, sizeof(qid), "q-%s-%03d", s->category, s->pool_index[i]);
        assert_int_equal(lg_session_answer(s, qid, choices[i], &correct), LG_SESSION_OK);
        assert_int_equal(correct, choices[i] == 0);
    }
}

static void test_target_sessions_perfect_when_all_choice_0(void **state)
{
    struct lg_session *s = lg_session_new("s-1", "guest-1", "science", pool, 5);
    const int zeros[5] = {0, 0, 0, 0, 0};
    answer_all(s, zeros);
    assert_int_equal(s->answered, 5);
    assert_int_equal(lg_session_complete(s), LG_SESSION_OK);
    assert_int_equal(s->score, 5);
    assert_true(s->perfect);
    assert_int_equal(lg_session_complete(s), 1); /* again: the score stands */
    assert_int_equal(s->score, 5);
    lg_session_free(s);
}

static void test_target_sessions_score_counts_right_answers(void **state)
{
    struct lg_session *s = lg_session_new("s-2", "guest-1", "history", pool, 5);
    const int choices[5] = {0, 3, 0, 1, 0};
    answer_all(s, choices);
    assert_int_equal(lg_session_complete(s), LG_SESSION_OK);
    assert_int_equal(s->score, 3);
    assert_false(s->perfect);
    lg_session_free(s);
}

static void test_target_sessions_refusals(void **state)
{
    struct lg_session *s = lg_session_new("s-3", "guest-1", "sports", pool, 2);
    int correct;
    assert_int_equal(lg_session_complete(s), LG_SESSION_EINCOMPLETE);
    assert_int_equal(lg_session_answer(s, "q-sports-042", 0, &correct), LG_SESSION_EQUESTION);
    assert_int_equal(lg_session_answer(s, "q-science-007", 0, &correct), LG_SESSION_EQUESTION);
    assert_int_equal(lg_session_answer(s, "q-sports-007", 4, &correct), LG_SESSION_EQUESTION);
    assert_int_equal(lg_session_answer(s, "q-sports-007", -1, &correct), LG_SESSION_EQUESTION);
    assert_int_equal(lg_session_answer(s, NULL, 0, &correct), LG_SESSION_EQUESTION);
    assert_int_equal(lg_session_answer(s, "q-sports-007", 2, &correct), LG_SESSION_OK);
    assert_int_equal(lg_session_answer(s, "q-sports-007", 0, &correct), LG_SESSION_EANSWERED);
    assert_int_equal(lg_session_complete(s), LG_SESSION_EINCOMPLETE);
    assert_int_equal(lg_session_answer(s, "q-sports-000", 0, &correct), LG_SESSION_OK);
    assert_int_equal(lg_session_complete(s), LG_SESSION_OK);
    assert_int_equal(s->score, 1);
    assert_int_equal(lg_session_answer(s, "q-sports-000", 0, &correct), LG_SESSION_EDONE);
    lg_session_free(s);
}

static void test_target_sessions_questions_and_categories(void **state)
{
    struct lg_question q;
    lg_trivia_question("geography", 41, &q);
    assert_string_equal(q.id, "q-geography-041");
    assert_string_equal(q.text, "Geography question 42: which answer is right?");
    assert_string_equal(q.choices[0], "Right answer 42");
    assert_string_equal(q.choices[3], "Wrong answer 3");
    assert_true(lg_trivia_category_valid("science"));
    assert_true(lg_trivia_category_valid("sports"));
    assert_false(lg_trivia_category_valid("music"));
    assert_false(lg_trivia_category_valid(NULL));
}

static void test_target_sessions_player_record_and_history(void **state)
{
    struct lg_player p = {0};
    const int zeros[5] = {0, 0, 0, 0, 0}, some[5] = {1, 0, 0, 0, 0};
    for (int k = 0; k < LG_PLAYER_HISTORY + 3; k++) {
        char id[24];
        snprintf(id, sizeof(id), "s-%d", k);
        struct lg_session *s = lg_session_new(id, "guest-1", "science", pool, 5);
        answer_all(s, k % 2 ? some : zeros);
        lg_session_complete(s);
        lg_player_record(&p, s);
        lg_session_free(s);
    }
    assert_int_equal(p.sessions, LG_PLAYER_HISTORY + 3);
    assert_int_equal(p.best_score, 5);
    assert_int_equal(p.perfect_sessions, (LG_PLAYER_HISTORY + 3 + 1) / 2);
    assert_int_equal(p.history_n, LG_PLAYER_HISTORY);
    char newest[24], oldest[24];
    snprintf(newest, sizeof(newest), "s-%d", LG_PLAYER_HISTORY + 2);
    snprintf(oldest, sizeof(oldest), "s-%d", 3);
    assert_string_equal(lg_player_history(&p, 0)->session_id, newest);
    assert_int_equal(lg_player_history(&p, 0)->score, 5); /* s-22 is even: perfect */
    assert_true(lg_player_history(&p, 0)->perfect);
    assert_string_equal(lg_player_history(&p, LG_PLAYER_HISTORY - 1)->session_id, oldest);
    assert_int_equal(lg_player_history(&p, LG_PLAYER_HISTORY - 1)->score, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_sessions_perfect_when_all_choice_0),
        cmocka_unit_test(test_target_sessions_score_counts_right_answers),
        cmocka_unit_test(test_target_sessions_refusals),
        cmocka_unit_test(test_target_sessions_questions_and_categories),
        cmocka_unit_test(test_target_sessions_player_record_and_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
