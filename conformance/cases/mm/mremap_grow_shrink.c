// syscalls: mmap, mremap, mincore, munmap
#include "harness.h"
#include <sys/mman.h>

/* mremap grows (in place or moving) and shrinks mappings, keeping the contents. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char v[4];
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    strcpy(p, "page0");
    strcpy(p + pg, "page1");
    /* Make room after the mapping, then grow in place. */
    munmap(p + 2 * pg, 2 * pg);
    char *q = mremap(p, 2 * pg, 4 * pg, 0);
    if (q == MAP_FAILED) {
        /* Something else sits there: fall back to moving. */
        q = mremap(p, 2 * pg, 4 * pg, MREMAP_MAYMOVE);
    }
    if (!CHECK(q != MAP_FAILED)) return t_done();
    SAY("after grow: %s %s", q, q + pg);
    CHECK(q[3 * pg] == 0);
    q[3 * pg] = 'z';
    /* Shrink: the tail is unmapped. */
    char *r = mremap(q, 4 * pg, pg, 0);
    CHECK(r == q);
    SAY("after shrink: %s", r);
    EXPECT_ERR(mincore(r + pg, pg, v), ENOMEM);
    /* Growing where the next page is taken fails without MREMAP_MAYMOVE. */
    char *blk = mmap(r + pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(blk == r + pg);
    EXPECT_ERR((long)mremap(r, pg, 2 * pg, 0), ENOMEM);
    char *s = mremap(r, pg, 2 * pg, MREMAP_MAYMOVE);
    CHECK(s != MAP_FAILED && s != r);
    SAY("after move: %s", s);
    CHECK(s[pg] == 0);
    EXPECT_ERR(mincore(r, pg, v), ENOMEM);
    EXPECT_EQ(munmap(s, 2 * pg), 0);
    EXPECT_EQ(munmap(blk, pg), 0);
    return t_done();
}
