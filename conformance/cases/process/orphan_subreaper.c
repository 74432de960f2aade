// syscalls: prctl, clone, fork, wait4, getpid, getppid, pipe, pipe2, read, write
/* PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented to the nearest subreaper, which
 * can then wait for them like its own children. */
#include "harness.h"
#include <sys/prctl.h>
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    int flag = -1;
    EXPECT_EQ(prctl(PR_GET_CHILD_SUBREAPER, &flag), 0);
    SAY("subreaper before = %d", flag);
    EXPECT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    EXPECT_EQ(prctl(PR_GET_CHILD_SUBREAPER, &flag), 0);
    SAY("subreaper after = %d", flag);
    pid_t top = getpid();
    int go[2], rep[2], gpid[2];
    if (pipe(go) != 0 || pipe(rep) != 0 || pipe(gpid) != 0) return T_FAIL("pipe"), t_done();
    pid_t middle = fork();
    if (middle == 0) {
        pid_t g = fork();
        if (g == 0) {
            syscall(SYS_alarm, 5);
            char c;
            read(go[0], &c, 1);
            char r = getppid() == top ? 'y' : 'n';
            write(rep[1], &r, 1);
            _exit(7);
        }
        write(gpid[1], &g, sizeof g);
        _exit(0);
    }
    if (!CHECK(middle > 0)) return t_done();
    pid_t g = -1;
    EXPECT_EQ(read(gpid[0], &g, sizeof g), sizeof g);
    int status = -1;
    EXPECT_EQ(wait4(middle, &status, 0, NULL) == middle, 1);
    EXPECT_EQ(write(go[1], "g", 1), 1);
    char r = 0;
    EXPECT_EQ(read(rep[0], &r, 1), 1);
    SAY("grandchild's getppid() == subreaper: %c", r);
    status = -1;
    EXPECT_EQ(wait4(-1, &status, 0, NULL) == g, 1); /* now our child */
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    EXPECT_ERR(wait4(-1, &status, 0, NULL), ECHILD);
    return t_done();
}
