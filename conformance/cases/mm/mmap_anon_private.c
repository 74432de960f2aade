// syscalls: mmap, munmap
#include "harness.h"
#include <stdint.h>
#include <sys/mman.h>

/* An anonymous private mapping is page aligned, zero-filled and writable. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    size_t len = 3 * pg + 100;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    CHECK(((uintptr_t)p % pg) == 0);
    int zero = 1;
    /* The length is rounded up to whole pages: the last page is usable to its end. */
    for (size_t i = 0; i < 4 * (size_t)pg; i++) zero &= p[i] == 0;
    CHECK(zero);
    memset(p, 0x5a, 4 * pg);
    CHECK(p[0] == 0x5a && p[4 * pg - 1] == 0x5a);
    EXPECT_EQ(munmap(p, len), 0);
    /* Two mappings never overlap. */
    char *a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(a != MAP_FAILED && b != MAP_FAILED && a != b);
    a[0] = 1;
    b[0] = 2;
    CHECK(a[0] == 1 && b[0] == 2);
    EXPECT_EQ(munmap(a, pg), 0);
    EXPECT_EQ(munmap(b, pg), 0);
    return t_done();
}
