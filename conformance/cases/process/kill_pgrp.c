// syscalls: clone, fork, setpgid, kill, rt_sigprocmask, rt_sigtimedwait, rt_sigpending, pause, wait4, getpid, pipe, pipe2, read, write, close
/* kill(0, sig) signals every process in the caller's process group, the caller included;
 * kill(-pgid, sig) from outside reaches the whole group. A leader child makes its own group
 * first, so nothing outside this case is touched. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

/* Waits (max 3 s) for SIGUSR1: bit 0 = got it, bit 1 = SI_USER, bit 2 = sent by `from`. */
static int collect(pid_t from) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    siginfo_t si;
    struct timespec ts = {3, 0};
    if (sigtimedwait(&set, &si, &ts) != SIGUSR1) return 0;
    return 1 | (si.si_code == SI_USER ? 2 : 0) | (si.si_pid == from ? 4 : 0);
}

int main(void) {
    syscall(SYS_alarm, 5);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int rep[2];
    if (pipe(rep) != 0) return T_FAIL("pipe"), t_done();
    pid_t leader = fork();
    if (leader == 0) {
        syscall(SYS_alarm, 5);
        setpgid(0, 0);
        pid_t me = getpid();
        int ready[2];
        if (pipe(ready) != 0) _exit(1);
        pid_t kids[2];
        for (int i = 0; i < 2; i++) {
            kids[i] = fork();
            if (kids[i] == 0) {
                syscall(SYS_alarm, 5);
                write(ready[1], "r", 1);
                _exit(collect(me));
            }
        }
        char c;
        for (int i = 0; i < 2; i++) read(ready[0], &c, 1); /* both are in the group */
        kill(0, SIGUSR1);
        char r[3];
        r[0] = '0' + collect(me); /* the sender is in its own group */
        for (int i = 0; i < 2; i++) {
            int st = 0;
            waitpid(kids[i], &st, 0);
            r[1 + i] = '0' + (WIFEXITED(st) ? WEXITSTATUS(st) : 9);
        }
        write(rep[1], r, 3);
        _exit(0);
    }
    if (!CHECK(leader > 0)) return t_done();
    char r[4] = {0};
    EXPECT_EQ(read(rep[0], r, 3), 3);
    SAY("kill(0, SIGUSR1) seen by leader, child 1, child 2 (7 = got it, SI_USER, from leader): %s", r);
    int status = -1;
    EXPECT_EQ(wait4(leader, &status, 0, NULL) == leader, 1);

    /* kill(-pgid): a fresh group of two processes killed from outside. */
    int ready[2];
    if (pipe(ready) != 0) return T_FAIL("pipe"), t_done();
    leader = fork();
    if (leader == 0) {
        /* The leader blocks SIGTERM, so it survives to report on both group members. */
        syscall(SYS_alarm, 5);
        setpgid(0, 0);
        sigset_t term;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        sigprocmask(SIG_BLOCK, &term, NULL);
        pid_t kid = fork();
        if (kid == 0) {
            syscall(SYS_alarm, 5);
            sigprocmask(SIG_UNBLOCK, &term, NULL);
            write(ready[1], &kid, sizeof kid); /* tell the top process we exist */
            for (;;) pause();
        }
        int st = 0;
        waitpid(kid, &st, 0);
        sigset_t pending;
        sigpending(&pending);
        int kid_killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
        _exit(kid_killed && sigismember(&pending, SIGTERM) ? 55 : 1);
    }
    pid_t dummy;
    EXPECT_EQ(read(ready[0], &dummy, sizeof dummy), sizeof dummy);
    EXPECT_EQ(kill(-leader, SIGTERM), 0);
    status = -1;
    EXPECT_EQ(wait4(leader, &status, 0, NULL) == leader, 1);
    SAY("leader exit code = %d (55: child killed by SIGTERM, SIGTERM pending in the leader)",
        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    EXPECT_ERR(kill(-leader, 0), ESRCH); /* both members are reaped: the group is gone */
    return t_done();
}
