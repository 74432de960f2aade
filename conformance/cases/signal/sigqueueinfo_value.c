// syscalls: rt_sigqueueinfo, rt_tgsigqueueinfo, rt_sigaction, rt_sigreturn
/* rt_sigqueueinfo/rt_tgsigqueueinfo to oneself deliver the caller's siginfo to an SA_SIGINFO
 * handler as given (si_code, si_value, even a made-up si_pid/si_uid), except si_signo, which
 * the kernel sets to the signal sent. sigqueue() is SI_QUEUE with the caller's pid and uid. */
#include "harness.h"
#include <signal.h>

static volatile int n;
static siginfo_t seen;

static void on_sig(int s, siginfo_t *si, void *uc) {
    (void)s, (void)uc;
    seen = *si;
    n++;
}

static void show(const char *what) {
    SAY("%s: n=%d signo=%d code=%d value=%d pid=%d uid=%d", what, n, seen.si_signo, seen.si_code,
        seen.si_value.sival_int, seen.si_pid, seen.si_uid);
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGRTMIN + 3, &sa, NULL);

    union sigval v = {.sival_int = 42};
    EXPECT_OK(sigqueue(getpid(), SIGUSR1, v));
    SAY("sigqueue: n=%d signo=%d code=%d value=%d pid ok=%d uid ok=%d", n, seen.si_signo,
        seen.si_code, seen.si_value.sival_int, seen.si_pid == getpid(), seen.si_uid == getuid());

    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = 99; /* overwritten */
    si.si_code = -20;
    si.si_pid = 4242;
    si.si_uid = 777;
    si.si_value.sival_int = 1234;
    EXPECT_EQ(syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 3, &si), 0);
    SAY("rtmin+3 signo ok=%d", seen.si_signo == SIGRTMIN + 3);
    seen.si_signo = 0;
    show("rt_sigqueueinfo");

    si.si_value.sival_int = 5678;
    si.si_code = SI_QUEUE;
    EXPECT_EQ(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR1, &si), 0);
    show("rt_tgsigqueueinfo");

    /* A zero si_code to oneself is allowed. */
    si.si_code = 0;
    si.si_value.sival_int = 9;
    EXPECT_EQ(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si), 0);
    show("si_code 0 to self");
    EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, (void *)8), EFAULT);
    EXPECT_ERR(syscall(SYS_rt_sigqueueinfo, getpid(), 65, &si), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGUSR1, &si), EINVAL);
    EXPECT_EQ(n, 4);
    return t_done();
}
