// syscalls: signalfd4, read, poll, epoll_wait, fork, kill, rt_sigaction, setitimer, rt_sigreturn
/* Waiting on a signalfd: a blocking read, poll and epoll_wait each sleep until another process
 * sends a signal of the mask. A blocked read is interrupted by a handled signal outside the
 * mask: EINTR without SA_RESTART, restarted (and then satisfied) with it. */
#include "harness.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/wait.h>

static int fd;
static volatile sig_atomic_t fired;

/* A child that sends SIGUSR1 to us after a short delay. */
static pid_t later(void) {
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        usleep(50000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    return c;
}

static void reap(pid_t c) {
    int st;
    waitpid(c, &st, 0);
}

static void on_alarm(int s) {
    (void)s;
    fired++;
    if (fired == 2) kill(getpid(), SIGUSR1); /* satisfies the restarted read */
}

static void arm(void) {
    struct itimerval once = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &once, NULL);
}

int main(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &m, NULL));
    fd = EXPECT_OK(signalfd(-1, &m, 0));
    struct signalfd_siginfo si;

    pid_t c = later();
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_signo, SIGUSR1);
    CHECK(si.ssi_pid == (unsigned)c);
    reap(c);

    c = later();
    struct pollfd p = {.fd = fd, .events = POLLIN};
    EXPECT_EQ(poll(&p, 1, 5000), 1);
    EXPECT_EQ(p.revents, POLLIN);
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    reap(c);

    int ep = EXPECT_OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 9};
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    c = later();
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 5000), 1);
    EXPECT_EQ(ev.data.u64, 9);
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    reap(c);

    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    EXPECT_OK(sigaction(SIGALRM, &sa, NULL));
    arm();
    EXPECT_ERR(read(fd, &si, sizeof si), EINTR);
    sa.sa_flags = SA_RESTART;
    EXPECT_OK(sigaction(SIGALRM, &sa, NULL));
    arm();
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_signo, SIGUSR1);
    EXPECT_EQ(fired, 2);
    return t_done();
}
