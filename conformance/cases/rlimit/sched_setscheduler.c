// syscalls: sched_setscheduler, sched_getscheduler, sched_setparam, sched_getparam, sched_rr_get_interval
#include "harness.h"
#include <sched.h>
#include <time.h>

/* Switching between the normal policies needs no privilege: SCHED_BATCH and back; their
 * priority must be 0; an unknown policy is EINVAL. */
int main(void) {
    struct sched_param p = {0};
    EXPECT_EQ(syscall(SYS_sched_setscheduler, 0, SCHED_BATCH, &p), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_BATCH);
    EXPECT_EQ(syscall(SYS_sched_setparam, 0, &p), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_BATCH);
    p.sched_priority = 5;
    EXPECT_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_setparam, 0, &p), EINVAL);
    p.sched_priority = 0;
    EXPECT_ERR(syscall(SYS_sched_setscheduler, 0, 42, &p), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &p), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_setscheduler, 4000000, SCHED_OTHER, &p), ESRCH);
    EXPECT_EQ(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);
    struct timespec ts = {-1, -1};
    EXPECT_EQ(syscall(SYS_sched_rr_get_interval, 0, &ts), 0);
    CHECK(ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
    EXPECT_ERR(syscall(SYS_sched_rr_get_interval, -1, &ts), EINVAL);
    return t_done();
}
