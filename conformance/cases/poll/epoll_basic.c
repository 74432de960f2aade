// syscalls: epoll_create1, epoll_ctl, epoll_wait, pipe2, eventfd2
/* Level-triggered epoll over a pipe and an eventfd: the data word comes back as given, events
 * are reported while the condition holds, EPOLL_CTL_MOD changes interest and data, and
 * EPOLL_CTL_DEL stops the reports. */
#include "harness.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <stdint.h>

static int ep;

static void show(int n, struct epoll_event *ev) {
    for (int i = 0; i < n; i++) SAY("  event %#x data %llu", ev[i].events, (unsigned long long)ev[i].data.u64);
}

static int wait0(void) {
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, 8, 0);
    if (n > 0) show(n, ev);
    return n;
}

int main(void) {
    ep = EXPECT_OK(epoll_create1(0));
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    int efd = EXPECT_OK(eventfd(0, 0));

    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1122334455667788ULL};
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    ev.events = EPOLLIN;
    ev.data.u64 = 2;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    ev.events = EPOLLOUT;
    ev.data.u64 = 3;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));

    /* The write end is writable from the start. */
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(write(p[1], "abc", 3), 3);
    uint64_t one = 1;
    EXPECT_EQ(write(efd, &one, 8), 8);
    EXPECT_EQ(wait0(), 3);
    /* Level-triggered: still there. */
    EXPECT_EQ(wait0(), 3);

    /* MOD: the pipe now asks for output only, which its read end never has. */
    ev.events = EPOLLOUT;
    ev.data.u64 = 11;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    EXPECT_EQ(wait0(), 2);
    ev.events = EPOLLIN | EPOLLRDNORM;
    ev.data.u64 = 12;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    EXPECT_EQ(wait0(), 3);

    /* Draining and DEL. */
    uint64_t v;
    EXPECT_EQ(read(efd, &v, 8), 8);
    EXPECT_EQ(v, 1);
    EXPECT_EQ(wait0(), 2);
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    EXPECT_EQ(wait0(), 1);
    char buf[8];
    EXPECT_EQ(read(p[0], buf, 8), 3);
    EXPECT_EQ(wait0(), 0);

    /* The writer closes: POLLHUP is reported though only EPOLLIN was asked for. */
    EXPECT_OK(close(p[1]));
    EXPECT_EQ(wait0(), 1);

    /* A blocking wait returns at once when something is ready, and -1 waits forever. */
    EXPECT_EQ(write(efd, &one, 8), 8);
    struct epoll_event out[4];
    EXPECT_EQ(epoll_wait(ep, out, 4, -1), 2);
    /* maxevents 1: one at a time, round-robin over the ready ones. */
    EXPECT_EQ(epoll_wait(ep, out, 1, 0), 1);
    uint64_t first = out[0].data.u64;
    EXPECT_EQ(epoll_wait(ep, out, 1, 0), 1);
    CHECK(out[0].data.u64 != first);
    EXPECT_EQ(epoll_wait(ep, out, 1, 0), 1);
    CHECK(out[0].data.u64 == first);

    /* epoll_create's size is only a hint. */
    int ep2 = EXPECT_OK(epoll_create(1));
    EXPECT_EQ(epoll_wait(ep2, out, 4, 0), 0);
    return t_done();
}
