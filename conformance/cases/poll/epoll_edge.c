// syscalls: epoll_create1, epoll_ctl, epoll_wait, pipe2, eventfd2
/* EPOLLET: one report per new notification. A pipe's every write is a new event (even if the
 * pipe was not empty), reading is not; an eventfd's every write is one; EPOLL_CTL_MOD re-arms
 * a still-ready interest. An edge-triggered write end hears of room only when a full pipe
 * drains. */
#include "harness.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

static int ep;

static int wait0(void) {
    struct epoll_event ev[8];
    int n = epoll_wait(ep, ev, 8, 0);
    for (int i = 0; i < n; i++) SAY("  event %#x data %d", ev[i].events, ev[i].data.fd);
    return n;
}

int main(void) {
    ep = EXPECT_OK(epoll_create1(0));
    int p[2];
    EXPECT_OK(pipe2(p, O_NONBLOCK));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = p[0]};
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    EXPECT_EQ(wait0(), 0);
    EXPECT_EQ(write(p[1], "a", 1), 1);
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(wait0(), 0);
    EXPECT_EQ(write(p[1], "b", 1), 1);
    EXPECT_EQ(wait0(), 1);
    char buf[4];
    EXPECT_EQ(read(p[0], buf, 1), 1);
    EXPECT_EQ(wait0(), 0);
    /* MOD re-arms: the pipe still holds a byte. */
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(wait0(), 0);
    /* Ready at ADD time counts as an event. */
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(wait0(), 0);
    EXPECT_EQ(read(p[0], buf, 4), 1);
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

    /* The write end: writable at ADD, then quiet while writes and reads leave room. */
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.fd = p[1];
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(write(p[1], "c", 1), 1);
    EXPECT_EQ(read(p[0], buf, 1), 1);
    EXPECT_EQ(wait0(), 0);
    static char big[65536];
    long total = 0, n;
    while ((n = write(p[1], big, sizeof big)) > 0) total += n;
    SAY("filled %ld", total);
    EXPECT_EQ(wait0(), 0);
    EXPECT_EQ(read(p[0], big, sizeof big), 65536);
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(wait0(), 0);
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));

    /* eventfd: every write is an edge, even one of zero; reads are not (for EPOLLIN). */
    int efd = EXPECT_OK(eventfd(0, EFD_NONBLOCK));
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = efd;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
    uint64_t v = 5;
    EXPECT_EQ(write(efd, &v, 8), 8);
    EXPECT_EQ(wait0(), 1);
    EXPECT_EQ(wait0(), 0);
    v = 0;
    EXPECT_EQ(write(efd, &v, 8), 8);
    EXPECT_EQ(wait0(), 1);
    /* With the counter at zero, a write of zero notifies but nothing is readable. */
    EXPECT_EQ(read(efd, &v, 8), 8);
    v = 0;
    EXPECT_EQ(write(efd, &v, 8), 8);
    EXPECT_EQ(wait0(), 0);
    return t_done();
}
