// syscalls: rt_sigaction, rt_sigprocmask, kill, rt_sigreturn, rt_sigpending
/* During a handler the mask is the old mask + sa_mask + the signal itself; a signal in sa_mask
 * raised inside the handler stays pending and runs right after the handler returns; the old
 * mask is back afterwards. */
#include "harness.h"
#include <signal.h>

static int order[8], norder;
static volatile int in_usr1[4];

static void on_usr2(int s) {
    (void)s;
    order[norder++] = 2;
}

static void on_usr1(int s) {
    (void)s;
    sigset_t cur, pend;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    in_usr1[0] = sigismember(&cur, SIGUSR1);
    in_usr1[1] = sigismember(&cur, SIGUSR2);
    in_usr1[2] = sigismember(&cur, SIGTERM);
    in_usr1[3] = sigismember(&cur, SIGHUP); /* from the old mask */
    order[norder++] = 1;
    kill(getpid(), SIGUSR2);
    sigpending(&pend);
    if (sigismember(&pend, SIGUSR2)) order[norder++] = 12; /* pending inside */
    order[norder++] = 10;
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_usr2;
    EXPECT_OK(sigaction(SIGUSR2, &sa, NULL));
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
    sigset_t hup, now;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &hup, NULL));
    EXPECT_OK(kill(getpid(), SIGUSR1));
    SAY("in handler: USR1=%d USR2=%d TERM=%d HUP=%d", in_usr1[0], in_usr1[1], in_usr1[2],
        in_usr1[3]);
    printf("order:");
    for (int i = 0; i < norder; i++) printf(" %d", order[i]);
    printf("\n");
    EXPECT_OK(sigprocmask(SIG_BLOCK, NULL, &now));
    SAY("after: USR1=%d USR2=%d HUP=%d", sigismember(&now, SIGUSR1), sigismember(&now, SIGUSR2),
        sigismember(&now, SIGHUP));
    return t_done();
}
