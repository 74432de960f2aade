// syscalls: setgid, setuid, getresuid, getresgid, setgroups
#include "harness.h"

static void show(void) {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    syscall(SYS_getresuid, &r, &e, &s);
    syscall(SYS_getresgid, &gr, &ge, &gs);
    SAY("uids %u %u %u, gids %u %u %u", r, e, s, gr, ge, gs);
}

/* Root drops to nobody for good: setuid as root sets all three ids, and there is no way
 * back. Raw syscalls (glibc would broadcast to threads; irrelevant here). */
int main(void) {
    EXPECT_EQ(syscall(SYS_setgroups, 0, NULL), 0);
    EXPECT_EQ(syscall(SYS_setgid, 65534), 0);
    show();
    EXPECT_EQ(syscall(SYS_setuid, 65534), 0);
    show();
    EXPECT_ERR(syscall(SYS_setuid, 0), EPERM);
    EXPECT_ERR(syscall(SYS_setgid, 0), EPERM);
    EXPECT_ERR(syscall(SYS_setgroups, 0, NULL), EPERM);
    /* Setting the id it already has is allowed. */
    EXPECT_EQ(syscall(SYS_setuid, 65534), 0);
    EXPECT_ERR(syscall(SYS_setuid, -1), EINVAL);
    show();
    return t_done();
}
