// syscalls: clock_gettime
#include "harness.h"
#include <time.h>

static long long ns(clockid_t c) {
    struct timespec ts;
    if (syscall(SYS_clock_gettime, c, &ts) != 0) return -1;
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The monotonic clocks never go backwards, and BOOTTIME is never behind MONOTONIC. */
int main(void) {
    static const struct { clockid_t id; const char *name; } clocks[] = {
        {CLOCK_MONOTONIC, "MONOTONIC"},
        {CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW"},
        {CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"},
        {CLOCK_BOOTTIME, "BOOTTIME"},
    };
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        long long a = ns(clocks[i].id);
        int ok = a >= 0;
        for (int j = 0; j < 1000 && ok; j++) {
            long long b = ns(clocks[i].id);
            ok = b >= a;
            a = b;
        }
        SAY("%s non-decreasing over 1000 reads: %s", clocks[i].name, ok ? "yes" : "no");
        if (!ok) t_failures++;
    }
    long long mono = ns(CLOCK_MONOTONIC);
    long long boot = ns(CLOCK_BOOTTIME);
    CHECK(boot >= mono);
    EXPECT_EQ(mono > 0, 1);
    return t_done();
}
