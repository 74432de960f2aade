// syscalls: mmap, munmap, mincore
#include "harness.h"
#include <sys/mman.h>

/* Unmapping the middle of a mapping punches a hole; the rest stays. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 5 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    for (int i = 0; i < 5; i++) p[i * pg] = 'a' + i;
    EXPECT_EQ(munmap(p + pg, 2 * pg), 0);
    unsigned char v[5];
    EXPECT_EQ(mincore(p, pg, v), 0);
    EXPECT_ERR(mincore(p + pg, pg, v), ENOMEM);
    EXPECT_ERR(mincore(p + 2 * pg, pg, v), ENOMEM);
    EXPECT_EQ(mincore(p + 3 * pg, 2 * pg, v), 0);
    EXPECT_ERR(mincore(p, 5 * pg, v), ENOMEM);
    SAY("kept: %c %c %c", p[0], p[3 * pg], p[4 * pg]);
    /* Unmapping the hole again, or a range that is partly unmapped, succeeds. */
    EXPECT_EQ(munmap(p + pg, 2 * pg), 0);
    EXPECT_EQ(munmap(p, 2 * pg), 0);
    EXPECT_ERR(mincore(p, pg, v), ENOMEM);
    SAY("still kept: %c", p[3 * pg]);
    /* Length is rounded up to a page. */
    EXPECT_EQ(munmap(p + 3 * pg, 1), 0);
    EXPECT_ERR(mincore(p + 3 * pg, pg, v), ENOMEM);
    EXPECT_EQ(mincore(p + 4 * pg, pg, v), 0);
    EXPECT_EQ(munmap(p + 4 * pg, pg), 0);
    return t_done();
}
