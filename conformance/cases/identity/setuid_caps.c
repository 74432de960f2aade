// syscalls: setresuid, capget
#include "harness.h"
/* The capability ABI, spelled out (musl ships no <linux/capability.h>). */
struct cap_header { unsigned version; int pid; };
struct cap_data { unsigned effective, permitted, inheritable; };
#define CAP_V3 0x20080522
#define CAP_CHOWN 0
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7

static unsigned eff(void) {
    struct cap_header h = {CAP_V3, 0};
    struct cap_data d[2];
    syscall(SYS_capget, &h, d);
    return d[0].effective;
}

static unsigned perm(void) {
    struct cap_header h = {CAP_V3, 0};
    struct cap_data d[2];
    syscall(SYS_capget, &h, d);
    return d[0].permitted;
}

/* Linux's setuid capability fixup: leaving euid 0 clears the effective set; returning to it
 * restores it from permitted; dropping every 0 id clears permitted too. */
int main(void) {
    unsigned p0 = perm();
    CHECK(eff() != 0);
    EXPECT_EQ(syscall(SYS_setresuid, 0, 1000, 0), 0);
    SAY("effective after euid 1000: %u", eff());
    CHECK(perm() == p0);
    EXPECT_EQ(syscall(SYS_setresuid, -1, 0, -1), 0);
    CHECK(eff() == p0);
    EXPECT_EQ(syscall(SYS_setresuid, 1000, 1000, 1000), 0);
    SAY("after dropping all: effective %u permitted %u", eff(), perm());
    return t_done();
}
