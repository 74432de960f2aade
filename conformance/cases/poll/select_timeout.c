// syscalls: select, pselect6, pipe2, clock_gettime
/* select and pselect6 wait at least their timeout and write the time left back: zero after a
 * timeout, nearly all of it when something was ready at once. The sets come back empty after a
 * timeout. */
#include "harness.h"
#include <signal.h>
#include <sys/select.h>
#include <time.h>

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(void) {
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval tv = {0, 60000};
    long t0 = now_ms();
    EXPECT_EQ(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 0);
    CHECK(now_ms() - t0 >= 60);
    EXPECT_EQ(tv.tv_sec, 0);
    EXPECT_EQ(tv.tv_usec, 0);
    CHECK(!FD_ISSET(p[0], &r));

    struct timespec ts = {0, 40 * 1000 * 1000};
    FD_SET(p[0], &r);
    t0 = now_ms();
    EXPECT_EQ(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, NULL), 0);
    CHECK(now_ms() - t0 >= 40);
    EXPECT_EQ(ts.tv_sec | ts.tv_nsec, 0);

    EXPECT_EQ(write(p[1], "x", 1), 1);
    tv.tv_sec = 7;
    tv.tv_usec = 0;
    FD_SET(p[0], &r);
    EXPECT_EQ(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &tv), 1);
    CHECK(tv.tv_sec == 6 || (tv.tv_sec == 7 && tv.tv_usec == 0));

    ts.tv_sec = 3;
    ts.tv_nsec = 0;
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    struct { sigset_t *ss; size_t len; } arg = {&m, 8};
    EXPECT_EQ(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, &arg), 1);
    CHECK(ts.tv_sec == 2 || (ts.tv_sec == 3 && ts.tv_nsec == 0));
    sigset_t cur;
    EXPECT_OK(sigprocmask(SIG_SETMASK, NULL, &cur));
    CHECK(!sigismember(&cur, SIGUSR1));

    /* The libc wrappers agree. */
    struct timeval tv2 = {0, 20000};
    fd_set w;
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    EXPECT_EQ(select(p[1] + 1, NULL, &w, NULL, &tv2), 1);
    struct timespec ts2 = {0, 20000000};
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    EXPECT_EQ(pselect(p[0] + 1, &r, NULL, NULL, &ts2, &m), 1);
    return t_done();
}
