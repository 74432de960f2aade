// syscalls: prlimit64, getrlimit, getpid
#include "harness.h"
#include <sys/resource.h>

/* prlimit64 reads and writes in one call (the old value is the one before the change); it
 * names the caller by 0 or its pid; it agrees with getrlimit. */
int main(void) {
    struct rlimit old, now, lim;
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &old), 0);
    EXPECT_EQ(syscall(SYS_getrlimit, RLIMIT_STACK, &now), 0);
    CHECK(old.rlim_cur == now.rlim_cur && old.rlim_max == now.rlim_max);
    lim.rlim_cur = 1 << 20;
    lim.rlim_max = old.rlim_max;
    struct rlimit prev;
    EXPECT_EQ(syscall(SYS_prlimit64, syscall(SYS_getpid), RLIMIT_STACK, &lim, &prev), 0);
    CHECK(prev.rlim_cur == old.rlim_cur);
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &now), 0);
    SAY("stack soft = %lu", (unsigned long)now.rlim_cur);
    /* Glibc's getrlimit goes through prlimit64 as well. */
    EXPECT_EQ(getrlimit(RLIMIT_STACK, &now), 0);
    SAY("libc getrlimit agrees: %s", now.rlim_cur == 1 << 20 ? "yes" : "no");
    EXPECT_ERR(syscall(SYS_prlimit64, 0, 16, NULL, &now), EINVAL);
    EXPECT_ERR(syscall(SYS_prlimit64, -1, RLIMIT_STACK, NULL, &now), ESRCH);
    lim.rlim_cur = lim.rlim_max;
    lim.rlim_max = 10;
    if (lim.rlim_cur > 10) EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIMIT_STACK, &lim, NULL), EINVAL);
    EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIMIT_STACK, (void *)8, NULL), EFAULT);
    /* Both pointers NULL: a no-op. */
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, NULL), 0);
    return t_done();
}
