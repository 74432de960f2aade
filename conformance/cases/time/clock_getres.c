// syscalls: clock_getres
#include "harness.h"
#include <time.h>

/* Resolutions: positive, at most a second; coarse clocks are no finer than the precise ones;
 * a NULL result pointer only validates the clock. */
int main(void) {
    struct timespec fine, coarse, rt;
    EXPECT_EQ(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &fine), 0);
    EXPECT_EQ(syscall(SYS_clock_getres, CLOCK_MONOTONIC_COARSE, &coarse), 0);
    EXPECT_EQ(syscall(SYS_clock_getres, CLOCK_REALTIME, &rt), 0);
    CHECK(fine.tv_sec == 0 && fine.tv_nsec > 0);
    CHECK(rt.tv_sec == 0 && rt.tv_nsec == fine.tv_nsec);
    CHECK(coarse.tv_sec == 0 && coarse.tv_nsec >= fine.tv_nsec);
    CHECK(fine.tv_nsec <= 1000000);
    EXPECT_EQ(syscall(SYS_clock_getres, CLOCK_BOOTTIME, NULL), 0);
    EXPECT_EQ(syscall(SYS_clock_getres, CLOCK_PROCESS_CPUTIME_ID, NULL), 0);
    EXPECT_EQ(syscall(SYS_clock_getres, CLOCK_THREAD_CPUTIME_ID, NULL), 0);
    return t_done();
}
