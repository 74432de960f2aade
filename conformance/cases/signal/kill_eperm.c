// syscalls: kill, tgkill, rt_sigqueueinfo, setresuid, clone, wait4
/* Permission to signal: a child that dropped every uid to 65534 gets EPERM signalling its root
 * parent (also for the signal-0 probe, tgkill and rt_sigqueueinfo) but may still send SIGCONT
 * within its session and signal itself and a same-uid process; with only the effective uid
 * dropped (real uid still 0) it may signal the parent. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static int report(const char *what, long r) {
    SAY("  %s -> %s", what, r == 0 ? "0" : t_errname(errno));
    return r == 0;
}

static int child_all_dropped(pid_t parent) {
    if (setresuid(65534, 65534, 65534) != 0) return 90;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_QUEUE;
    pid_t same = fork();
    if (same == 0) {
        pause();
        _exit(0);
    }
    report("kill(parent, 0)", kill(parent, 0));
    report("kill(parent, SIGUSR1)", kill(parent, SIGUSR1));
    report("tgkill(parent, parent, SIGUSR1)", syscall(SYS_tgkill, parent, parent, SIGUSR1));
    report("rt_sigqueueinfo(parent, SIGUSR1)",
           syscall(SYS_rt_sigqueueinfo, parent, SIGUSR1, &si));
    report("kill(parent, SIGCONT)", kill(parent, SIGCONT));
    report("kill(self, 0)", kill(getpid(), 0));
    report("kill(same-uid child, 0)", kill(same, 0));
    report("kill(same-uid child, SIGKILL)", kill(same, SIGKILL));
    waitpid(same, NULL, 0);
    return 0;
}

static int child_euid_dropped(pid_t parent) {
    if (setresuid(-1, 65534, -1) != 0) return 91;
    report("euid only: kill(parent, 0)", kill(parent, 0));
    report("euid only: kill(parent, SIGUSR2)", kill(parent, SIGUSR2));
    return 0;
}

int main(void) {
    syscall(SYS_alarm, 5);
    if (getuid() != 0) {
        SAY("not root: skipped");
        return t_done();
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pid_t parent = getpid();
    int st = 0;
    SAY("all uids dropped:");
    pid_t pid = fork();
    if (pid == 0) _exit(child_all_dropped(parent));
    CHECK(waitpid(pid, &st, 0) == pid);
    EXPECT_EQ(WEXITSTATUS(st), 0);
    pid = fork();
    if (pid == 0) _exit(child_euid_dropped(parent));
    CHECK(waitpid(pid, &st, 0) == pid);
    EXPECT_EQ(WEXITSTATUS(st), 0);
    sigset_t pend;
    sigpending(&pend);
    SAY("parent pending: USR1=%d USR2=%d", sigismember(&pend, SIGUSR1),
        sigismember(&pend, SIGUSR2));
    return t_done();
}
