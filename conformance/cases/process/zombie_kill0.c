// syscalls: clone, fork, kill, waitid, wait4, pipe, pipe2, read, close
/* kill(pid, 0) checks existence: it succeeds for a running child and for an exited but
 * unreaped (zombie) child, and fails with ESRCH once the zombie is reaped. A zombie still
 * accepts (and ignores) signals. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    int p[2];
    if (pipe(p) != 0) return T_FAIL("pipe"), t_done();
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        read(p[0], &c, 1);
        _exit(0);
    }
    if (!CHECK(pid > 0)) return t_done();
    close(p[0]);
    EXPECT_EQ(kill(pid, 0), 0); /* running */
    close(p[1]);                /* let it exit */
    siginfo_t si;
    memset(&si, 0, sizeof si);
    EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0); /* exited, not reaped */
    EXPECT_EQ(kill(pid, 0), 0);
    EXPECT_EQ(kill(pid, SIGKILL), 0);
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0); /* the late SIGKILL changed nothing */
    EXPECT_ERR(kill(pid, 0), ESRCH);
    EXPECT_ERR(kill(pid, SIGTERM), ESRCH);
    return t_done();
}
