// syscalls: epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait
/* epoll's errors, in Linux's order: EBADF for either descriptor, EPERM for files epoll cannot
 * watch (regular files, /dev/null), EINVAL for an instance watching itself, a non-epoll epfd or
 * an unknown op, EEXIST/ENOENT for ADD/MOD/DEL, EFAULT for the event, and wait's maxevents. */
#include "harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

int main(void) {
    EXPECT_ERR(syscall(SYS_epoll_create, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_epoll_create, -1), EINVAL);
    EXPECT_ERR(epoll_create1(1), EINVAL);
    EXPECT_ERR(epoll_create1(O_NONBLOCK), EINVAL);
    int ep = EXPECT_OK(epoll_create1(EPOLL_CLOEXEC));
    EXPECT_EQ(fcntl(ep, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(ep, F_GETFL) & O_ACCMODE, O_RDWR);
    int efd = EXPECT_OK(eventfd(0, 0));
    int closed = EXPECT_OK(dup(efd));
    EXPECT_OK(close(closed));
    struct epoll_event ev = {.events = EPOLLIN};

    EXPECT_ERR(epoll_ctl(closed, EPOLL_CTL_ADD, efd, &ev), EBADF);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, closed, &ev), EBADF);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev), EBADF);
    int reg = EXPECT_OK(open("file", O_CREAT | O_RDWR, 0600));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);
    int null = EXPECT_OK(open("/dev/null", O_RDONLY));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev), EPERM);
    int dir = EXPECT_OK(open(".", O_RDONLY | O_DIRECTORY));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
    int path = EXPECT_OK(open(".", O_PATH));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, path, &ev), EBADF);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    EXPECT_ERR(epoll_ctl(efd, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    EXPECT_ERR(epoll_ctl(ep, 0, efd, &ev), EINVAL);
    EXPECT_ERR(epoll_ctl(ep, 4, efd, &ev), EINVAL);
    /* Every op but DEL reads the event first. */
    EXPECT_ERR(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, efd, 8), EFAULT);
    EXPECT_ERR(syscall(SYS_epoll_ctl, ep, 4, efd, 8), EFAULT);
    EXPECT_ERR(syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, efd, 8), ENOENT);

    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), ENOENT);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), ENOENT);
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EEXIST);
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), ENOENT);

    /* EPOLLEXCLUSIVE: only at ADD, only with in/out/err/hup/et bits, never on an epoll fd. */
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLPRI | EPOLLEXCLUSIVE;
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLONESHOT | EPOLLEXCLUSIVE;
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EINVAL);
    int ep2 = EXPECT_OK(epoll_create1(0));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLET | EPOLLEXCLUSIVE;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLIN;
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), EINVAL);
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));

    struct epoll_event out[2];
    EXPECT_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_epoll_wait, ep, out, -1, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_epoll_wait, ep, out, 0x7fffffff, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_epoll_wait, ep, (void *)0x7ffffffff000, 2, 0), EFAULT);
    EXPECT_ERR(epoll_wait(1000, out, 2, 0), EBADF);
    EXPECT_ERR(epoll_wait(efd, out, 2, 0), EINVAL);
    EXPECT_ERR(epoll_wait(path, out, 2, 0), EBADF);
    /* Nothing ready: the buffer is not touched, so any pointer in user space does. */
    EXPECT_EQ(syscall(SYS_epoll_wait, ep, 8, 2, 0), 0);
    /* A ready event that cannot be copied out is EFAULT, and stays ready. */
    ev.events = EPOLLOUT;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    EXPECT_ERR(syscall(SYS_epoll_wait, ep, 8, 2, 0), EFAULT);
    EXPECT_EQ(epoll_wait(ep, out, 2, 0), 1);

    sigset_t m;
    sigemptyset(&m);
    EXPECT_ERR(syscall(SYS_epoll_pwait, ep, out, 2, 0, &m, 4), EINVAL);
    EXPECT_ERR(syscall(SYS_epoll_pwait, ep, out, 0, 0, &m, 4), EINVAL);
    EXPECT_ERR(syscall(SYS_epoll_pwait, ep, out, 2, 0, 8, 8), EFAULT);
    EXPECT_EQ(syscall(SYS_epoll_pwait, ep, out, 2, 0, &m, 8), 1);
    EXPECT_EQ(syscall(SYS_epoll_pwait, ep, out, 2, 0, NULL, 1), 1);
    return t_done();
}
