// syscalls: getuid, geteuid, getgid, getegid, getresuid, getresgid
#include "harness.h"

/* The case runs as root: every user and group id is 0. */
int main(void) {
    EXPECT_EQ(syscall(SYS_getuid), 0);
    EXPECT_EQ(syscall(SYS_geteuid), 0);
    EXPECT_EQ(syscall(SYS_getgid), 0);
    EXPECT_EQ(syscall(SYS_getegid), 0);
    uid_t r = 1, e = 1, s = 1;
    EXPECT_EQ(syscall(SYS_getresuid, &r, &e, &s), 0);
    SAY("resuid = %u %u %u", r, e, s);
    gid_t gr = 1, ge = 1, gs = 1;
    EXPECT_EQ(syscall(SYS_getresgid, &gr, &ge, &gs), 0);
    SAY("resgid = %u %u %u", gr, ge, gs);
    EXPECT_ERR(syscall(SYS_getresuid, &r, (void *)8, &s), EFAULT);
    EXPECT_ERR(syscall(SYS_getresgid, (void *)8, &e, &s), EFAULT);
    return t_done();
}
