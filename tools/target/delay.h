/* delay: holds suspended libmicrohttpd connections until their due time, from one
 * timer thread, so that an injected latency or stall never blocks a worker thread
 * or any other connection. */
#ifndef LG_DELAY_H
#define LG_DELAY_H

#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct lg_delay_item {
    int64_t due_us; /* lg_now_us() time */
    struct MHD_Connection *conn;
};

struct lg_delay {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;        /* on CLOCK_MONOTONIC */
    struct lg_delay_item *heap; /* a min-heap on due_us */
    size_t n, cap;
    int stopped;
};

/* Starts the timer thread; 0 or LG_EIO. */
int lg_delay_start(struct lg_delay *d);
/* Resumes conn (which the caller has just suspended with MHD_suspend_connection)
 * at due_us; at once when the timer has stopped. */
void lg_delay_add(struct lg_delay *d, struct MHD_Connection *conn, int64_t due_us);
/* Resumes every held connection, stops and joins the thread; later adds resume at
 * once. */
void lg_delay_stop(struct lg_delay *d);
/* Frees what lg_delay_start set up, once nothing can call lg_delay_add. */
void lg_delay_free(struct lg_delay *d);

#endif
