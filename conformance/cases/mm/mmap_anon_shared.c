// syscalls: mmap, mremap, munmap
#include "harness.h"
#include <sys/mman.h>

/* A shared anonymous mapping is zero-filled and writable, and keeps its contents when
 * mremap moves it. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    CHECK(p[0] == 0 && p[2 * pg - 1] == 0);
    strcpy(p, "shared anon");
    strcpy(p + pg, "second page");
    /* Block growth in place so the mapping has to move. */
    char *blk = mmap(p + 2 * pg, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                     -1, 0);
    char *q = mremap(p, 2 * pg, 4 * pg, MREMAP_MAYMOVE);
    if (!CHECK(q != MAP_FAILED)) return t_done();
    CHECK(blk == MAP_FAILED || q != p);
    SAY("page 0 after move: %s", q);
    SAY("page 1 after move: %s", q + pg);
    EXPECT_EQ(munmap(q, 4 * pg), 0);
    if (blk != MAP_FAILED) munmap(blk, pg);
    return t_done();
}
