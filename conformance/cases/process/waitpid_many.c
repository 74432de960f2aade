// syscalls: clone, fork, wait4, getpgid, getpgrp, pipe, pipe2, read, close
/* Five live children, then reaped by "any child" waits: wait4(-1), wait4(0) (our process
 * group) and wait4(-pgrp). Each reaped pid maps to the exit code that child chose; then
 * ECHILD. */
#include "harness.h"
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    int p[2];
    if (pipe(p) != 0) return T_FAIL("pipe"), t_done();
    pid_t kids[5];
    for (int i = 0; i < 5; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            char c;
            close(p[1]);
            read(p[0], &c, 1); /* all five stay alive until the parent closes the pipe */
            _exit(10 + i);
        }
        if (kids[i] < 0) return T_FAIL("fork: %s", t_errname(errno)), t_done();
    }
    close(p[1]);
    int seen[5] = {0};
    pid_t pgrp = getpgrp();
    pid_t which[5] = {-1, -1, 0, 0, -pgrp};
    for (int n = 0; n < 5; n++) {
        int status = -1;
        pid_t r = wait4(which[n], &status, 0, NULL);
        int idx = -1;
        for (int i = 0; i < 5; i++)
            if (kids[i] == r) idx = i;
        if (idx < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 10 + idx || seen[idx]) {
            T_FAIL("wait4(%d) returned an unexpected child or status %#x", which[n] > 0 ? 1 : which[n] == 0 ? 0 : -1, status);
            continue;
        }
        seen[idx] = 1;
    }
    int all = 1;
    for (int i = 0; i < 5; i++) all &= seen[i];
    CHECK(all);
    int status;
    EXPECT_ERR(wait4(-1, &status, 0, NULL), ECHILD);
    return t_done();
}
