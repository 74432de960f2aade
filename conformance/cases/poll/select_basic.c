// syscalls: select, pipe2, write, read
/* select on pipes: each set is rewritten with the ready subset, the result counts set bits (an
 * fd ready in two sets counts twice), NULL sets are skipped, a hang-up is "readable" and a
 * reader-less pipe "writable"; nothing is exceptional on a pipe. */
#include "harness.h"
#include <signal.h>
#include <sys/select.h>

static int sel(int n, fd_set *r, fd_set *w, fd_set *e, long usec) {
    struct timeval tv = {0, usec};
    return syscall(SYS_select, n, r, w, e, &tv);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    int n = (p[0] > p[1] ? p[0] : p[1]) + 1;
    fd_set r, w, e;

    FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
    FD_SET(p[0], &r); FD_SET(p[1], &r);
    FD_SET(p[0], &w); FD_SET(p[1], &w);
    FD_SET(p[0], &e); FD_SET(p[1], &e);
    EXPECT_EQ(sel(n, &r, &w, &e, 0), 1);
    CHECK(!FD_ISSET(p[0], &r) && !FD_ISSET(p[1], &r));
    CHECK(!FD_ISSET(p[0], &w) && FD_ISSET(p[1], &w));
    CHECK(!FD_ISSET(p[0], &e) && !FD_ISSET(p[1], &e));

    EXPECT_EQ(write(p[1], "hi", 2), 2);
    FD_ZERO(&r); FD_ZERO(&w);
    FD_SET(p[0], &r); FD_SET(p[1], &w);
    EXPECT_EQ(sel(n, &r, &w, NULL, 0), 2);
    CHECK(FD_ISSET(p[0], &r) && FD_ISSET(p[1], &w));

    /* Only bits below nfds count: a set fd at or past nfds is not looked at. */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    EXPECT_EQ(sel(p[0], &r, NULL, NULL, 0), 0);
    CHECK(!FD_ISSET(p[0], &r));

    /* Nothing at all: a sleep. */
    EXPECT_EQ(sel(0, NULL, NULL, NULL, 1000), 0);

    /* The writer goes: readable (EOF) after the data too. */
    EXPECT_OK(close(p[1]));
    char buf[4];
    EXPECT_EQ(read(p[0], buf, 4), 2);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    EXPECT_EQ(select(p[0] + 1, &r, NULL, NULL, NULL), 1);
    CHECK(FD_ISSET(p[0], &r));
    EXPECT_OK(close(p[0]));

    /* The reader goes: the write end is writable (and write fails with EPIPE). */
    EXPECT_OK(pipe2(p, 0));
    EXPECT_OK(close(p[0]));
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    EXPECT_EQ(select(p[1] + 1, NULL, &w, NULL, NULL), 1);
    CHECK(FD_ISSET(p[1], &w));
    EXPECT_ERR(write(p[1], "x", 1), EPIPE);

    /* Full 1024-bit sets with one fd in them work (the usual FD_SETSIZE call). */
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    EXPECT_EQ(select(FD_SETSIZE, NULL, &w, NULL, NULL), 1);
    return t_done();
}
