// syscalls: rt_sigaction, wait4, clone, rt_sigtimedwait
/* SA_NOCLDWAIT on SIGCHLD: exiting children are reaped at once instead of becoming zombies,
 * so wait blocks until every child is gone and then fails with ECHILD; with a handler, the
 * SIGCHLD is still sent. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static void on_chld(int s) { (void)s; }

int main(void) {
    syscall(SYS_alarm, 10);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigaction sa = {0};
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_NOCLDWAIT;
    EXPECT_OK(sigaction(SIGCHLD, &sa, NULL));
    pid_t a = fork();
    if (a == 0) _exit(1);
    pid_t b = fork();
    if (b == 0) {
        usleep(50000);
        _exit(2);
    }
    int st;
    EXPECT_ERR(wait(&st), ECHILD);
    /* Both are gone: neither is a zombie. */
    EXPECT_ERR(kill(a, 0), ESRCH);
    EXPECT_ERR(kill(b, 0), ESRCH);
    siginfo_t si;
    struct timespec zero = {0, 0};
    int r = sigtimedwait(&set, &si, &zero);
    SAY("SIGCHLD sent: %d code=%d", r == SIGCHLD, r == SIGCHLD ? si.si_code : -1);
    return t_done();
}
