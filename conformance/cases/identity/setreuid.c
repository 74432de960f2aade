// syscalls: setreuid, setregid, getresuid, getresgid
#include "harness.h"

static void show(void) {
    uid_t r, e, s;
    syscall(SYS_getresuid, &r, &e, &s);
    SAY("uids %u %u %u", r, e, s);
}

/* setreuid's rules for the saved id, and swapping real and effective ids back and forth. */
int main(void) {
    gid_t gr, ge, gs;
    EXPECT_EQ(syscall(SYS_setregid, 100, 200), 0);
    syscall(SYS_getresgid, &gr, &ge, &gs);
    SAY("gids %u %u %u", gr, ge, gs);
    EXPECT_EQ(syscall(SYS_setregid, 0, 0), 0);
    /* Only the effective id moves away from the real one: the saved id follows it. */
    EXPECT_EQ(syscall(SYS_setreuid, -1, 1000), 0);
    show();
    /* Back to 0 (the real id) is allowed without privilege. */
    EXPECT_EQ(syscall(SYS_setreuid, -1, 0), 0);
    show();
    /* Swap real and effective. */
    EXPECT_EQ(syscall(SYS_setreuid, 1000, 2000), 0);
    show();
    EXPECT_EQ(syscall(SYS_setreuid, 2000, 1000), 0);
    show();
    /* Unprivileged now: 0 is none of our ids. */
    EXPECT_ERR(syscall(SYS_setreuid, -1, 0), EPERM);
    EXPECT_ERR(syscall(SYS_setreuid, 0, -1), EPERM);
    EXPECT_ERR(syscall(SYS_setregid, -1, 5), EPERM);
    /* The real id may become the effective one. */
    EXPECT_EQ(syscall(SYS_setreuid, 1000, -1), 0);
    show();
    return t_done();
}
