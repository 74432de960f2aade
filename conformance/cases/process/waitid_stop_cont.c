// syscalls: clone, fork, waitid, kill, getpid, pipe, pipe2, read, write
/* A child that stops itself with SIGSTOP is reported by waitid(WSTOPPED) as CLD_STOPPED with
 * si_status SIGSTOP; after SIGCONT, waitid(WCONTINUED) reports CLD_CONTINUED / SIGCONT; the
 * continued child then runs on and exits. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    SAY("CLD_STOPPED=%d CLD_CONTINUED=%d SIGSTOP=%d SIGCONT=%d", CLD_STOPPED, CLD_CONTINUED,
        SIGSTOP, SIGCONT);
    int go[2], back[2];
    if (pipe(go) != 0 || pipe(back) != 0) return T_FAIL("pipe"), t_done();
    pid_t pid = fork();
    if (pid == 0) {
        syscall(SYS_alarm, 5);
        kill(getpid(), SIGSTOP);
        write(back[1], "c", 1); /* runs only after SIGCONT */
        char c;
        read(go[0], &c, 1); /* stay alive until the parent saw CLD_CONTINUED */
        _exit(5);
    }
    if (!CHECK(pid > 0)) return t_done();
    siginfo_t si;
    memset(&si, 0, sizeof si);
    EXPECT_EQ(waitid(P_PID, pid, &si, WSTOPPED), 0);
    SAY("stopped: si_code=%d si_status=%d pid ok=%d", si.si_code, si.si_status, si.si_pid == pid);
    EXPECT_EQ(kill(pid, SIGCONT), 0);
    memset(&si, 0, sizeof si);
    EXPECT_EQ(waitid(P_PID, pid, &si, WCONTINUED), 0);
    SAY("continued: si_code=%d si_status=%d pid ok=%d", si.si_code, si.si_status, si.si_pid == pid);
    char c = 0;
    EXPECT_EQ(read(back[0], &c, 1), 1);
    EXPECT_EQ(write(go[1], "x", 1), 1);
    memset(&si, 0, sizeof si);
    EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
    SAY("exited: si_code=%d si_status=%d", si.si_code, si.si_status);
    return t_done();
}
