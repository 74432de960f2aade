// syscalls: settimeofday, clock_settime
#include "harness.h"
#include <sys/time.h>
#include <time.h>

/* Setting the clock with invalid values fails before any permission check matters.
 * Every call here is invalid: nothing may actually change the host clock. */
int main(void) {
    struct timeval neg_us = {1700000000, -1}, big_us = {1700000000, 1000001}, neg_s = {-1, 0};
    EXPECT_ERR(syscall(SYS_settimeofday, &neg_us, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_settimeofday, &big_us, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_settimeofday, &neg_s, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_settimeofday, (void *)8, NULL), EFAULT);
    struct timespec bad_ns = {1700000000, 1000000000}, neg_ns = {1700000000, -1};
    EXPECT_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, &bad_ns), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, &neg_ns), EINVAL);
    /* Clocks without a setter refuse even valid values. */
    struct timespec ok = {1700000000, 0};
    EXPECT_ERR(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ok), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_settime, CLOCK_BOOTTIME, &ok), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_settime, 100, &ok), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_settime, CLOCK_REALTIME, (void *)8), EFAULT);
    return t_done();
}
