// syscalls: clone, fork, waitid, wait4, pipe, pipe2, read, close
/* With a live child and nothing to report, waitid(WNOHANG) returns 0 and zeroes si_pid and
 * si_signo, and wait4(WNOHANG) returns 0; once the child exits a blocking wait gets it.
 * waitid needs at least one of WEXITED/WSTOPPED/WCONTINUED; unknown bits are EINVAL. */
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
        _exit(read(p[0], &c, 1) == 0 ? 3 : 4); /* blocks until the parent closes */
    }
    if (!CHECK(pid > 0)) return t_done();
    close(p[0]);
    siginfo_t si;
    memset(&si, 0x5a, sizeof si);
    EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
    SAY("si_pid = %d, si_signo = %d", si.si_pid, si.si_signo);
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, WNOHANG, NULL), 0);
    EXPECT_EQ(wait4(-1, &status, WNOHANG, NULL), 0);
    EXPECT_ERR(waitid(P_PID, pid, &si, WNOHANG), EINVAL);
    EXPECT_ERR(waitid(P_PID, pid, &si, 0x4000 | WEXITED), EINVAL);
    EXPECT_ERR(wait4(pid, &status, 0x4000, NULL), EINVAL);
    EXPECT_ERR(waitid((idtype_t)42, 0, &si, WEXITED), EINVAL);
    close(p[1]);
    memset(&si, 0x5a, sizeof si);
    EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
    CHECK(si.si_pid == pid);
    SAY("si_code = %d, si_status = %d", si.si_code, si.si_status);
    return t_done();
}
