// syscalls: clone, fork, setsid, getsid, getpgid, getpgrp, setpgid, wait4, pipe, pipe2, read, write
/* A child that calls setsid() becomes leader of a new session and process group, both with
 * its pid; a second setsid() and setpgid on a session leader fail with EPERM. The parent sees
 * the child's new session and group through getsid/getpgid. */
#include "harness.h"
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    int rep[2], go[2];
    if (pipe(rep) != 0 || pipe(go) != 0) return T_FAIL("pipe"), t_done();
    pid_t parent_sid = getsid(0);
    pid_t pid = fork();
    if (pid == 0) {
        syscall(SYS_alarm, 5);
        pid_t me = getpid();
        char r[8];
        r[0] = getsid(0) == parent_sid ? 'y' : 'n'; /* inherited before setsid */
        r[1] = setsid() == me ? 'y' : 'n';
        r[2] = getsid(0) == me ? 'y' : 'n';
        r[3] = getpgid(0) == me ? 'y' : 'n';
        r[4] = getpgrp() == me ? 'y' : 'n';
        r[5] = (setsid() == -1 && errno == EPERM) ? 'y' : 'n';
        r[6] = (setpgid(0, 0) == -1 && errno == EPERM) ? 'y' : 'n';
        r[7] = getsid(0) != parent_sid ? 'y' : 'n';
        write(rep[1], r, sizeof r);
        char c;
        read(go[0], &c, 1);
        _exit(0);
    }
    if (!CHECK(pid > 0)) return t_done();
    char r[8] = {0};
    EXPECT_EQ(read(rep[0], r, sizeof r), 8);
    SAY("child: inherited sid %c, setsid()==pid %c, getsid==pid %c, getpgid==pid %c, "
        "getpgrp==pid %c, 2nd setsid EPERM %c, setpgid EPERM %c, new sid differs %c",
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
    CHECK(memcmp(r, "yyyyyyyy", 8) == 0);
    CHECK(getsid(pid) == pid);
    CHECK(getpgid(pid) == pid);
    CHECK(getsid(0) == parent_sid); /* the parent's own session is unchanged */
    EXPECT_ERR(setpgid(pid, getpgrp()), EPERM); /* a child in another session */
    EXPECT_EQ(write(go[1], "x", 1), 1);
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_ERR(getsid(pid), ESRCH);
    return t_done();
}
