// syscalls: clone, clone3
/* clone flag combinations Linux refuses with EINVAL before creating anything: CLONE_THREAD
 * without CLONE_SIGHAND, CLONE_SIGHAND without CLONE_VM, CLONE_FS with CLONE_NEWNS or
 * CLONE_NEWUSER, CLONE_PIDFD with CLONE_PARENT_SETTID or CLONE_DETACHED; clone3 also refuses
 * an exit signal with CLONE_PARENT, an exit signal past 64 and a too-small argument struct.
 * (None of them shares memory, so a wrong success just exits the child.) */
#include "harness.h"
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif

struct clone_args_ {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static long try_clone(unsigned long flags, void *ptid) {
    long r = syscall(SYS_clone, flags, NULL, ptid, NULL, 0);
    if (r == 0) _exit(0);
    if (r > 0) waitpid(r, NULL, __WALL);
    return r;
}

static long try_clone3(struct clone_args_ *a, size_t size) {
    long r = syscall(SYS_clone3, a, size);
    if (r == 0) _exit(0);
    if (r > 0) waitpid(r, NULL, __WALL);
    return r;
}

int main(void) {
    alarm(10);
    int pidfd = -1;
    EXPECT_ERR(try_clone(CLONE_THREAD | SIGCHLD, NULL), EINVAL);
    EXPECT_ERR(try_clone(CLONE_THREAD, NULL), EINVAL);
    EXPECT_ERR(try_clone(CLONE_SIGHAND | SIGCHLD, NULL), EINVAL);
    EXPECT_ERR(try_clone(CLONE_FS | CLONE_NEWNS | SIGCHLD, NULL), EINVAL);
    EXPECT_ERR(try_clone(CLONE_FS | CLONE_NEWUSER | SIGCHLD, NULL), EINVAL);
    EXPECT_ERR(try_clone(CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, &pidfd), EINVAL);
    EXPECT_ERR(try_clone(CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, &pidfd), EINVAL);

    struct clone_args_ a = {0};
    a.flags = CLONE_PARENT;
    a.exit_signal = SIGCHLD;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    EXPECT_ERR(try_clone3(&a, 32), EINVAL);
    a.exit_signal = 65;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    /* A valid fork-like clone3 still works. */
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &a, sizeof a);
    if (pid == 0) _exit(4);
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 4);
    return t_done();
}
