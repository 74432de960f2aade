// syscalls: clone, clone3, pidfd_send_signal, poll, waitid, fcntl
/* CLONE_PIDFD: clone returns a pidfd for the child through parent_tid (clone) or the pidfd
 * field (clone3). It is close-on-exec, only in the parent's table, and behaves as
 * pidfd_open's. With CLONE_THREAD it names the thread (PIDFD_THREAD), which polls readable
 * once the thread has exited. A bad pidfd address fails the whole clone with EFAULT. */
#include "harness.h"
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

struct clone_args_v0 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static int thread_fn(void *arg) {
    (void)arg;
    usleep(50000);
    syscall(SYS_exit, 0);
    return 0;
}

int main(void) {
    syscall(SYS_alarm, 10);
    /* Legacy clone, fork-like. */
    int pidfd = -1;
    long pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
    if (pid == 0) {
        /* The child does not have the parent's pidfd (the next free fd is unused). */
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", pidfd);
        _exit(access(path, F_OK) == 0 ? 1 : 5);
    }
    if (!CHECK(pid > 0 && pidfd >= 0)) return t_done();
    EXPECT_EQ(fcntl(pidfd, F_GETFD), FD_CLOEXEC);
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    EXPECT_EQ(poll(&p, 1, 5000), 1);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    EXPECT_OK(waitid(P_PIDFD, pidfd, &si, WEXITED));
    SAY("clone child: pid ok=%d status=%d", si.si_pid == pid, si.si_status);
    close(pidfd);

    /* clone3 with the pidfd field; a bad address fails before any child exists. */
    struct clone_args_v0 a = {0};
    a.flags = CLONE_PIDFD;
    a.pidfd = 8;
    a.exit_signal = SIGCHLD;
    EXPECT_ERR(syscall(SYS_clone3, &a, sizeof a), EFAULT);
    EXPECT_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
    int fd3 = -1;
    a.pidfd = (uintptr_t)&fd3;
    pid = syscall(SYS_clone3, &a, sizeof a);
    if (pid == 0) {
        pause();
        _exit(0);
    }
    if (!CHECK(pid > 0 && fd3 >= 0)) return t_done();
    EXPECT_OK(syscall(SYS_pidfd_send_signal, fd3, SIGKILL, NULL, 0));
    memset(&si, 0, sizeof si);
    EXPECT_OK(waitid(P_PIDFD, fd3, &si, WEXITED));
    SAY("clone3 child: code=%d status=%d", si.si_code, si.si_status);

    /* A thread pidfd. */
    size_t sz = 1 << 16;
    char *stack = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int tfd = -1;
    long tid = clone(thread_fn, stack + sz,
                     CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                         CLONE_SYSVSEM | CLONE_PIDFD,
                     NULL, &tfd);
    if (!CHECK(tid > 0 && tfd >= 0)) return t_done();
    SAY("thread pidfd O_EXCL (PIDFD_THREAD)=%d", !!(fcntl(tfd, F_GETFL) & O_EXCL));
    p.fd = tfd;
    p.revents = 0;
    EXPECT_EQ(poll(&p, 1, 5000), 1);
    SAY("thread exited: revents has POLLIN=%d", !!(p.revents & POLLIN));
    EXPECT_ERR(waitid(P_PIDFD, tfd, &si, WEXITED | WNOHANG), ECHILD);
    return t_done();
}
