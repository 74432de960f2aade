// syscalls: rt_sigaction, rt_sigtimedwait, kill, clone, wait4
/* A parent's SIGCHLD: a child's stop and continue send it (CLD_STOPPED / CLD_CONTINUED) unless
 * the SIGCHLD action has SA_NOCLDSTOP; its exit always does (CLD_EXITED with the status, or
 * CLD_KILLED with the signal). */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static void on_chld(int s) { (void)s; }

static void take(const char *what, pid_t pid) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    siginfo_t si;
    /* Not a zero timeout: a continued child sends its CLD_CONTINUED only once it runs again,
     * which can be after waitpid(WCONTINUED) has already returned. */
    struct timespec wait = {0, 300 * 1000 * 1000};
    if (sigtimedwait(&set, &si, &wait) != SIGCHLD) {
        SAY("%s: no SIGCHLD", what);
        return;
    }
    SAY("%s: SIGCHLD code=%d status=%d pid ok=%d", what, si.si_code, si.si_status,
        si.si_pid == pid);
}

static void run(int flags) {
    SAY("%s:", flags ? "SA_NOCLDSTOP" : "default");
    struct sigaction sa = {0};
    sa.sa_handler = on_chld;
    sa.sa_flags = flags;
    sigaction(SIGCHLD, &sa, NULL);
    int go[2];
    pipe(go);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        (void)!read(go[0], &c, 1);
        _exit(9);
    }
    int st;
    kill(pid, SIGSTOP);
    CHECK(waitpid(pid, &st, WUNTRACED) == pid);
    take("  stop", pid);
    kill(pid, SIGCONT);
    CHECK(waitpid(pid, &st, WCONTINUED) == pid);
    take("  continue", pid);
    (void)!write(go[1], "x", 1);
    siginfo_t wi;
    CHECK(waitid(P_PID, pid, &wi, WEXITED | WNOWAIT) == 0);
    take("  exit", pid);
    CHECK(waitpid(pid, &st, 0) == pid);
    close(go[0]);
    close(go[1]);
}

int main(void) {
    syscall(SYS_alarm, 10);
    SAY("CLD_EXITED=%d CLD_KILLED=%d CLD_STOPPED=%d CLD_CONTINUED=%d", CLD_EXITED, CLD_KILLED,
        CLD_STOPPED, CLD_CONTINUED);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    run(0);
    run(SA_NOCLDSTOP);
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    kill(pid, SIGTERM);
    siginfo_t wi;
    CHECK(waitid(P_PID, pid, &wi, WEXITED | WNOWAIT) == 0);
    take("killed", pid);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    return t_done();
}
