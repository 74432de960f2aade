// syscalls: timerfd_create, timerfd_settime, timerfd_gettime, read, clock_gettime, close
#include "harness.h"
#include <stdint.h>
#include <sys/timerfd.h>
#include <time.h>

static long long mono(void) {
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* timerfd: a non-blocking read before expiry is EAGAIN; a blocking read waits for the expiry
 * and returns the expiration count; gettime reads back the armed value. */
int main(void) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
    if (!CHECK(fd >= 0)) return t_done();
    int nb = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec cur, its = {{0, 0}, {0, 5000000}};
    EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
    SAY("disarmed: %ld.%09ld", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_nsec);
    uint64_t n = 0;
    struct itimerspec longer = {{0, 0}, {10, 0}};
    EXPECT_EQ(timerfd_settime(nb, 0, &longer, NULL), 0);
    EXPECT_ERR(read(nb, &n, 8), EAGAIN);
    EXPECT_EQ(timerfd_gettime(nb, &cur), 0);
    CHECK(cur.it_value.tv_sec >= 9 && cur.it_value.tv_sec <= 10);
    long long t0 = mono();
    EXPECT_EQ(timerfd_settime(fd, 0, &its, NULL), 0);
    EXPECT_EQ(read(fd, &n, 8), 8);
    CHECK(mono() - t0 >= 5000000);
    EXPECT_EQ(n, 1);
    /* A one-shot timer that fired reads back disarmed. */
    EXPECT_EQ(timerfd_gettime(fd, &cur), 0);
    SAY("after expiry: %ld.%09ld", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_nsec);
    /* A buffer shorter than 8 bytes is EINVAL. */
    uint32_t small;
    EXPECT_ERR(read(fd, &small, 4), EINVAL);
    /* Periodic: after 3 intervals, one read returns the count of expirations so far. */
    struct itimerspec per = {{0, 2000000}, {0, 2000000}};
    EXPECT_EQ(timerfd_settime(nb, 0, &per, NULL), 0);
    struct timespec d = {0, 7000000};
    nanosleep(&d, NULL);
    EXPECT_EQ(read(nb, &n, 8), 8);
    CHECK(n >= 3);
    EXPECT_ERR(timerfd_create(100, 0), EINVAL);
    EXPECT_ERR(timerfd_create(CLOCK_MONOTONIC, 0x1), EINVAL);
    struct itimerspec bad = {{0, 0}, {0, -1}};
    EXPECT_ERR(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    EXPECT_ERR(timerfd_settime(0, 0, &its, NULL), EINVAL);
    close(nb);
    close(fd);
    return t_done();
}
