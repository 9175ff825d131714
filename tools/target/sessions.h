/* sessions: trivia questions, guest and wallet sessions, and the players' records.
 * Every question's right answer is choice 0. Plain data: the HTTP layer looks
 * sessions up and calls these under the target's lock. */
#ifndef LG_SESSIONS_H
#define LG_SESSIONS_H

#include <stddef.h>

#define LG_TRIVIA_CHOICES 4
#define LG_TRIVIA_POOL 100   /* questions per category */
#define LG_PLAYER_HISTORY 20 /* sessions a player's history keeps, newest first */

/* Outcomes of lg_session_answer and lg_session_complete. */
enum {
    LG_SESSION_OK = 0,
    LG_SESSION_EQUESTION = -1,   /* no such question in this session, or a bad choice */
    LG_SESSION_EANSWERED = -2,   /* that question was answered already */
    LG_SESSION_EINCOMPLETE = -3, /* complete before every question was answered */
    LG_SESSION_EDONE = -4,       /* answer after the session was completed */
};

struct lg_question {
    char id[32];
    char text[96];
    char choices[LG_TRIVIA_CHOICES][48];
};

struct lg_session {
    char id[24];
    char player_id[48];
    char category[16];
    int n;                /* questions */
    int *pool_index;      /* n question numbers in the category's pool */
    signed char *answers; /* n choices, -1 while unanswered */
    int answered;
    int completed, score, perfect;
    int minted;
};

/* A session's summary as a player's history keeps it. */
struct lg_history_entry {
    char session_id[24];
    char category[16];
    int score, total, perfect;
};

struct lg_player {
    char id[48];
    char address[48]; /* "" for a guest */
    int sessions;     /* completed sessions */
    int best_score;
    int perfect_sessions;
    struct lg_history_entry history[LG_PLAYER_HISTORY]; /* a ring */
    int history_n, history_next;
};

/* 1 when name is one of the categories: science, history, geography, sports. */
int lg_trivia_category_valid(const char *name);
/* Writes question number `index` (0..LG_TRIVIA_POOL-1) of a category into q. */
void lg_trivia_question(const char *category, int index, struct lg_question *q);

/* A new session of n questions whose pool numbers are given (copied). The caller
 * owns it; free with lg_session_free (which accepts NULL; its signature fits
 * lg_kv's free_cb). */
struct lg_session *lg_session_new(const char *id, const char *player_id, const char *category,
                                  const int *pool_index, int n);
void lg_session_free(void *session);
/* Records `choice` for the question whose id is question_id; *correct says whether
 * it was right. Returns LG_SESSION_OK or a negative code above. */
int lg_session_answer(struct lg_session *s, const char *question_id, int choice, int *correct);
/* Scores a session once every question is answered: score = right answers,
 * perfect = all right. Returns LG_SESSION_OK the first time, 1 when it was
 * completed already (the score stands), LG_SESSION_EINCOMPLETE otherwise. */
int lg_session_complete(struct lg_session *s);

/* Adds a completed session to a player's record and history. */
void lg_player_record(struct lg_player *p, const struct lg_session *s);
/* History entry k (0 = newest) of a player; k < p->history_n. */
const struct lg_history_entry *lg_player_history(const struct lg_player *p, int k);

#endif
