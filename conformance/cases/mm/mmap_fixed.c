// syscalls: mmap, munmap
#include "harness.h"
#include <sys/mman.h>

/* MAP_FIXED replaces the pages it covers and leaves the neighbours alone. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    memset(p, 'a', 4 * pg);
    char *q = mmap(p + pg, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                   -1, 0);
    CHECK(q == p + pg);
    SAY("page 0 byte: %c", p[0]);
    SAY("page 1 byte: %d", p[pg]);
    SAY("page 2 last byte: %d", p[3 * pg - 1]);
    SAY("page 3 byte: %c", p[3 * pg]);
    /* MAP_FIXED needs a page-aligned address. */
    EXPECT_ERR((long)mmap(p + 1, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
               EINVAL);
    EXPECT_EQ(munmap(p, 4 * pg), 0);
    return t_done();
}
