// syscalls: mmap, mremap, mincore, munmap
#include "harness.h"
#include <sys/mman.h>

/* MREMAP_FIXED moves a mapping to a chosen address, replacing what was there. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char v[4];
    char *src = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *dst = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(src != MAP_FAILED && dst != MAP_FAILED)) return t_done();
    strcpy(src, "moved");
    strcpy(src + pg, "moved too");
    memset(dst, 'd', 3 * pg);
    /* MREMAP_FIXED needs MREMAP_MAYMOVE. */
    EXPECT_ERR((long)mremap(src, 2 * pg, 2 * pg, MREMAP_FIXED, dst), EINVAL);
    /* The new address must be page aligned. */
    EXPECT_ERR((long)mremap(src, 2 * pg, 2 * pg, MREMAP_FIXED | MREMAP_MAYMOVE, dst + 1), EINVAL);
    /* Old and new ranges may not overlap. */
    EXPECT_ERR((long)mremap(src, 2 * pg, 2 * pg, MREMAP_FIXED | MREMAP_MAYMOVE, src + pg), EINVAL);
    char *r = mremap(src, 2 * pg, 2 * pg, MREMAP_FIXED | MREMAP_MAYMOVE, dst);
    CHECK(r == dst);
    SAY("at destination: %s / %s", dst, dst + pg);
    SAY("untouched third page: %c", dst[2 * pg]);
    EXPECT_ERR(mincore(src, pg, v), ENOMEM);
    /* An old address that is not mapped is EFAULT. */
    EXPECT_ERR((long)mremap(src, pg, pg, 0), EFAULT);
    /* Unaligned old address. */
    EXPECT_ERR((long)mremap(dst + 1, pg, pg, 0), EINVAL);
    /* Unknown flags. */
    EXPECT_ERR((long)mremap(dst, pg, pg, 0x80), EINVAL);
    EXPECT_EQ(munmap(dst, 3 * pg), 0);
    return t_done();
}
