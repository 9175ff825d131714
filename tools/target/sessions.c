/* sessions: trivia questions generated from their category and index (no question
 * bank), answering and scoring, and the players' records of their sessions. */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const categories[] = {"science", "history", "geography", "sports"};

int lg_trivia_category_valid(const char *name)
{
    for (size_t i = 0; name && i < sizeof(categories) / sizeof(*categories); i++)
        if (strcmp(name, categories[i]) == 0)
            return 1;
    return 0;
}

void lg_trivia_question(const char *category, int index, struct lg_question *q)
{
    snprintf(q->id, sizeof(q->id), "q-%s-%03d", category, index);
    snprintf(q->text, sizeof(q->text), "%c%s question %d: which answer is right?",
             category[0] - 'a' + 'A', category + 1, index + 1);
    for (int c = 0; c < LG_TRIVIA_CHOICES; c++)
        snprintf(q->choices[c], sizeof(q->choices[c]), "%s %d",
                 c == 0 ? "Right answer" : "Wrong answer", c == 0 ? index + 1 : c);
}

struct lg_session *lg_session_new(const char *id, const char *player_id, const char *category,
                                  const int *pool_index, int n)
{
    struct lg_session *s = lg_calloc(1, sizeof(*s));
    snprintf(s->id, sizeof(s->id), "%s", id);
    snprintf(s->player_id, sizeof(s->player_id), "%s", player_id);
    snprintf(s->category, sizeof(s->category), "%s", category);
    s->n = n;
    s->pool_index = lg_malloc((size_t)n * sizeof(*s->pool_index) + 1);
    memcpy(s->pool_index, pool_index, (size_t)n * sizeof(*s->pool_index));
    s->answers = lg_malloc((size_t)n + 1);
    memset(s->answers, -1, (size_t)n);
    return s;
}

void lg_session_free(void *session)
{
    struct lg_session *s = session;
    if (!s)
        return;
    free(s->pool_index);
    free(s->answers);
    free(s);
}

int lg_session_answer(struct lg_session *s, const char *question_id, int choice, int *correct)
{
    if (s->completed)
        return LG_SESSION_EDONE;
    if (choice < 0 || choice >= LG_TRIVIA_CHOICES || !question_id)
        return LG_SESSION_EQUESTION;
    for (int i = 0; i < s->n; i++) {
        char id[32];
        snprintf(id, sizeof(id), "q-%s-%03d", s->category, s->pool_index[i]);
        if (strcmp(id, question_id) != 0)
            continue;
        if (s->answers[i] >= 0)
            return LG_SESSION_EANSWERED;
        s->answers[i] = (signed char)choice;
        s->answered++;
        *correct = choice == 0;
        return LG_SESSION_OK;
    }
    return LG_SESSION_EQUESTION;
}

int lg_session_complete(struct lg_session *s)
{
    if (s->completed)
        return 1;
    if (s->answered < s->n)
        return LG_SESSION_EINCOMPLETE;
    s->score = 0;
    for (int i = 0; i < s->n; i++)
        s->score += s->answers[i] == 0;
    s->perfect = s->score == s->n;
    s->completed = 1;
    return LG_SESSION_OK;
}

void lg_player_record(struct lg_player *p, const struct lg_session *s)
{
    p->sessions++;
    if (s->score > p->best_score)
        p->best_score = s->score;
    p->perfect_sessions += s->perfect;
    struct lg_history_entry *h = &p->history[p->history_next];
    snprintf(h->session_id, sizeof(h->session_id), "%s", s->id);
    snprintf(h->category, sizeof(h->category), "%s", s->category);
    h->score = s->score;
    h->total = s->n;
    h->perfect = s->perfect;
    p->history_next = (p->history_next + 1) % LG_PLAYER_HISTORY;
    if (p->history_n < LG_PLAYER_HISTORY)
        p->history_n++;
}

const struct lg_history_entry *lg_player_history(const struct lg_player *p, int k)
{
    int i = (p->history_next - 1 - k + 2 * LG_PLAYER_HISTORY) % LG_PLAYER_HISTORY;
    return &p->history[i];
}
