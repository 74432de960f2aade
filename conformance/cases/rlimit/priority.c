// syscalls: getpriority, setpriority
#include "harness.h"
#include <sys/resource.h>

/* Nice values: the raw getpriority returns 20 - nice; setpriority clamps to 19; unknown
 * "which" is EINVAL; an unknown process is ESRCH. (Only lowering priority, so no privilege
 * question arises.) */
int main(void) {
    long raw = syscall(SYS_getpriority, PRIO_PROCESS, 0);
    CHECK(raw >= 1 && raw <= 40);
    int nice0 = 20 - raw;
    EXPECT_EQ(syscall(SYS_setpriority, PRIO_PROCESS, 0, nice0 + 5 > 19 ? 19 : nice0 + 5), 0);
    EXPECT_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0) - raw, nice0 + 5 > 19 ? 19 - nice0 : -5);
    EXPECT_EQ(syscall(SYS_setpriority, PRIO_PROCESS, syscall(SYS_getpid), 100), 0);
    EXPECT_EQ(syscall(SYS_getpriority, PRIO_PROCESS, 0), 1);
    errno = 0;
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 19);
    EXPECT_ERR(syscall(SYS_getpriority, 7, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_setpriority, 7, 0, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_getpriority, PRIO_PROCESS, -1), ESRCH);
    EXPECT_ERR(syscall(SYS_getpriority, PRIO_PROCESS, 4000000), ESRCH);
    return t_done();
}
