// syscalls: rt_sigtimedwait, rt_sigprocmask, rt_sigqueueinfo, kill
/* rt_sigtimedwait: EAGAIN when nothing in the set is pending (zero timeout, then a short one);
 * otherwise it dequeues the lowest pending signal of the set with its siginfo, leaving others
 * pending; EINVAL for a bad timeout or a sigsetsize other than 8; EFAULT for a wild set. */
#include "harness.h"
#include <signal.h>

int main(void) {
    syscall(SYS_alarm, 5);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGRTMIN);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    struct timespec zero = {0, 0}, shortly = {0, 20 * 1000 * 1000};
    siginfo_t si;
    EXPECT_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
    EXPECT_ERR(sigtimedwait(&set, &si, &shortly), EAGAIN);
    struct timespec bad = {0, 1000000000};
    EXPECT_ERR(sigtimedwait(&set, &si, &bad), EINVAL);
    struct timespec neg = {-1, 0};
    EXPECT_ERR(sigtimedwait(&set, &si, &neg), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 16), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigtimedwait, (void *)8, &si, &zero, 8), EFAULT);

    sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 5});
    sigqueue(getpid(), SIGUSR2, (union sigval){.sival_int = 6});
    kill(getpid(), SIGUSR1);
    memset(&si, 0, sizeof si);
    EXPECT_EQ(sigtimedwait(&set, &si, &zero), SIGUSR1);
    SAY("info: signo=%d code=%d pid ok=%d", si.si_signo, si.si_code, si.si_pid == getpid());
    memset(&si, 0, sizeof si);
    EXPECT_EQ(sigwaitinfo(&set, &si), SIGUSR2);
    SAY("info: signo=%d code=%d value=%d", si.si_signo, si.si_code, si.si_value.sival_int);
    /* A NULL info is allowed. */
    EXPECT_EQ(syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, 8) == SIGRTMIN, 1);
    EXPECT_ERR(sigtimedwait(&set, &si, &zero), EAGAIN);
    /* A set naming only signals that are not pending waits even if others are. */
    kill(getpid(), SIGUSR2);
    sigset_t only1;
    sigemptyset(&only1);
    sigaddset(&only1, SIGUSR1);
    EXPECT_ERR(sigtimedwait(&only1, &si, &zero), EAGAIN);
    sigset_t pend;
    sigpending(&pend);
    SAY("USR2 still pending = %d", sigismember(&pend, SIGUSR2));
    return t_done();
}
