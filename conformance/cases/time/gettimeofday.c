// syscalls: gettimeofday, clock_gettime
#include "harness.h"
#include <sys/time.h>
#include <time.h>

/* gettimeofday agrees with CLOCK_REALTIME; both arguments are optional. */
int main(void) {
    struct timeval tv;
    struct timezone tz = {123, 456};
    struct timespec a, b;
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &a);
    EXPECT_EQ(syscall(SYS_gettimeofday, &tv, &tz), 0);
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &b);
    long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
    CHECK(us >= a.tv_sec * 1000000LL + a.tv_nsec / 1000);
    CHECK(us <= b.tv_sec * 1000000LL + b.tv_nsec / 1000);
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    CHECK(tz.tz_minuteswest != 123 && tz.tz_dsttime != 456);
    EXPECT_EQ(syscall(SYS_gettimeofday, NULL, NULL), 0);
    EXPECT_EQ(syscall(SYS_gettimeofday, &tv, NULL), 0);
    EXPECT_ERR(syscall(SYS_gettimeofday, (void *)8, NULL), EFAULT);
    return t_done();
}
