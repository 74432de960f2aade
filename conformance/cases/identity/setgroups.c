// syscalls: setgroups, getgroups
#include "harness.h"
#include <grp.h>

/* The supplementary group list round-trips; getgroups(0) counts; a short buffer is EINVAL. */
int main(void) {
    gid_t set[3] = {5, 7, 11}, got[8];
    EXPECT_EQ(syscall(SYS_setgroups, 3, set), 0);
    EXPECT_EQ(syscall(SYS_getgroups, 0, NULL), 3);
    long n = EXPECT_EQ(syscall(SYS_getgroups, 8, got), 3);
    if (n == 3) SAY("groups %u %u %u", got[0], got[1], got[2]);
    EXPECT_ERR(syscall(SYS_getgroups, 2, got), EINVAL);
    EXPECT_ERR(syscall(SYS_getgroups, -1, got), EINVAL);
    EXPECT_ERR(syscall(SYS_getgroups, 8, (void *)8), EFAULT);
    EXPECT_ERR(syscall(SYS_setgroups, 1, (void *)8), EFAULT);
    EXPECT_ERR(syscall(SYS_setgroups, 70000, set), EINVAL);
    EXPECT_EQ(syscall(SYS_setgroups, 0, NULL), 0);
    EXPECT_EQ(syscall(SYS_getgroups, 0, NULL), 0);
    return t_done();
}
