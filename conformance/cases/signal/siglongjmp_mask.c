// syscalls: rt_sigaction, rt_sigprocmask, kill
/* Leaving a handler with siglongjmp: from sigsetjmp(env, 1) the saved mask comes back (the
 * handled signal is unblocked again); from sigsetjmp(env, 0) the mask stays as it was inside
 * the handler (signal and sa_mask still blocked); a handled signal raised again then works. */
#include "harness.h"
#include <setjmp.h>
#include <signal.h>

static sigjmp_buf env;
static volatile int hits;

static void on_usr1(int s) {
    (void)s;
    hits++;
    siglongjmp(env, 1);
}

static void show(const char *what) {
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    SAY("%s: hits=%d USR1 blocked=%d USR2 blocked=%d", what, hits, sigismember(&now, SIGUSR1),
        sigismember(&now, SIGUSR2));
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    if (sigsetjmp(env, 1) == 0) {
        kill(getpid(), SIGUSR1);
        T_FAIL("handler returned");
    }
    show("savemask 1");
    if (sigsetjmp(env, 0) == 0) {
        kill(getpid(), SIGUSR1);
        T_FAIL("handler returned");
    }
    show("savemask 0");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    if (sigsetjmp(env, 1) == 0) {
        kill(getpid(), SIGUSR1);
        T_FAIL("handler returned");
    }
    show("again");
    return t_done();
}
