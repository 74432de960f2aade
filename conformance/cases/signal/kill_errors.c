// syscalls: kill, tkill, tgkill, clone, wait4
/* kill/tkill/tgkill errors: an invalid signal is EINVAL for a live target but ESRCH for a
 * missing one (the target is looked up first); signal 0 probes existence; a reaped pid,
 * INT_MIN and a missing process group are ESRCH; tkill/tgkill with a non-positive id is EINVAL;
 * tgkill with a thread id that is not in the named thread group is ESRCH. */
#include "harness.h"
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

static long sys_tkill(long tid, long sig) { return syscall(SYS_tkill, tid, sig); }
static long sys_tgkill(long tgid, long tid, long sig) { return syscall(SYS_tgkill, tgid, tid, sig); }

int main(void) {
    syscall(SYS_alarm, 5);
    pid_t me = getpid(), tid = gettid();
    EXPECT_EQ(kill(me, 0), 0);
    EXPECT_EQ(kill(0, 0), 0);
    EXPECT_EQ(sys_tkill(tid, 0), 0);
    EXPECT_EQ(sys_tgkill(me, tid, 0), 0);
    EXPECT_ERR(kill(me, 65), EINVAL);
    EXPECT_ERR(kill(me, -1), EINVAL);
    EXPECT_ERR(sys_tkill(tid, 65), EINVAL);
    EXPECT_ERR(sys_tgkill(me, tid, 65), EINVAL);
    EXPECT_ERR(sys_tkill(0, SIGUSR1), EINVAL);
    EXPECT_ERR(sys_tkill(-1, SIGUSR1), EINVAL);
    EXPECT_ERR(sys_tgkill(0, tid, SIGUSR1), EINVAL);
    EXPECT_ERR(sys_tgkill(me, 0, SIGUSR1), EINVAL);
    EXPECT_ERR(sys_tgkill(-1, tid, SIGUSR1), EINVAL);
    EXPECT_ERR(kill(INT_MIN, 0), ESRCH);

    pid_t dead = fork();
    if (dead == 0) _exit(0);
    if (!CHECK(dead > 0)) return t_done();
    /* A zombie still exists for kill(0). */
    int st;
    siginfo_t si;
    CHECK(waitid(P_PID, dead, &si, WEXITED | WNOWAIT) == 0);
    EXPECT_EQ(kill(dead, 0), 0);
    CHECK(waitpid(dead, &st, 0) == dead);
    EXPECT_ERR(kill(dead, 0), ESRCH);
    EXPECT_ERR(kill(dead, SIGUSR1), ESRCH);
    EXPECT_ERR(kill(dead, 65), ESRCH);
    EXPECT_ERR(sys_tkill(dead, 0), ESRCH);
    EXPECT_ERR(sys_tkill(dead, 65), ESRCH);
    EXPECT_ERR(sys_tgkill(dead, dead, 0), ESRCH);
    EXPECT_ERR(sys_tgkill(dead, tid, 0), ESRCH);
    EXPECT_ERR(sys_tgkill(me, dead, 0), ESRCH);
    EXPECT_ERR(kill(-dead, 0), ESRCH);
    EXPECT_ERR(kill(-dead, SIGUSR1), ESRCH);
    return t_done();
}
