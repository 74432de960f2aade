// syscalls: times, nanosleep
#include "harness.h"
#include <sys/times.h>
#include <time.h>

/* times() fills sane CPU times (no children here) and its return value counts clock ticks
 * forward. */
int main(void) {
    struct tms t;
    memset(&t, 0xff, sizeof t);
    long a = syscall(SYS_times, &t);
    CHECK(a != -1);
    CHECK(t.tms_utime >= 0 && t.tms_stime >= 0);
    SAY("children: %ld %ld", (long)t.tms_cutime, (long)t.tms_cstime);
    struct timespec d = {0, 30000000};
    nanosleep(&d, NULL);
    long b = syscall(SYS_times, NULL);
    /* 30 ms at 100 ticks a second is at least 2 ticks (allowing for rounding). */
    CHECK(b - a >= 2);
    CHECK(b - a < 100);
    EXPECT_EQ(sysconf(_SC_CLK_TCK), 100);
    EXPECT_ERR(syscall(SYS_times, (void *)8), EFAULT);
    return t_done();
}
