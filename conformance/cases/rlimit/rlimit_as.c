// syscalls: prlimit64, mmap, munmap, mremap
#include "harness.h"
#include <sys/mman.h>
#include <sys/resource.h>

/* RLIMIT_AS caps the address space: a mapping that would exceed it is ENOMEM, smaller ones
 * still work, and raising the soft limit again lifts the cap. */
int main(void) {
    struct rlimit old, lim = {1UL << 30, RLIM_INFINITY};
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_AS, NULL, &old), 0);
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_AS, &lim, NULL), 0);
    EXPECT_ERR((long)mmap(NULL, 2UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    void *small = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(small != MAP_FAILED);
    /* Growing with mremap counts too. */
    EXPECT_ERR((long)mremap(small, 1 << 20, 2UL << 30, MREMAP_MAYMOVE), ENOMEM);
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_AS, &old, NULL), 0);
    void *big = mmap(NULL, 2UL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(big != MAP_FAILED);
    EXPECT_EQ(munmap(big, 2UL << 30), 0);
    EXPECT_EQ(munmap(small, 1 << 20), 0);
    return t_done();
}
