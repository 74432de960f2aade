// syscalls: rt_sigtimedwait, setitimer, rt_sigaction, rt_sigreturn, clone, kill, wait4
/* A handled signal outside the wait set interrupts rt_sigtimedwait with EINTR (even with
 * SA_RESTART: it is never restarted); a signal of the set sent by another process while the
 * caller sleeps wakes it and is returned with the sender's pid. */
#include "harness.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile int alarms;

/* Raw calls: musl's sigtimedwait/sigwaitinfo retry on EINTR themselves. */
static long timedwait(const sigset_t *set, siginfo_t *si, const struct timespec *ts) {
    return syscall(SYS_rt_sigtimedwait, set, si, ts, 8);
}
static void on_alarm(int s) { (void)s, alarms++; }

int main(void) {
    syscall(SYS_alarm, 5);
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct timespec two = {2, 0};
    siginfo_t si;
    /* A periodic timer: should one expire before the wait starts, the next interrupts it. */
    struct itimerval every = {{0, 20000}, {0, 20000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &every, NULL);
    EXPECT_ERR(timedwait(&set, &si, &two), EINTR);
    CHECK(alarms >= 1);
    /* Without a timeout too. */
    EXPECT_ERR(timedwait(&set, &si, NULL), EINTR);
    CHECK(alarms >= 2);
    setitimer(ITIMER_REAL, &off, NULL);

    pid_t pid = fork();
    if (pid == 0) {
        usleep(30000);
        kill(getppid(), SIGUSR2);
        _exit(0);
    }
    memset(&si, 0, sizeof si);
    EXPECT_EQ(timedwait(&set, &si, &two), SIGUSR2);
    SAY("code=%d from child=%d", si.si_code, si.si_pid == pid);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    return t_done();
}
