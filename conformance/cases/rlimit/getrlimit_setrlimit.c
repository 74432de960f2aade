// syscalls: getrlimit, setrlimit
#include "harness.h"
#include <sys/resource.h>

/* The raw getrlimit/setrlimit pair: lower the soft limit, read it back, raise it back to the
 * hard limit; soft above hard is EINVAL; unknown resources are EINVAL. */
int main(void) {
    struct rlimit r, orig;
    EXPECT_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &orig), 0);
    CHECK(orig.rlim_cur <= orig.rlim_max);
    r.rlim_cur = 64;
    r.rlim_max = orig.rlim_max;
    EXPECT_EQ(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r), 0);
    EXPECT_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &r), 0);
    SAY("soft now %lu, hard unchanged: %s", (unsigned long)r.rlim_cur,
        r.rlim_max == orig.rlim_max ? "yes" : "no");
    r.rlim_cur = orig.rlim_max;
    EXPECT_EQ(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r), 0);
    EXPECT_EQ(syscall(SYS_getrlimit, RLIMIT_NOFILE, &r), 0);
    CHECK(r.rlim_cur == orig.rlim_max);
    r.rlim_cur = 100;
    r.rlim_max = 50;
    EXPECT_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r), EINVAL);
    EXPECT_ERR(syscall(SYS_getrlimit, 16, &r), EINVAL);
    EXPECT_ERR(syscall(SYS_setrlimit, 99, &orig), EINVAL);
    EXPECT_ERR(syscall(SYS_getrlimit, RLIMIT_NOFILE, (void *)8), EFAULT);
    EXPECT_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, (void *)8), EFAULT);
    /* Lowering a hard limit is always allowed. */
    struct rlimit core = {0, 0};
    EXPECT_EQ(syscall(SYS_setrlimit, RLIMIT_CORE, &core), 0);
    EXPECT_EQ(syscall(SYS_getrlimit, RLIMIT_CORE, &core), 0);
    SAY("core = %lu/%lu", (unsigned long)core.rlim_cur, (unsigned long)core.rlim_max);
    return t_done();
}
