// syscalls: clone, clone3, setuid, setgid, wait4, openat
/* The order of clone's checks. The legacy call ignores flag bits above 32. clone3 refuses a
 * size past a page (E2BIG), a set_tid without a size or the reverse, an id below 1, an
 * exit signal with bits past CSIGNAL, CSIGNAL or CLONE_DETACHED bits in flags, unknown
 * flags, CLONE_SIGHAND with CLONE_CLEAR_SIGHAND, a stack with no size or outside user space,
 * and CLONE_INTO_CGROUP with a short struct (EINVAL) or a descriptor that is no cgroup
 * (EBADF). For an unprivileged caller, flag combinations are EINVAL before the missing
 * privilege for namespaces is EPERM. A CLONE_PARENT child is its caller's sibling and
 * sends the caller's exit signal, not its own. */
#include "harness.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#define CLONE_CLEAR_SIGHAND_ 0x100000000ULL
#define CLONE_INTO_CGROUP_ 0x200000000ULL

struct clone_args_ {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};

static long try_clone(unsigned long flags) {
    long r = syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
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

static void unprivileged(void) {
    SAY("unprivileged:");
    if (setgid(65534) || setuid(65534)) _exit(99);
    EXPECT_ERR(try_clone(CLONE_NEWNS | CLONE_FS | SIGCHLD), EINVAL);
    EXPECT_ERR(try_clone(CLONE_NEWUSER | CLONE_FS | SIGCHLD), EINVAL);
    EXPECT_ERR(try_clone(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID), EINVAL);
    EXPECT_ERR(try_clone(CLONE_SIGHAND | CLONE_NEWUTS | SIGCHLD), EINVAL);
    EXPECT_ERR(try_clone(CLONE_NEWNS | SIGCHLD), EPERM);
    EXPECT_ERR(try_clone(CLONE_NEWUTS | SIGCHLD), EPERM);
    EXPECT_ERR(try_clone(CLONE_NEWIPC | SIGCHLD), EPERM);
    EXPECT_ERR(try_clone(CLONE_NEWNET | SIGCHLD), EPERM);
    EXPECT_ERR(try_clone(CLONE_NEWPID | SIGCHLD), EPERM);
    EXPECT_ERR(try_clone(CLONE_NEWCGROUP | SIGCHLD), EPERM);
    struct clone_args_ a = {0};
    a.flags = CLONE_NEWTIME;
    a.exit_signal = SIGCHLD;
    EXPECT_ERR(try_clone3(&a, sizeof a), EPERM);
    /* Choosing the id takes CAP_CHECKPOINT_RESTORE; an id below 1 is refused first. */
    pid_t want = 0;
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    a.set_tid = (uintptr_t)&want;
    a.set_tid_size = 1;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    want = 4000;
    EXPECT_ERR(try_clone3(&a, sizeof a), EPERM);
    _exit(t_done());
}

int main(void) {
    alarm(10);
    /* Legacy clone: bits above 32 are not flags (this is a plain fork). */
    long r = try_clone(CLONE_CLEAR_SIGHAND_ | (1UL << 40) | SIGCHLD);
    EXPECT_EQ(r > 0, 1);

    struct clone_args_ a;
    static char big[8192];
    EXPECT_ERR(syscall(SYS_clone3, big, 4097), E2BIG);
    EXPECT_ERR(syscall(SYS_clone3, big, 63), EINVAL);

    pid_t want = 0;
#define RESET() (memset(&a, 0, sizeof a), a.exit_signal = SIGCHLD)
    RESET();
    a.set_tid_size = 1;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.set_tid = (uintptr_t)&want;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.set_tid = (uintptr_t)&want;
    a.set_tid_size = 33;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.set_tid = 8;
    a.set_tid_size = 1;
    EXPECT_ERR(try_clone3(&a, sizeof a), EFAULT);
    RESET();
    a.exit_signal = 0x100 | SIGCHLD;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.flags = SIGCHLD;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.flags = CLONE_DETACHED;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.flags = 1ULL << 40;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND_;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.stack = (uintptr_t)big;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.stack = 0xffff800000000000ULL;
    a.stack_size = 4096;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.stack = ~0ULL - 100;
    a.stack_size = 4096;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    RESET();
    a.flags = CLONE_INTO_CGROUP_;
    EXPECT_ERR(try_clone3(&a, 64), EINVAL);
    a.cgroup = 1ULL << 31;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);
    a.cgroup = 999;
    EXPECT_ERR(try_clone3(&a, sizeof a), EBADF);
    int file = EXPECT_OK(open("f", O_CREAT | O_RDWR, 0644));
    a.cgroup = file;
    EXPECT_ERR(try_clone3(&a, sizeof a), EBADF);
    /* CLONE_PIDFD may not return through the parent_tid location. */
    int where = -1;
    RESET();
    a.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
    a.pidfd = a.parent_tid = (uintptr_t)&where;
    EXPECT_ERR(try_clone3(&a, sizeof a), EINVAL);

    /* CLONE_PARENT from a child: the new process is our child, and its exit signal is the
     * caller's (SIGCHLD), not the SIGUSR1 it asked for, so a plain wait finds it. */
    int p[2];
    EXPECT_OK(pipe(p));
    pid_t c = fork();
    if (c == 0) {
        long g = syscall(SYS_clone, CLONE_PARENT | SIGUSR1, NULL, NULL, NULL, 0);
        if (g == 0) _exit(7);
        write(p[1], &g, sizeof g);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    long g = -1;
    read(p[0], &g, sizeof g);
    int status = -1;
    EXPECT_EQ(waitpid(g, &status, 0) == g, 1);
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 7);

    pid_t u = fork();
    if (u == 0) unprivileged();
    status = -1;
    waitpid(u, &status, 0);
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
    return t_done();
}
