// syscalls: clone, fork, wait4, getpid, getppid, gettid, exit_group
/* fork + wait4: the child has its own pid and sees the parent's pid; the parent reaps the
 * 8-bit exit code (and only the low 8 bits of it) with wait4. */
#include "harness.h"
#include <sys/resource.h>
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    pid_t parent = getpid();
    CHECK(syscall(SYS_gettid) == parent);
    pid_t pid = fork();
    if (pid == 0) {
        int bits = 0;
        if (getppid() == parent) bits |= 1;
        if (getpid() != parent) bits |= 2;
        if (syscall(SYS_gettid) == getpid()) bits |= 4;
        _exit(40 + bits);
    }
    if (!CHECK(pid > 0)) return t_done();
    CHECK(pid != parent);
    int status = -1;
    struct rusage ru;
    EXPECT_EQ(wait4(pid, &status, 0, &ru) == pid, 1);
    CHECK(WIFEXITED(status));
    CHECK(!WIFSIGNALED(status));
    SAY("child exit code = %d (47: ppid==parent, pid!=parent, tid==pid)", WEXITSTATUS(status));
    CHECK(WEXITSTATUS(status) == 47);

    /* Only the low 8 bits of the exit_group argument reach the parent. */
    pid = fork();
    if (pid == 0) syscall(SYS_exit_group, 256 + 5);
    status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    SAY("exit_group(261): WIFEXITED=%d WEXITSTATUS=%d", WIFEXITED(status), WEXITSTATUS(status));

    /* The same child cannot be reaped twice. */
    EXPECT_ERR(wait4(pid, &status, 0, NULL), ECHILD);
    CHECK(getpid() == parent);
    return t_done();
}
