// syscalls: getcpu, sched_getaffinity
#include "harness.h"
#include <sched.h>

/* getcpu reports a CPU the process may run on; either pointer may be NULL. */
int main(void) {
    unsigned cpu = 12345, node = 12345;
    EXPECT_EQ(syscall(SYS_getcpu, &cpu, &node, NULL), 0);
    cpu_set_t set;
    CPU_ZERO(&set);
    syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
    CHECK(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set));
    CHECK(node < 1024);
    EXPECT_EQ(syscall(SYS_getcpu, NULL, NULL, NULL), 0);
    EXPECT_EQ(syscall(SYS_getcpu, &cpu, NULL, NULL), 0);
    EXPECT_ERR(syscall(SYS_getcpu, (void *)8, NULL, NULL), EFAULT);
    return t_done();
}
