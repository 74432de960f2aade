// syscalls: pidfd_open, poll, waitid, fcntl, kill, exit_group
/* pidfd_open names a process: it is close-on-exec, polls readable once the process has exited
 * (a zombie) and adds POLLHUP once it is reaped; waitid(P_PIDFD) reaps through it, and a
 * non-blocking pidfd makes waitid say EAGAIN instead of waiting. Bad flags, pids and
 * descriptors give Linux's errors. */
#include "harness.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }

static short revents(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, 0);
    return n < 0 ? -1 : p.revents;
}

int main(void) {
    syscall(SYS_alarm, 10);
    int go[2];
    EXPECT_OK(pipe(go));
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(go[0], &c, 1);
        _exit(7);
    }
    int fd = EXPECT_OK(pidfd_open(pid, 0));
    EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    SAY("running: revents=%#x", revents(fd));

    int nb = EXPECT_OK(pidfd_open(pid, PIDFD_NONBLOCK));
    EXPECT_EQ(fcntl(nb, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    EXPECT_ERR(waitid(P_PIDFD, nb, &si, WEXITED), EAGAIN);
    EXPECT_EQ(waitid(P_PIDFD, nb, &si, WEXITED | WNOHANG), 0);
    SAY("WNOHANG with nothing: si_pid=%d", si.si_pid);

    write(go[1], "x", 1);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    EXPECT_EQ(poll(&p, 1, 5000), 1);
    SAY("exited: revents=%#x", p.revents);
    /* Still a zombie: WNOWAIT leaves it. */
    memset(&si, 0, sizeof si);
    EXPECT_OK(waitid(P_PIDFD, fd, &si, WEXITED | WNOWAIT));
    SAY("WNOWAIT: pid ok=%d code=%d status=%d", si.si_pid == pid, si.si_code, si.si_status);
    EXPECT_OK(kill(pid, 0));
    memset(&si, 0, sizeof si);
    EXPECT_OK(waitid(P_PIDFD, fd, &si, WEXITED));
    SAY("reaped: pid ok=%d code=%d status=%d", si.si_pid == pid, si.si_code, si.si_status);
    SAY("after reap: revents=%#x", revents(fd));
    EXPECT_ERR(waitid(P_PIDFD, fd, &si, WEXITED), ECHILD);
    EXPECT_ERR(pidfd_open(pid, 0), ESRCH);

    /* Errors. */
    EXPECT_ERR(pidfd_open(getpid(), 1), EINVAL);
    EXPECT_ERR(pidfd_open(0, 0), EINVAL);
    EXPECT_ERR(pidfd_open(-1, 0), EINVAL);
    EXPECT_ERR(waitid(P_PIDFD, -1, &si, WEXITED), EINVAL);
    EXPECT_ERR(waitid(P_PIDFD, 999, &si, WEXITED), EBADF);
    EXPECT_ERR(waitid(P_PIDFD, go[0], &si, WEXITED), EBADF);
    /* Our own process: never our child. */
    int me = EXPECT_OK(pidfd_open(getpid(), 0));
    SAY("self: revents=%#x", revents(me));
    EXPECT_ERR(waitid(P_PIDFD, me, &si, WEXITED | WNOHANG), ECHILD);
    EXPECT_ERR(read(me, &si, 8), EINVAL);
    return t_done();
}
