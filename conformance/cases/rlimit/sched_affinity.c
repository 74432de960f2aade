// syscalls: sched_getaffinity, sched_setaffinity
#include "harness.h"
#include <sched.h>

/* The affinity mask has at least one CPU; setting it back is accepted and reads back equal;
 * an empty mask is EINVAL; a too-small buffer is EINVAL. */
int main(void) {
    cpu_set_t set, again;
    CPU_ZERO(&set);
    long n = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
    CHECK(n > 0 && n % 8 == 0);
    CHECK(CPU_COUNT(&set) >= 1);
    EXPECT_EQ(syscall(SYS_sched_setaffinity, 0, sizeof set, &set), 0);
    CPU_ZERO(&again);
    CHECK(syscall(SYS_sched_getaffinity, 0, sizeof again, &again) == n);
    CHECK(CPU_EQUAL(&set, &again));
    /* Pin to the first allowed CPU. */
    int first = 0;
    while (!CPU_ISSET(first, &set)) first++;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    EXPECT_EQ(syscall(SYS_sched_setaffinity, 0, sizeof one, &one), 0);
    CPU_ZERO(&again);
    syscall(SYS_sched_getaffinity, 0, sizeof again, &again);
    EXPECT_EQ(CPU_COUNT(&again), 1);
    CHECK(CPU_ISSET(first, &again));
    EXPECT_EQ(syscall(SYS_sched_setaffinity, 0, sizeof set, &set), 0);
    cpu_set_t none;
    CPU_ZERO(&none);
    EXPECT_ERR(syscall(SYS_sched_setaffinity, 0, sizeof none, &none), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_getaffinity, 0, 1, &set), EINVAL);
    EXPECT_ERR(syscall(SYS_sched_getaffinity, 0, sizeof set, (void *)8), EFAULT);
    EXPECT_ERR(syscall(SYS_sched_getaffinity, -1, sizeof set, &set), ESRCH);
    return t_done();
}
