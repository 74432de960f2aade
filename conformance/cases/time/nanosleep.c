// syscalls: nanosleep, clock_gettime
#include "harness.h"
#include <time.h>

static long long mono(void) {
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* nanosleep sleeps at least as long as asked and validates its request. */
int main(void) {
    struct timespec req = {0, 3000000}, rem = {7, 7};
    long long t0 = mono();
    EXPECT_EQ(syscall(SYS_nanosleep, &req, &rem), 0);
    long long t1 = mono();
    CHECK(t1 - t0 >= 3000000);
    CHECK(t1 - t0 < 1000000000);
    /* A zero sleep returns at once. */
    struct timespec zero = {0, 0};
    EXPECT_EQ(syscall(SYS_nanosleep, &zero, NULL), 0);
    struct timespec bad1 = {0, 1000000000}, bad2 = {0, -1}, bad3 = {-1, 0};
    EXPECT_ERR(syscall(SYS_nanosleep, &bad1, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_nanosleep, &bad2, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_nanosleep, &bad3, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_nanosleep, (void *)8, NULL), EFAULT);
    return t_done();
}
