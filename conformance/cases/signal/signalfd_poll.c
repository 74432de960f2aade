// syscalls: signalfd4, poll, select, epoll_create1, epoll_ctl, epoll_wait, read, tgkill, kill
/* A signalfd is readable (POLLIN only, no POLLRDNORM, never writable) while a signal of its
 * mask is pending for the polling thread; poll, select and epoll agree, and reading the
 * signal clears the readiness. A signal outside the mask does not make it readable. */
#include "harness.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>

static int fd, ep;

static int polled(void) {
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT | POLLRDNORM | POLLPRI};
    int n = poll(&p, 1, 0);
    return n < 0 ? -1 : p.revents;
}

static int selected(void) {
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    struct timeval tv = {0, 0};
    int n = select(fd + 1, &r, &w, NULL, &tv);
    return n < 0 ? -1 : (FD_ISSET(fd, &r) ? 1 : 0) | (FD_ISSET(fd, &w) ? 2 : 0);
}

static int epolled(void) {
    struct epoll_event ev[2];
    int n = epoll_wait(ep, ev, 2, 0);
    if (n <= 0) return n;
    return ev[0].events | (n << 16);
}

int main(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &m, NULL));
    sigdelset(&m, SIGUSR2);
    fd = EXPECT_OK(signalfd(-1, &m, SFD_NONBLOCK));
    ep = EXPECT_OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u64 = 7};
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));

    EXPECT_EQ(polled(), 0);
    EXPECT_EQ(selected(), 0);
    EXPECT_EQ(epolled(), 0);

    EXPECT_OK(raise(SIGUSR2));
    EXPECT_EQ(polled(), 0);
    EXPECT_EQ(epolled(), 0);

    EXPECT_OK(raise(SIGUSR1));
    EXPECT_EQ(polled(), POLLIN);
    EXPECT_EQ(selected(), 1);
    EXPECT_EQ(epolled(), (1 << 16) | EPOLLIN);
    /* Level-triggered: still there. */
    EXPECT_EQ(epolled(), (1 << 16) | EPOLLIN);
    struct signalfd_siginfo si;
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(polled(), 0);
    EXPECT_EQ(epolled(), 0);

    /* A process-directed signal counts too. */
    EXPECT_OK(kill(getpid(), SIGUSR1));
    EXPECT_EQ(polled(), POLLIN);
    EXPECT_EQ(epolled(), (1 << 16) | EPOLLIN);
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_code, SI_USER);

    /* An edge-triggered interest reports a new signal once. */
    ev.events = EPOLLIN | EPOLLET;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev));
    EXPECT_EQ(epolled(), 0);
    EXPECT_OK(raise(SIGUSR1));
    EXPECT_EQ(epolled(), (1 << 16) | EPOLLIN);
    EXPECT_EQ(epolled(), 0);
    return t_done();
}
