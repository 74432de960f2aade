// syscalls: clock_gettime, time
#include "harness.h"
#include <time.h>

/* CLOCK_REALTIME agrees with time(), the coarse variant and TAI are close to it, and every
 * clock reports nanoseconds within range. */
int main(void) {
    struct timespec ts, coarse, tai;
    long t0 = syscall(SYS_time, NULL);
    EXPECT_EQ(syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts), 0);
    long t1 = syscall(SYS_time, NULL);
    CHECK(ts.tv_sec >= t0 && ts.tv_sec <= t1);
    CHECK(ts.tv_sec > 1600000000);
    EXPECT_EQ(syscall(SYS_clock_gettime, CLOCK_REALTIME_COARSE, &coarse), 0);
    CHECK(coarse.tv_sec - ts.tv_sec >= -1 && coarse.tv_sec - ts.tv_sec <= 1);
    EXPECT_EQ(syscall(SYS_clock_gettime, CLOCK_TAI, &tai), 0);
    CHECK(tai.tv_sec - ts.tv_sec >= 0 && tai.tv_sec - ts.tv_sec <= 40);
    static const clockid_t all[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                    CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW,
                                    CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
                                    CLOCK_BOOTTIME, CLOCK_TAI};
    int ok = 1;
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct timespec t = {-1, -1};
        ok &= syscall(SYS_clock_gettime, all[i], &t) == 0 && t.tv_sec >= 0 && t.tv_nsec >= 0 &&
              t.tv_nsec < 1000000000;
    }
    SAY("all clocks readable with tv_nsec in range: %s", ok ? "yes" : "no");
    if (!ok) t_failures++;
    return t_done();
}
