// syscalls: clone, fork, waitid, kill, getpid, exit_group
/* waitid(WEXITED) fills siginfo: si_signo SIGCHLD, si_code CLD_EXITED / CLD_KILLED, si_status
 * the exit code / the signal, si_pid the child, si_uid 0. WNOWAIT leaves the child waitable. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static void show(const char *what, siginfo_t *si, pid_t pid) {
    SAY("%s: si_signo=%d si_code=%d si_status=%d si_pid==child:%s si_uid=%d", what, si->si_signo,
        si->si_code, si->si_status, si->si_pid == pid ? "yes" : "no", (int)si->si_uid);
}

int main(void) {
    syscall(SYS_alarm, 5);
    SAY("CLD_EXITED=%d CLD_KILLED=%d", CLD_EXITED, CLD_KILLED);
    pid_t pid = fork();
    if (pid == 0) _exit(42);
    if (!CHECK(pid > 0)) return t_done();
    siginfo_t si;
    memset(&si, 0x5a, sizeof si);
    EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
    show("exit(42)", &si, pid);

    pid = fork();
    if (pid == 0) {
        kill(getpid(), SIGKILL);
        _exit(1);
    }
    memset(&si, 0x5a, sizeof si);
    EXPECT_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
    show("SIGKILL, WNOWAIT", &si, pid);
    memset(&si, 0x5a, sizeof si);
    EXPECT_EQ(waitid(P_ALL, 0, &si, WEXITED), 0); /* still there: reaped now */
    show("SIGKILL, reaped", &si, pid);
    EXPECT_ERR(waitid(P_PID, pid, &si, WEXITED), ECHILD);
    return t_done();
}
