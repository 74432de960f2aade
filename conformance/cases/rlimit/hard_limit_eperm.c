// syscalls: prlimit64, setresuid
#include "harness.h"
#include <sys/resource.h>

/* Without CAP_SYS_RESOURCE (an ordinary user) a hard limit can be lowered but never raised
 * again; the soft limit moves freely below it. */
int main(void) {
    struct rlimit r, lim;
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &r), 0);
    EXPECT_EQ(syscall(SYS_setresuid, 1000, 1000, 1000), 0);
    lim.rlim_cur = 100;
    lim.rlim_max = 200;
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, NULL), 0);
    lim.rlim_max = 201;
    EXPECT_ERR(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, NULL), EPERM);
    lim.rlim_cur = 200;
    lim.rlim_max = 200;
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, NULL), 0);
    lim.rlim_cur = 10;
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, NULL), 0);
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &lim), 0);
    SAY("nofile = %lu/%lu", (unsigned long)lim.rlim_cur, (unsigned long)lim.rlim_max);
    lim.rlim_cur = lim.rlim_max = RLIM_INFINITY;
    EXPECT_ERR(syscall(SYS_setrlimit, RLIMIT_NOFILE, &lim), EPERM);
    return t_done();
}
