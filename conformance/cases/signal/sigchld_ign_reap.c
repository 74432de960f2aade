// syscalls: rt_sigaction, wait4, waitid, clone, rt_sigpending
/* SIGCHLD set to SIG_IGN: children are reaped automatically; wait blocks until all have
 * exited and then fails with ECHILD (as does waitid); no SIGCHLD is left pending. With SIG_DFL
 * (also "ignore") children do become zombies. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 10);
    signal(SIGCHLD, SIG_DFL);
    pid_t z = fork();
    if (z == 0) _exit(4);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    EXPECT_EQ(waitid(P_PID, z, &si, WEXITED | WNOWAIT), 0);
    SAY("SIG_DFL: zombie status=%d", si.si_status);
    int st;
    CHECK(waitpid(z, &st, 0) == z);

    struct sigaction sa = {0};
    sa.sa_handler = SIG_IGN;
    EXPECT_OK(sigaction(SIGCHLD, &sa, NULL));
    pid_t a = fork();
    if (a == 0) _exit(1);
    pid_t b = fork();
    if (b == 0) {
        usleep(50000);
        _exit(2);
    }
    EXPECT_ERR(wait(&st), ECHILD);
    EXPECT_ERR(kill(a, 0), ESRCH);
    EXPECT_ERR(kill(b, 0), ESRCH);
    EXPECT_ERR(waitid(P_ALL, 0, &si, WEXITED), ECHILD);
    EXPECT_ERR(waitpid(a, &st, WNOHANG), ECHILD);
    sigset_t pend;
    sigpending(&pend);
    SAY("SIGCHLD pending=%d", sigismember(&pend, SIGCHLD));
    return t_done();
}
