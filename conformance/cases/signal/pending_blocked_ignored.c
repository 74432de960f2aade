// syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending, kill
/* A blocked signal is queued even when its disposition is SIG_IGN or a default-ignore SIG_DFL
 * (the handler may change before it is unblocked); an unblocked ignored signal is dropped at
 * once; setting SIG_IGN (or SIG_DFL for a default-ignore signal) discards a pending one. */
#include "harness.h"
#include <signal.h>

static int pending(int s) {
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, s);
}

int main(void) {
    struct sigaction ign = {0}, dfl = {0};
    ign.sa_handler = SIG_IGN;
    dfl.sa_handler = SIG_DFL;
    EXPECT_OK(sigaction(SIGUSR1, &ign, NULL));
    EXPECT_OK(sigaction(SIGURG, &dfl, NULL));
    /* Unblocked and ignored: dropped. */
    EXPECT_OK(kill(getpid(), SIGUSR1));
    EXPECT_OK(kill(getpid(), SIGURG));
    SAY("unblocked: USR1 pending=%d URG pending=%d", pending(SIGUSR1), pending(SIGURG));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGURG);
    sigaddset(&set, SIGUSR2);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    EXPECT_OK(kill(getpid(), SIGUSR1));
    EXPECT_OK(kill(getpid(), SIGURG));
    SAY("blocked: USR1 pending=%d URG pending=%d", pending(SIGUSR1), pending(SIGURG));
    /* Re-setting SIG_IGN discards the pending SIGUSR1. */
    EXPECT_OK(sigaction(SIGUSR1, &ign, NULL));
    SAY("after SIG_IGN: USR1 pending=%d", pending(SIGUSR1));
    /* SIG_DFL for default-ignore SIGURG discards it too. */
    EXPECT_OK(sigaction(SIGURG, &dfl, NULL));
    SAY("after SIG_DFL: URG pending=%d", pending(SIGURG));
    /* SIG_DFL for a default-terminate signal keeps it pending. */
    EXPECT_OK(kill(getpid(), SIGUSR2));
    EXPECT_OK(sigaction(SIGUSR2, &dfl, NULL));
    SAY("USR2 after SIG_DFL: pending=%d", pending(SIGUSR2));
    /* Ignore it, then unblock: nothing happens. */
    EXPECT_OK(sigaction(SIGUSR2, &ign, NULL));
    SAY("USR2 after SIG_IGN: pending=%d", pending(SIGUSR2));
    EXPECT_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    SAY("survived");
    return t_done();
}
