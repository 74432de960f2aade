// syscalls: capget, capset, setuid
#include "harness.h"
/* The capability ABI, spelled out (musl ships no <linux/capability.h>). */
struct cap_header { unsigned version; int pid; };
struct cap_data { unsigned effective, permitted, inheritable; };
#define CAP_V3 0x20080522
#define CAP_CHOWN 0
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7

/* capset: dropping CAP_SETUID from the effective set makes setuid fail even for root;
 * raising it again from the permitted set works; adding to permitted is EPERM. */
int main(void) {
    struct cap_header h = {CAP_V3, 0};
    struct cap_data d[2], saved[2];
    EXPECT_EQ(syscall(SYS_capget, &h, saved), 0);
    memcpy(d, saved, sizeof d);
    d[0].effective &= ~(1u << CAP_SETUID);
    EXPECT_EQ(syscall(SYS_capset, &h, d), 0);
    EXPECT_ERR(syscall(SYS_setuid, 1000), EPERM);
    EXPECT_EQ(syscall(SYS_capget, &h, d), 0);
    CHECK(!(d[0].effective & (1u << CAP_SETUID)));
    CHECK(d[0].permitted & (1u << CAP_SETUID));
    EXPECT_EQ(syscall(SYS_capset, &h, saved), 0);
    /* Drop CAP_SETUID from permitted entirely: it cannot come back. */
    memcpy(d, saved, sizeof d);
    d[0].effective &= ~(1u << CAP_SETUID);
    d[0].permitted &= ~(1u << CAP_SETUID);
    EXPECT_EQ(syscall(SYS_capset, &h, d), 0);
    EXPECT_ERR(syscall(SYS_capset, &h, saved), EPERM);
    /* Effective must stay within permitted. */
    d[0].effective |= 1u << CAP_SETUID;
    EXPECT_ERR(syscall(SYS_capset, &h, d), EPERM);
    /* Only the caller itself may be named. */
    h.pid = 1 + (int)syscall(SYS_getpid);
    EXPECT_ERR(syscall(SYS_capset, &h, saved), EPERM);
    h.pid = 0;
    h.version = 1;
    EXPECT_ERR(syscall(SYS_capset, &h, saved), EINVAL);
    EXPECT_ERR(syscall(SYS_setuid, 1000), EPERM);
    return t_done();
}
