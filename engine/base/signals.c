/* signals: after-run handling of SIGINT, SIGTERM and SIGHUP (see signals.h). The
 * handler only counts, and on the second signal unlinks the pending temporary
 * file and calls _exit: both async-signal-safe. */
#include "signals.h"

#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t received_n;
static volatile sig_atomic_t last_signum;
static volatile sig_atomic_t pending_set; /* pending_path is complete and valid */
static char pending_path[PATH_MAX];

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};

static void on_signal(int signum)
{
    received_n = received_n + 1;
    last_signum = signum;
    if (received_n < 2)
        return;
    if (pending_set)
        unlink(pending_path);
    _exit(LG_EXIT_ABORTED);
}

static void install(int received, int flags)
{
    received_n = received;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
        sigaddset(&sa.sa_mask, handled[i]); /* one handler at a time */
    sa.sa_flags = flags;
    for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
        sigaction(handled[i], &sa, NULL);
}

void lg_signals_before_run(void)
{
    /* Without SA_RESTART: a read of a pipe whose writer stalls fails with EINTR
     * rather than waiting on. */
    install(0, 0);
}

void lg_signals_after_run(int received)
{
    install(received, SA_RESTART);
}

int lg_signals_received(void)
{
    return received_n;
}

int lg_signals_last(void)
{
    return last_signum;
}

void lg_signals_pending_file(const char *path)
{
    pending_set = 0;
    if (!path || strlen(path) >= sizeof(pending_path))
        return;
    memcpy(pending_path, path, strlen(path) + 1);
    pending_set = 1;
}

void lg_signals_reset(void)
{
    pending_set = 0;
    received_n = 0;
    last_signum = 0;
    for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
        signal(handled[i], SIG_DFL);
}
