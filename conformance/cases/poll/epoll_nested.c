// syscalls: epoll_create1, epoll_ctl, epoll_wait, poll, select, eventfd2
/* An epoll descriptor is itself pollable: readable (POLLIN) while one of its interests is
 * ready, so poll, select and another epoll instance can watch it. Cycles and chains of more
 * than five instances are refused with ELOOP. */
#include "harness.h"
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>

int main(void) {
    int inner = EXPECT_OK(epoll_create1(0));
    int outer = EXPECT_OK(epoll_create1(0));
    int efd = EXPECT_OK(eventfd(0, 0));
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1}, out[4];
    EXPECT_OK(epoll_ctl(inner, EPOLL_CTL_ADD, efd, &ev));
    ev.data.u32 = 2;
    EXPECT_OK(epoll_ctl(outer, EPOLL_CTL_ADD, inner, &ev));

    struct pollfd pf = {.fd = inner, .events = POLLIN | POLLOUT};
    EXPECT_EQ(poll(&pf, 1, 0), 0);
    EXPECT_EQ(epoll_wait(outer, out, 4, 0), 0);
    uint64_t v = 3;
    EXPECT_EQ(write(efd, &v, 8), 8);
    EXPECT_EQ(poll(&pf, 1, -1), 1);
    EXPECT_EQ(pf.revents, POLLIN);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(inner, &r);
    EXPECT_EQ(select(inner + 1, &r, NULL, NULL, NULL), 1);
    EXPECT_EQ(epoll_wait(outer, out, 4, -1), 1);
    EXPECT_EQ(out[0].events, EPOLLIN);
    EXPECT_EQ(out[0].data.u32, 2);
    /* Polling the inner instance does not consume its events. */
    EXPECT_EQ(epoll_wait(inner, out, 4, 0), 1);
    EXPECT_EQ(out[0].data.u32, 1);
    EXPECT_EQ(read(efd, &v, 8), 8);
    EXPECT_EQ(poll(&pf, 1, 0), 0);
    EXPECT_EQ(epoll_wait(outer, out, 4, 0), 0);

    /* Edge-triggered watch of an instance: one event per new readiness inside. */
    ev.events = EPOLLIN | EPOLLET;
    EXPECT_OK(epoll_ctl(outer, EPOLL_CTL_MOD, inner, &ev));
    v = 1;
    EXPECT_EQ(write(efd, &v, 8), 8);
    EXPECT_EQ(epoll_wait(outer, out, 4, 0), 1);
    EXPECT_EQ(epoll_wait(outer, out, 4, 0), 0);
    EXPECT_EQ(write(efd, &v, 8), 8);
    EXPECT_EQ(epoll_wait(outer, out, 4, 0), 1);

    /* Loops. */
    ev.events = EPOLLIN;
    EXPECT_ERR(epoll_ctl(inner, EPOLL_CTL_ADD, outer, &ev), ELOOP);
    int e[7];
    for (int i = 0; i < 7; i++) e[i] = EXPECT_OK(epoll_create1(0));
    for (int i = 1; i < 5; i++) EXPECT_OK(epoll_ctl(e[i], EPOLL_CTL_ADD, e[i - 1], &ev));
    EXPECT_ERR(epoll_ctl(e[5], EPOLL_CTL_ADD, e[4], &ev), ELOOP);
    EXPECT_ERR(epoll_ctl(e[0], EPOLL_CTL_ADD, e[6], &ev), ELOOP);
    EXPECT_ERR(epoll_ctl(e[0], EPOLL_CTL_ADD, e[4], &ev), ELOOP);
    /* Removing a link shortens the chain. */
    EXPECT_OK(epoll_ctl(e[4], EPOLL_CTL_DEL, e[3], NULL));
    EXPECT_OK(epoll_ctl(e[5], EPOLL_CTL_ADD, e[4], &ev));
    return t_done();
}
