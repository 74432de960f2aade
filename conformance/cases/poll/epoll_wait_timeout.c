// syscalls: epoll_wait, epoll_pwait, epoll_pwait2, epoll_create1, epoll_ctl, pipe2
/* Waiting: epoll_wait/epoll_pwait take milliseconds (negative: forever), epoll_pwait2 a
 * timespec (NULL: forever; invalid: EINVAL; bad pointer: EFAULT) that is not written back.
 * An empty instance just sleeps. epoll_pwait's mask is gone after the call. */
#include "harness.h"
#include <signal.h>
#include <sys/epoll.h>
#include <time.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(void) {
    int ep = EXPECT_OK(epoll_create1(0));
    struct epoll_event out[2];
    long t0 = now_ms();
    EXPECT_EQ(epoll_wait(ep, out, 2, 50), 0);
    CHECK(now_ms() - t0 >= 50);

    int p[2];
    EXPECT_OK(pipe2(p, 0));
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 5};
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    t0 = now_ms();
    EXPECT_EQ(epoll_wait(ep, out, 2, 40), 0);
    CHECK(now_ms() - t0 >= 40);

    struct timespec ts = {0, 30 * 1000 * 1000};
    t0 = now_ms();
    EXPECT_EQ(syscall(SYS_epoll_pwait2, ep, out, 2, &ts, NULL, 8), 0);
    CHECK(now_ms() - t0 >= 30);
    EXPECT_EQ(ts.tv_nsec, 30 * 1000 * 1000);
    struct timespec bad = {0, 1000000000};
    EXPECT_ERR(syscall(SYS_epoll_pwait2, ep, out, 2, &bad, NULL, 8), EINVAL);
    EXPECT_ERR(syscall(SYS_epoll_pwait2, ep, out, 2, 8, NULL, 8), EFAULT);
    EXPECT_ERR(syscall(SYS_epoll_pwait2, ep, out, 0, &ts, NULL, 8), EINVAL);

    EXPECT_EQ(write(p[1], "x", 1), 1);
    EXPECT_EQ(syscall(SYS_epoll_pwait2, ep, out, 2, NULL, NULL, 8), 1);
    EXPECT_EQ(out[0].data.u32, 5);
    EXPECT_EQ(epoll_wait(ep, out, 2, -1), 1);
    sigset_t m, cur;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    EXPECT_EQ(epoll_pwait(ep, out, 2, -1, &m), 1);
    EXPECT_OK(sigprocmask(SIG_SETMASK, NULL, &cur));
    CHECK(!sigismember(&cur, SIGUSR1));
    struct timespec zero = {0, 0};
    EXPECT_EQ(syscall(SYS_epoll_pwait2, ep, out, 2, &zero, &m, 8), 1);
    return t_done();
}
