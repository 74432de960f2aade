// syscalls: poll, ppoll, pipe2, clock_gettime
/* Timeouts: poll waits at least its timeout in milliseconds; ppoll takes a timespec and writes
 * the time left back (zero after a timeout, less than given after an early wake-up), while a
 * zero or NULL timeout is left alone. */
#include "harness.h"
#include <poll.h>
#include <signal.h>
#include <time.h>

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(void) {
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    struct pollfd f = {.fd = p[0], .events = POLLIN};

    long t0 = now_ms();
    EXPECT_EQ(poll(&f, 1, 60), 0);
    long dt = now_ms() - t0;
    CHECK(dt >= 60);
    EXPECT_EQ(f.revents, 0);

    struct timespec ts = {0, 50 * 1000 * 1000};
    t0 = now_ms();
    EXPECT_EQ(syscall(SYS_ppoll, &f, 1, &ts, NULL, 8), 0);
    CHECK(now_ms() - t0 >= 50);
    EXPECT_EQ(ts.tv_sec, 0);
    EXPECT_EQ(ts.tv_nsec, 0);

    /* Ready at once: the time left is almost all of it. */
    EXPECT_EQ(write(p[1], "x", 1), 1);
    ts.tv_sec = 5;
    ts.tv_nsec = 0;
    EXPECT_EQ(syscall(SYS_ppoll, &f, 1, &ts, NULL, 8), 1);
    CHECK(ts.tv_sec == 4 || (ts.tv_sec == 5 && ts.tv_nsec == 0));
    CHECK(ts.tv_sec >= 4);

    /* A zero timeout is not written. */
    struct timespec zero = {0, 0};
    EXPECT_EQ(syscall(SYS_ppoll, &f, 1, &zero, NULL, 8), 1);
    EXPECT_EQ(zero.tv_sec | zero.tv_nsec, 0);

    /* A read-only timeout is fine when it need not be written... */
    static const struct timespec ro = {0, 0};
    EXPECT_EQ(syscall(SYS_ppoll, &f, 1, &ro, NULL, 8), 1);

    /* NULL waits forever, here not at all since data is there. */
    EXPECT_EQ(syscall(SYS_ppoll, &f, 1, NULL, NULL, 8), 1);

    /* A temporary signal mask: the old one is back afterwards. */
    sigset_t blk, old, cur;
    sigemptyset(&blk);
    sigaddset(&blk, SIGUSR2);
    EXPECT_OK(sigprocmask(SIG_SETMASK, &blk, &old));
    sigset_t tmp;
    sigemptyset(&tmp);
    sigaddset(&tmp, SIGUSR1);
    EXPECT_EQ(syscall(SYS_ppoll, &f, 1, NULL, &tmp, 8), 1);
    EXPECT_OK(sigprocmask(SIG_SETMASK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR2) && !sigismember(&cur, SIGUSR1));

    /* A longer timeout that a read ends: large negative ms means forever. */
    char c;
    EXPECT_EQ(read(p[0], &c, 1), 1);
    EXPECT_EQ(write(p[1], "y", 1), 1);
    EXPECT_EQ(poll(&f, 1, -5), 1);
    return t_done();
}
