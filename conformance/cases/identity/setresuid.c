// syscalls: setresuid, setresgid, getresuid, getresgid, geteuid
#include "harness.h"

static void show(void) {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    syscall(SYS_getresuid, &r, &e, &s);
    syscall(SYS_getresgid, &gr, &ge, &gs);
    SAY("uids %u %u %u, gids %u %u %u", r, e, s, gr, ge, gs);
}

/* setresuid: root sets any ids; keeping 0 as the saved id lets the process become root
 * again; -1 leaves an id alone. */
int main(void) {
    EXPECT_EQ(syscall(SYS_setresgid, 10, 20, 30), 0);
    EXPECT_EQ(syscall(SYS_setresgid, -1, -1, 0), 0);
    show();
    EXPECT_EQ(syscall(SYS_setresuid, 1000, 1001, 0), 0);
    show();
    EXPECT_EQ(syscall(SYS_geteuid), 1001);
    /* Unprivileged: any id may take the value of any current id. */
    EXPECT_EQ(syscall(SYS_setresuid, 1001, 1000, -1), 0);
    show();
    EXPECT_ERR(syscall(SYS_setresuid, 5, -1, -1), EPERM);
    EXPECT_ERR(syscall(SYS_setresgid, 5, -1, -1), EPERM);
    /* The saved 0 brings back root, and with it the capabilities to set anything. */
    EXPECT_EQ(syscall(SYS_setresuid, -1, 0, -1), 0);
    EXPECT_EQ(syscall(SYS_setresuid, 0, 0, 0), 0);
    EXPECT_EQ(syscall(SYS_setresgid, 0, 0, 0), 0);
    show();
    /* All three dropped: no way back. */
    EXPECT_EQ(syscall(SYS_setresuid, 7, 7, 7), 0);
    EXPECT_ERR(syscall(SYS_setresuid, 0, 0, 0), EPERM);
    show();
    return t_done();
}
