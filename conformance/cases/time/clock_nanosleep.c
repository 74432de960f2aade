// syscalls: clock_nanosleep, clock_gettime
#include "harness.h"
#include <time.h>

static long long now(clockid_t c) {
    struct timespec ts;
    syscall(SYS_clock_gettime, c, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* clock_nanosleep: relative and TIMER_ABSTIME sleeps on MONOTONIC and REALTIME; a deadline in
 * the past returns at once; errors for bad clocks and requests (the raw syscall, since the
 * libc function returns the error instead of setting errno). */
int main(void) {
    struct timespec rel = {0, 2000000};
    long long t0 = now(CLOCK_MONOTONIC);
    EXPECT_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &rel, NULL), 0);
    CHECK(now(CLOCK_MONOTONIC) - t0 >= 2000000);
    long long target = now(CLOCK_MONOTONIC) + 3000000;
    struct timespec abs = {target / 1000000000, target % 1000000000};
    EXPECT_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), 0);
    CHECK(now(CLOCK_MONOTONIC) >= target);
    long long rtarget = now(CLOCK_REALTIME) + 2000000;
    struct timespec rabs = {rtarget / 1000000000, rtarget % 1000000000};
    EXPECT_EQ(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &rabs, NULL), 0);
    CHECK(now(CLOCK_REALTIME) >= rtarget);
    long long t1 = now(CLOCK_MONOTONIC);
    struct timespec past = {(t1 - 1000000) / 1000000000, (t1 - 1000000) % 1000000000};
    EXPECT_EQ(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
    CHECK(now(CLOCK_MONOTONIC) - t1 < 500000000);
    EXPECT_EQ(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &rel, NULL), 0);
    EXPECT_ERR(syscall(SYS_clock_nanosleep, 100, 0, &rel, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &rel, NULL), EOPNOTSUPP);
    struct timespec bad = {0, 1000000000};
    EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, (void *)8, NULL), EFAULT);
    /* The libc function reports errors by return value. */
    EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
    return t_done();
}
