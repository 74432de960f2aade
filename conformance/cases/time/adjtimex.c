// syscalls: adjtimex, clock_gettime
#include "harness.h"
#include <sys/timex.h>
#include <time.h>

/* adjtimex with modes = 0 only reads the clock state: a valid state code, a time close to
 * CLOCK_REALTIME, and sane fields. (Nothing here changes the clock.) */
int main(void) {
    struct timex tx;
    memset(&tx, 0, sizeof tx);
    struct timespec a;
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &a);
    long state = syscall(SYS_adjtimex, &tx);
    CHECK(state >= 0 && state <= 5);
    CHECK(tx.time.tv_sec - a.tv_sec >= 0 && tx.time.tv_sec - a.tv_sec <= 1);
    CHECK(tx.tick > 0);
    CHECK(tx.maxerror >= 0 && tx.esterror >= 0);
    EXPECT_ERR(syscall(SYS_adjtimex, (void *)8), EFAULT);
    /* clock_adjtime reads the same state for CLOCK_REALTIME. */
    struct timex ty;
    memset(&ty, 0, sizeof ty);
    EXPECT_EQ(syscall(SYS_clock_adjtime, CLOCK_REALTIME, &ty), state);
    EXPECT_EQ(ty.tick, tx.tick);
    EXPECT_ERR(syscall(SYS_clock_adjtime, 100, &ty), EINVAL);
    return t_done();
}
