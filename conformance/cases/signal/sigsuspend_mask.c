// syscalls: rt_sigprocmask, rt_sigsuspend, rt_sigaction, kill, rt_sigpending, rt_sigreturn
/* rt_sigsuspend runs the handler of a blocked, pending signal under the temporary mask and
 * returns EINTR with the old mask back in place. */
#include "harness.h"
#include <signal.h>

static volatile sig_atomic_t got;
static volatile int blocked_in_handler;

static void on_usr1(int s) {
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    got = s;
    blocked_in_handler = sigismember(&cur, SIGUSR1);
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
    sigset_t block, old, pending, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &block, &old));
    EXPECT_OK(kill(getpid(), SIGUSR1));
    EXPECT_OK(sigpending(&pending));
    CHECK(sigismember(&pending, SIGUSR1));
    CHECK(got == 0);
    sigemptyset(&empty);
    EXPECT_ERR(sigsuspend(&empty), EINTR);
    EXPECT_EQ(got, SIGUSR1);
    CHECK(blocked_in_handler == 1);
    sigset_t now;
    EXPECT_OK(sigprocmask(SIG_BLOCK, NULL, &now));
    CHECK(sigismember(&now, SIGUSR1));
    return t_done();
}
