// syscalls: getpgrp, getpgid, getsid, setpgid, setsid, getpid, fork, wait4
#include "harness.h"
#include <sys/wait.h>

/* Process group and session queries agree with each other; setsid makes the caller the
 * leader of a new session and group, a session leader may not change its group, and a child
 * can move into a group of its own with setpgid(0, 0).
 *
 * Everything runs below a fresh setsid: where the runner starts us (a container whose session
 * leader lives outside our pid namespace, say) getsid may legitimately be 0. */
static int in_new_session(void) {
    long pid = syscall(SYS_getpid);
    EXPECT_EQ(syscall(SYS_setsid) == pid, 1);
    EXPECT_EQ(syscall(SYS_getsid, 0) == pid, 1);
    EXPECT_EQ(syscall(SYS_getsid, pid) == pid, 1);
    EXPECT_EQ(syscall(SYS_getpgrp) == pid, 1);
    EXPECT_EQ(syscall(SYS_getpgid, 0) == pid, 1);
    EXPECT_EQ(syscall(SYS_getpgid, pid) == pid, 1);
    EXPECT_ERR(syscall(SYS_getpgid, -1), ESRCH);
    EXPECT_ERR(syscall(SYS_getsid, -1), ESRCH);
    EXPECT_ERR(syscall(SYS_setpgid, 0, -1), EINVAL);
    /* A session leader already leads its group, may not start another session ... */
    EXPECT_ERR(syscall(SYS_setsid), EPERM);
    /* ... and may not move to another group. */
    pid_t c = fork();
    if (c == 0) {
        long me = syscall(SYS_getpid);
        EXPECT_EQ(syscall(SYS_getpgrp) == pid, 1);
        EXPECT_EQ(syscall(SYS_getsid, 0) == pid, 1);
        EXPECT_EQ(syscall(SYS_setpgid, 0, 0), 0);
        EXPECT_EQ(syscall(SYS_getpgrp) == me, 1);
        EXPECT_EQ(syscall(SYS_getsid, 0) == pid, 1);
        _exit(t_failures ? 1 : 0);
    }
    int st = 0;
    EXPECT_EQ(waitpid(c, &st, 0) == c, 1);
    EXPECT_EQ(WIFEXITED(st) && WEXITSTATUS(st) == 0, 1);
    EXPECT_EQ(syscall(SYS_getpgrp) == pid, 1);
    return t_failures ? 1 : 0;
}

int main(void) {
    pid_t c = fork();
    if (c == 0) _exit(in_new_session());
    int st = 0;
    EXPECT_EQ(waitpid(c, &st, 0) == c, 1);
    EXPECT_EQ(WIFEXITED(st), 1);
    EXPECT_EQ(WEXITSTATUS(st), 0);
    return t_done();
}
