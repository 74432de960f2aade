// syscalls: clock_gettime, clock_getres
#include "harness.h"
#include <time.h>

/* Unknown clock ids are EINVAL; a bad result pointer is EFAULT (the raw syscall, since a
 * vDSO would simply crash). */
int main(void) {
    struct timespec ts;
    EXPECT_ERR(syscall(SYS_clock_gettime, 10, &ts), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_gettime, 12, &ts), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_gettime, 1000, &ts), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8), EFAULT);
    EXPECT_ERR(syscall(SYS_clock_getres, 10, &ts), EINVAL);
    EXPECT_ERR(syscall(SYS_clock_getres, CLOCK_MONOTONIC, (void *)8), EFAULT);
    /* A CPU clock of a process that does not exist. */
    clockid_t cid = ((~(clockid_t)4000000) << 3) | 2;
    EXPECT_ERR(syscall(SYS_clock_gettime, cid, &ts), EINVAL);
    /* This process's own CPU clock by pid 0. */
    clockid_t self = ((~(clockid_t)0) << 3) | 2;
    EXPECT_EQ(syscall(SYS_clock_gettime, self, &ts), 0);
    return t_done();
}
