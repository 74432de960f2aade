// syscalls: sched_yield, sched_getscheduler, sched_getparam, sched_get_priority_min, sched_get_priority_max
#include "harness.h"
#include <sched.h>

/* Scheduler queries: the default policy is SCHED_OTHER with priority 0; the priority ranges
 * of each policy; unknown policies are EINVAL. */
int main(void) {
    EXPECT_EQ(syscall(SYS_sched_yield), 0);
    EXPECT_EQ(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER);
    struct sched_param p = {-1};
    EXPECT_EQ(syscall(SYS_sched_getparam, 0, &p), 0);
    SAY("priority = %d", p.sched_priority);
    EXPECT_EQ(syscall(SYS_sched_get_priority_min, SCHED_FIFO), 1);
    EXPECT_EQ(syscall(SYS_sched_get_priority_max, SCHED_FIFO), 99);
    EXPECT_EQ(syscall(SYS_sched_get_priority_min, SCHED_RR), 1);
    EXPECT_EQ(syscall(SYS_sched_get_priority_max, SCHED_RR), 99);
    EXPECT_EQ(syscall(SYS_sched_get_priority_min, SCHED_OTHER), 0);
    EXPECT_EQ(syscall(SYS_sched_get_priority_max, SCHED_OTHER), 0);
    EXPECT_EQ(syscall(SYS_sched_get_priority_max, SCHED_BATCH), 0);
    EXPECT_EQ(syscall(SYS_sched_get_priority_max, SCHED_IDLE), 0);
    EXPECT_ERR(syscall(SYS_sched_get_priority_max, 42), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_get_priority_min, -1), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_getscheduler, -1), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_getparam, 0, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_getscheduler, 4000000), ESRCH);
    return t_done();
}
