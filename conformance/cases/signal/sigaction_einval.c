// syscalls: rt_sigaction
/* Raw rt_sigaction errors: EINVAL for any new action on SIGKILL or SIGSTOP (even SIG_DFL),
 * for signal 0, 65 and -1, and for a sigsetsize other than 8; EFAULT for a wild action pointer.
 * A query of SIGKILL/SIGSTOP (NULL new action) succeeds. */
#include "harness.h"
#include <signal.h>

struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
};

static long rt_sigaction(long sig, const struct ksigaction *act, struct ksigaction *old,
                         long size) {
    return syscall(SYS_rt_sigaction, sig, act, old, size);
}

int main(void) {
    struct ksigaction ign = {SIG_IGN, 0, NULL, 0}, dfl = {SIG_DFL, 0, NULL, 0}, old;
    EXPECT_ERR(rt_sigaction(SIGKILL, &ign, NULL, 8), EINVAL);
    EXPECT_ERR(rt_sigaction(SIGKILL, &dfl, NULL, 8), EINVAL);
    EXPECT_ERR(rt_sigaction(SIGSTOP, &ign, NULL, 8), EINVAL);
    EXPECT_ERR(rt_sigaction(SIGSTOP, &dfl, &old, 8), EINVAL);
    EXPECT_EQ(rt_sigaction(SIGKILL, NULL, &old, 8), 0);
    CHECK(old.handler == SIG_DFL);
    EXPECT_EQ(rt_sigaction(SIGSTOP, NULL, &old, 8), 0);
    EXPECT_ERR(rt_sigaction(0, &ign, NULL, 8), EINVAL);
    EXPECT_ERR(rt_sigaction(0, NULL, &old, 8), EINVAL);
    EXPECT_ERR(rt_sigaction(65, &ign, NULL, 8), EINVAL);
    EXPECT_ERR(rt_sigaction(65, NULL, &old, 8), EINVAL);
    EXPECT_ERR(rt_sigaction(-1, NULL, &old, 8), EINVAL);
    EXPECT_EQ(rt_sigaction(64, NULL, &old, 8), 0);
    EXPECT_ERR(rt_sigaction(SIGUSR1, &ign, NULL, 4), EINVAL);
    EXPECT_ERR(rt_sigaction(SIGUSR1, &ign, NULL, 16), EINVAL);
    EXPECT_ERR(rt_sigaction(SIGUSR1, NULL, &old, 0), EINVAL);
    EXPECT_ERR(rt_sigaction(SIGUSR1, (void *)8, NULL, 8), EFAULT);
    EXPECT_ERR(rt_sigaction(SIGUSR1, NULL, (void *)8, 8), EFAULT);
    /* The failed calls changed nothing. */
    EXPECT_EQ(rt_sigaction(SIGUSR1, NULL, &old, 8), 0);
    CHECK(old.handler == SIG_DFL);
    /* A valid change still works. */
    EXPECT_EQ(rt_sigaction(SIGUSR1, &ign, NULL, 8), 0);
    EXPECT_EQ(rt_sigaction(SIGUSR1, NULL, &old, 8), 0);
    CHECK(old.handler == SIG_IGN);
    return t_done();
}
