// syscalls: rt_sigqueueinfo, kill, setrlimit, rt_sigtimedwait, rt_sigprocmask
/* With RLIMIT_SIGPENDING at 0 no siginfo can be queued: sigqueue of a real-time signal fails
 * with EAGAIN; kill of a real-time signal and sigqueue of a standard one still make the signal
 * pending but lose the info (it arrives as SI_USER from pid 0); kill of a standard signal is
 * exempt from the limit and keeps its info. */
#include "harness.h"
#include <signal.h>
#include <sys/resource.h>

static sigset_t set;

static void take(const char *what, int sig) {
    siginfo_t si;
    memset(&si, 0x5a, sizeof si);
    struct timespec zero = {0, 0};
    int r = sigtimedwait(&set, &si, &zero);
    if (r < 0) {
        SAY("%s: %s", what, t_errname(errno));
        return;
    }
    SAY("%s: sig ok=%d code=%d pid ok=%d pid0=%d value=%d", what, r == sig, si.si_code,
        si.si_pid == getpid(), si.si_pid == 0, si.si_code == SI_QUEUE ? si.si_value.sival_int : -1);
}

int main(void) {
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN + 1);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    struct rlimit zero = {0, 0};
    EXPECT_OK(setrlimit(RLIMIT_SIGPENDING, &zero));
    union sigval v = {.sival_int = 7};
    EXPECT_ERR(sigqueue(getpid(), SIGRTMIN + 1, v), EAGAIN);
    take("after failed sigqueue", SIGRTMIN + 1);
    EXPECT_OK(kill(getpid(), SIGRTMIN + 1));
    take("rt kill", SIGRTMIN + 1);
    EXPECT_OK(sigqueue(getpid(), SIGUSR1, v));
    take("std sigqueue", SIGUSR1);
    EXPECT_OK(kill(getpid(), SIGUSR1));
    take("std kill", SIGUSR1);
    return t_done();
}
