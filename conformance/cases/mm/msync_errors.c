// syscalls: mmap, msync, munmap
#include "harness.h"
#include <sys/mman.h>

/* msync argument errors, and success on anonymous memory. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    EXPECT_EQ(msync(p, 2 * pg, MS_SYNC), 0);
    EXPECT_EQ(msync(p, 2 * pg, MS_ASYNC), 0);
    EXPECT_EQ(msync(p, 2 * pg, MS_INVALIDATE), 0);
    EXPECT_ERR(msync(p + 1, pg, MS_SYNC), EINVAL);
    EXPECT_ERR(msync(p, pg, MS_SYNC | MS_ASYNC), EINVAL);
    EXPECT_ERR(msync(p, pg, 0x80), EINVAL);
    EXPECT_EQ(munmap(p + pg, pg), 0);
    EXPECT_ERR(msync(p, 2 * pg, MS_SYNC), ENOMEM);
    EXPECT_EQ(msync(p, pg, MS_SYNC), 0);
    EXPECT_EQ(munmap(p, pg), 0);
    return t_done();
}
