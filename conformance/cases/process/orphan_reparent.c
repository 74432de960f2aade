// syscalls: clone, fork, wait4, getpid, getppid, pipe, pipe2, read, write, close
/* When a process exits, its children are reparented: a grandchild whose parent has exited
 * (and been reaped) no longer reports that parent from getppid(). Where it goes (init, a
 * subreaper) depends on the environment, so only the relation is checked. */
#include "harness.h"
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    int go[2], rep[2];
    if (pipe(go) != 0 || pipe(rep) != 0) return T_FAIL("pipe"), t_done();
    pid_t middle = fork();
    if (middle == 0) {
        pid_t me = getpid();
        int ready[2];
        if (pipe(ready) != 0) _exit(1);
        pid_t g = fork();
        if (g == 0) {
            syscall(SYS_alarm, 5);
            char before = getppid() == me ? 'y' : 'n';
            write(ready[1], "r", 1); /* middle may exit now */
            char c;
            read(go[0], &c, 1); /* the top process says: middle is gone */
            pid_t now = getppid();
            char after = (now != me && now > 0) ? 'y' : 'n';
            char msg[2] = {before, after};
            write(rep[1], msg, 2);
            _exit(0);
        }
        char c;
        _exit(g > 0 && read(ready[0], &c, 1) == 1 ? 0 : 1);
    }
    if (!CHECK(middle > 0)) return t_done();
    int status = -1;
    EXPECT_EQ(wait4(middle, &status, 0, NULL) == middle, 1); /* reparenting is done by now */
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(write(go[1], "g", 1), 1);
    char msg[2] = {0, 0};
    EXPECT_EQ(read(rep[0], msg, 2), 2);
    SAY("grandchild: getppid()==middle before: %c, getppid() is another live pid after: %c",
        msg[0], msg[1]);
    CHECK(msg[0] == 'y' && msg[1] == 'y');
    return t_done();
}
