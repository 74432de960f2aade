// syscalls: rt_sigprocmask
/* Raw rt_sigprocmask: SIG_BLOCK adds, SIG_UNBLOCK removes, SIG_SETMASK replaces, each handing
 * back the previous mask; SIGKILL and SIGSTOP are silently dropped from any new mask; a bad
 * `how` is EINVAL (but not when the new set is NULL: then nothing is changed); a sigsetsize
 * other than 8 is EINVAL; wild pointers are EFAULT. */
#include "harness.h"
#include <signal.h>

#define BIT(s) (1UL << ((s) - 1))

static long mask(int how, const unsigned long *set, unsigned long *old) {
    return syscall(SYS_rt_sigprocmask, how, set, old, 8);
}

static unsigned long current(void) {
    unsigned long m = ~0UL;
    mask(SIG_BLOCK, NULL, &m);
    return m;
}

int main(void) {
    unsigned long zero = 0, old = 0;
    EXPECT_EQ(mask(SIG_SETMASK, &zero, NULL), 0);
    SAY("start = %#lx", current());
    unsigned long a = BIT(SIGUSR1) | BIT(SIGHUP);
    EXPECT_EQ(mask(SIG_BLOCK, &a, &old), 0);
    SAY("old = %#lx now = %#lx", old, current());
    unsigned long b = BIT(SIGUSR2) | BIT(SIGHUP);
    EXPECT_EQ(mask(SIG_BLOCK, &b, &old), 0);
    SAY("old = %#lx now = %#lx", old, current());
    unsigned long c = BIT(SIGHUP) | BIT(SIGINT); /* SIGINT not blocked: harmless */
    EXPECT_EQ(mask(SIG_UNBLOCK, &c, &old), 0);
    SAY("old = %#lx now = %#lx", old, current());
    unsigned long d = BIT(SIGTERM) | BIT(SIGKILL) | BIT(SIGSTOP) | BIT(40) | BIT(64);
    EXPECT_EQ(mask(SIG_SETMASK, &d, &old), 0);
    SAY("old = %#lx now = %#lx", old, current());
    unsigned long all = ~0UL;
    EXPECT_EQ(mask(SIG_SETMASK, &all, NULL), 0);
    SAY("all = %#lx", current());

    EXPECT_ERR(mask(3, &a, &old), EINVAL);
    EXPECT_ERR(mask(-1, &a, NULL), EINVAL);
    SAY("unchanged = %#lx", current());
    EXPECT_EQ(mask(3, NULL, &old), 0);
    EXPECT_EQ(mask(99, NULL, NULL), 0);
    SAY("old = %#lx", old);
    EXPECT_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &a, NULL, 4), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &old, 16), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(mask(SIG_BLOCK, (void *)8, NULL), EFAULT);
    EXPECT_ERR(mask(SIG_BLOCK, NULL, (void *)8), EFAULT);
    EXPECT_EQ(mask(SIG_SETMASK, &zero, NULL), 0);
    SAY("end = %#lx", current());
    return t_done();
}
