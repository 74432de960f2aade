// syscalls: mmap, mlock, munlock, mlock2, mlockall, munlockall, munmap
#include "harness.h"
#include <sys/mman.h>

/* Locking memory succeeds on mapped ranges and checks its arguments. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    EXPECT_EQ(mlock(p, 2 * pg), 0);
    /* Unaligned addresses are rounded down. */
    EXPECT_EQ(mlock(p + 10, 10), 0);
    EXPECT_EQ(munlock(p, 2 * pg), 0);
    EXPECT_EQ(syscall(SYS_mlock2, p, pg, 0), 0);
    EXPECT_EQ(syscall(SYS_mlock2, p, pg, 1 /* MLOCK_ONFAULT */), 0);
    EXPECT_ERR(syscall(SYS_mlock2, p, pg, 2), EINVAL);
    EXPECT_EQ(munlock(p, 2 * pg), 0);
    EXPECT_EQ(mlockall(MCL_CURRENT), 0);
    EXPECT_EQ(munlockall(), 0);
    EXPECT_ERR(mlockall(0), EINVAL);
    EXPECT_ERR(mlockall(0x100), EINVAL);
    EXPECT_EQ(munmap(p, 2 * pg), 0);
    EXPECT_ERR(mlock(p, pg), ENOMEM);
    return t_done();
}
