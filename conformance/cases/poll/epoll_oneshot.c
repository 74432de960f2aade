// syscalls: epoll_create1, epoll_ctl, epoll_wait, eventfd2
/* EPOLLONESHOT: after one report the interest is disabled (but still registered: ADD says
 * EEXIST) until EPOLL_CTL_MOD re-arms it; combined with EPOLLET too. */
#include "harness.h"
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

static int ep;

static int wait0(void) {
    struct epoll_event ev[4];
    int n = epoll_wait(ep, ev, 4, 0);
    for (int i = 0; i < n; i++) SAY("  event %#x data %d", ev[i].events, ev[i].data.u32);
    return n;
}

int main(void) {
    ep = EXPECT_OK(epoll_create1(0));
    int efd = EXPECT_OK(eventfd(1, 0));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u32 = 1};
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(wait0(), 0);
    uint64_t v = 1;
    EXPECT_EQ(write(efd, &v, 8), 8);
    EXPECT_EQ(wait0(), 0);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev), EEXIST);
    ev.data.u32 = 2;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(wait0(), 0);
    /* Re-armed for output instead: the counter can take more. */
    ev.events = EPOLLOUT | EPOLLONESHOT;
    ev.data.u32 = 3;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(wait0(), 0);
    /* One-shot and edge-triggered. */
    ev.events = EPOLLIN | EPOLLONESHOT | EPOLLET;
    ev.data.u32 = 4;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(write(efd, &v, 8), 8);
    EXPECT_EQ(wait0(), 0);
    /* DEL of a disabled interest works. */
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev), ENOENT);
    /* A blocking wait on a disabled interest times out. */
    ev.events = EPOLLIN | EPOLLONESHOT;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    struct epoll_event out[2];
    EXPECT_EQ(epoll_wait(ep, out, 2, 1000), 1);
    EXPECT_EQ(epoll_wait(ep, out, 2, 30), 0);
    return t_done();
}
