/* delay: a min-heap of suspended connections by due time, and the one thread that
 * sleeps until the earliest is due and resumes it. */
#include "delay.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static void heap_push(struct lg_delay *d, struct lg_delay_item it)
{
    LG_GROW(d->heap, d->n + 1, d->cap);
    size_t i = d->n++;
    while (i > 0 && d->heap[(i - 1) / 2].due_us > it.due_us) {
        d->heap[i] = d->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    d->heap[i] = it;
}

static struct lg_delay_item heap_pop(struct lg_delay *d)
{
    struct lg_delay_item top = d->heap[0], last = d->heap[--d->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= d->n)
            break;
        if (c + 1 < d->n && d->heap[c + 1].due_us < d->heap[c].due_us)
            c++;
        if (last.due_us <= d->heap[c].due_us)
            break;
        d->heap[i] = d->heap[c];
        i = c;
    }
    if (d->n)
        d->heap[i] = last;
    return top;
}

static void *run(void *arg)
{
    struct lg_delay *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stopped) {
        if (d->n == 0) {
            pthread_cond_wait(&d->cond, &d->lock);
            continue;
        }
        int64_t due = d->heap[0].due_us, now = lg_now_us();
        if (due > now) {
            struct timespec ts = {.tv_sec = due / 1000000, .tv_nsec = (due % 1000000) * 1000};
            pthread_cond_timedwait(&d->cond, &d->lock, &ts);
            continue;
        }
        struct lg_delay_item it = heap_pop(d);
        MHD_resume_connection(it.conn);
    }
    while (d->n) /* stopping: nobody waits any longer */
        MHD_resume_connection(heap_pop(d).conn);
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

int lg_delay_start(struct lg_delay *d)
{
    pthread_condattr_t attr;
    memset(d, 0, sizeof(*d));
    pthread_mutex_init(&d->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* lg_now_us's clock */
    pthread_cond_init(&d->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&d->thread, NULL, run, d) != 0) {
        d->stopped = 1;
        return LG_EIO;
    }
    return 0;
}

void lg_delay_add(struct lg_delay *d, struct MHD_Connection *conn, int64_t due_us)
{
    pthread_mutex_lock(&d->lock);
    if (d->stopped) {
        pthread_mutex_unlock(&d->lock);
        MHD_resume_connection(conn);
        return;
    }
    heap_push(d, (struct lg_delay_item){.due_us = due_us, .conn = conn});
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
}

void lg_delay_stop(struct lg_delay *d)
{
    pthread_mutex_lock(&d->lock);
    int was_running = !d->stopped;
    d->stopped = 1;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
    if (was_running)
        pthread_join(d->thread, NULL);
}

void lg_delay_free(struct lg_delay *d)
{
    free(d->heap);
    d->heap = NULL;
    d->n = d->cap = 0;
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
}
