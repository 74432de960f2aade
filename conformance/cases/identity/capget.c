// syscalls: capget
#include "harness.h"
/* The capability ABI, spelled out (musl ships no <linux/capability.h>). */
struct cap_header { unsigned version; int pid; };
struct cap_data { unsigned effective, permitted, inheritable; };
#define CAP_V3 0x20080522
#define CAP_CHOWN 0
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7

/* capget: root's effective set holds the usual capabilities and equals the permitted set;
 * an unknown version is EINVAL and reports the preferred one. */
int main(void) {
    struct cap_header h = {CAP_V3, 0};
    struct cap_data d[2];
    EXPECT_EQ(syscall(SYS_capget, &h, d), 0);
    CHECK(d[0].effective & (1u << CAP_CHOWN));
    CHECK(d[0].effective & (1u << CAP_SETUID));
    CHECK(d[0].effective & (1u << CAP_SETGID));
    CHECK(d[0].effective & (1u << CAP_KILL));
    CHECK(d[0].effective == d[0].permitted && d[1].effective == d[1].permitted);
    SAY("inheritable = %u %u", d[0].inheritable, d[1].inheritable);
    h.pid = syscall(SYS_getpid);
    EXPECT_EQ(syscall(SYS_capget, &h, d), 0);
    /* A NULL data pointer just checks the version. */
    EXPECT_EQ(syscall(SYS_capget, &h, NULL), 0);
    h.version = 0x12345678;
    EXPECT_ERR(syscall(SYS_capget, &h, d), EINVAL);
    SAY("preferred version = %#x", h.version);
    h.version = CAP_V3;
    h.pid = -5;
    EXPECT_ERR(syscall(SYS_capget, &h, d), EINVAL);
    EXPECT_ERR(syscall(SYS_capget, (void *)8, d), EFAULT);
    return t_done();
}
