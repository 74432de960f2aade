// syscalls: clone3, wait4, getpid, getppid, exit_group
/* Raw clone3 used like fork: it returns 0 in the child and the child's pid in the parent, and
 * honours CLONE_PARENT_SETTID and exit_signal. Invalid argument structs are rejected. */
#include "harness.h"
#include <signal.h>
#include <stdint.h>
#include <sched.h>
#include <sys/wait.h>

struct clone_args_v0 { /* struct clone_args up to CLONE_ARGS_SIZE_VER0 (64 bytes) */
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

int main(void) {
    syscall(SYS_alarm, 5);
    pid_t parent = getpid();
    int ptid = -1;
    struct clone_args_v0 args = {0};
    args.flags = CLONE_PARENT_SETTID;
    args.parent_tid = (uintptr_t)&ptid;
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) syscall(SYS_exit_group, syscall(SYS_getppid) == parent ? 21 : 22);
    if (!CHECK(pid > 0)) return t_done();
    CHECK(ptid == pid);
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    SAY("child exit code = %d (21: getppid == parent)", WEXITSTATUS(status));

    /* Too small, too large, and invalid field combinations. */
    EXPECT_ERR(syscall(SYS_clone3, &args, 32), EINVAL);
    static char big[8192];
    memcpy(big, &args, sizeof args);
    big[100] = 1; /* a non-zero byte past the struct the kernel knows */
    EXPECT_ERR(syscall(SYS_clone3, big, 128), E2BIG);
    big[100] = 0;
    EXPECT_ERR(syscall(SYS_clone3, big, sizeof big), E2BIG); /* larger than a page */
    struct clone_args_v0 bad = {0};
    bad.exit_signal = 200; /* not a signal number */
    EXPECT_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    bad.exit_signal = SIGCHLD;
    bad.flags = CLONE_THREAD; /* needs CLONE_SIGHAND and exit_signal 0 */
    EXPECT_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    bad.flags = 0;
    bad.stack_size = 4096; /* a size without a stack */
    EXPECT_ERR(syscall(SYS_clone3, &bad, sizeof bad), EINVAL);
    EXPECT_ERR(syscall(SYS_clone3, (void *)8, sizeof bad), EFAULT);
    return t_done();
}
