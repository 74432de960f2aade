// syscalls: clone, fork, setpgid, getpgid, getpgrp, wait4, kill, pipe, pipe2, read, close
/* setpgid from the parent: child A becomes a group leader, child B joins A's group; the
 * children see the change. Errors: ESRCH (not our child), EINVAL (negative pgid), EPERM (a
 * group that does not exist in our session). */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

/* A child that waits for EOF on the pipe, then exits 0. */
static pid_t spawn(int p[2]) {
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        syscall(SYS_alarm, 5);
        close(p[1]);
        read(p[0], &c, 1);
        _exit(0);
    }
    return pid;
}

int main(void) {
    syscall(SYS_alarm, 5);
    int p[2];
    if (pipe(p) != 0) return T_FAIL("pipe"), t_done();
    pid_t me = getpgrp();
    pid_t a = spawn(p), b = spawn(p);
    if (!CHECK(a > 0 && b > 0)) return t_done();
    CHECK(getpgid(a) == me && getpgid(b) == me);
    EXPECT_EQ(setpgid(a, 0), 0); /* 0 means: the pid itself */
    CHECK(getpgid(a) == a);
    EXPECT_EQ(setpgid(b, a), 0);
    CHECK(getpgid(b) == a);
    EXPECT_EQ(setpgid(b, b), 0);
    CHECK(getpgid(b) == b);
    EXPECT_EQ(setpgid(b, me), 0); /* back into ours */
    CHECK(getpgid(b) == me);
    EXPECT_ERR(setpgid(b, -1), EINVAL);
    EXPECT_ERR(setpgid(b, 0x3ffffff0), EPERM);
    EXPECT_ERR(setpgid(0x3ffffff0, 0), ESRCH);
    EXPECT_ERR(getpgid(0x3ffffff0), ESRCH);
    /* Signal the whole new group of A: only A is in it. */
    EXPECT_EQ(kill(-a, SIGKILL), 0);
    int status = -1;
    EXPECT_EQ(wait4(a, &status, 0, NULL) == a, 1);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    close(p[1]); /* B exits normally */
    status = -1;
    EXPECT_EQ(wait4(b, &status, 0, NULL) == b, 1);
    CHECK(WIFEXITED(status));
    return t_done();
}
