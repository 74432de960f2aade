// syscalls: mmap, munmap
#include "harness.h"
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* MAP_FIXED_NOREPLACE maps at the address only when nothing is there. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    p[pg] = 'x';
    EXPECT_ERR((long)mmap(p + pg, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                          -1, 0), EEXIST);
    /* A partial overlap is refused too, and the old contents survive. */
    EXPECT_ERR((long)mmap(p + 2 * pg, 2 * pg, PROT_READ,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
    SAY("old byte kept: %c", p[pg]);
    EXPECT_EQ(munmap(p + pg, pg), 0);
    char *q = mmap(p + pg, pg, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(q == p + pg);
    SAY("new page byte: %d", q[0]);
    EXPECT_EQ(munmap(p, 3 * pg), 0);
    return t_done();
}
