// syscalls: epoll_create1, epoll_ctl, epoll_wait, close, dup, eventfd2
/* Interests belong to the open file description: closing the only descriptor removes the
 * interest, while a dup keeps it reporting (with the data it was added with) even after the
 * registered number is closed; DEL then needs a registered number: EBADF for the closed one,
 * ENOENT for the duplicate. Reusing the number for a new file is a new interest. */
#include "harness.h"
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

int main(void) {
    int ep = EXPECT_OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 77}, out[4];

    int a = EXPECT_OK(eventfd(1, 0));
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev));
    EXPECT_EQ(epoll_wait(ep, out, 4, 0), 1);
    EXPECT_OK(close(a));
    EXPECT_EQ(epoll_wait(ep, out, 4, 0), 0);
    /* The number is free again, and a new file there can be added. */
    int b = EXPECT_OK(eventfd(1, 0));
    EXPECT_EQ(b, a);
    ev.data.u64 = 88;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev));
    EXPECT_EQ(epoll_wait(ep, out, 4, 0), 1);
    EXPECT_EQ(out[0].data.u64, 88);

    int d = EXPECT_OK(dup(b));
    EXPECT_OK(close(b));
    EXPECT_EQ(epoll_wait(ep, out, 4, 0), 1);
    EXPECT_EQ(out[0].data.u64, 88);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, b, NULL), EBADF);
    EXPECT_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), ENOENT);
    /* The duplicate can be added as an interest of its own. */
    ev.data.u64 = 99;
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev));
    EXPECT_EQ(epoll_wait(ep, out, 4, 0), 2);
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
    EXPECT_OK(close(d));
    EXPECT_EQ(epoll_wait(ep, out, 4, 0), 0);

    /* Closing the epoll descriptor itself, with interests in it, is fine. */
    int e = EXPECT_OK(eventfd(1, 0));
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
    EXPECT_OK(close(ep));
    uint64_t v;
    EXPECT_EQ(read(e, &v, 8), 8);
    EXPECT_ERR(epoll_wait(ep, out, 4, 0), EBADF);
    return t_done();
}
