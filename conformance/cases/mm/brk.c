// syscalls: brk
#include "harness.h"
#include <stdint.h>

/* The raw brk syscall: brk(0) reports the break, growing and shrinking it moves usable
 * memory, and an impossible request returns the old break unchanged. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    uintptr_t cur = syscall(SYS_brk, 0);
    CHECK(cur != 0);
    uintptr_t want = cur + 5 * pg + 123;
    uintptr_t got = syscall(SYS_brk, want);
    EXPECT_EQ(got - cur, 5 * pg + 123);
    char *heap = (char *)cur;
    memset(heap, 'h', 5 * pg + 123);
    SAY("heap end byte: %c", heap[5 * pg + 122]);
    EXPECT_EQ(syscall(SYS_brk, 0) - cur, 5 * pg + 123);
    /* Shrinking, then growing again: the re-grown part reads as zero. */
    EXPECT_EQ(syscall(SYS_brk, cur + pg) - cur, pg);
    EXPECT_EQ(syscall(SYS_brk, cur + 3 * pg) - cur, 3 * pg);
    SAY("kept byte: %c", heap[pg - 1]);
    int zero = 1;
    /* Whole pages above the shrunk break were dropped (the break need not be aligned). */
    char *z0 = (char *)((cur + pg + pg - 1) & ~(uintptr_t)(pg - 1));
    for (char *q = z0; q < heap + 3 * pg; q++) zero &= *q == 0;
    SAY("regrown pages zero: %s", zero ? "yes" : "no");
    /* Below the start of the heap, or absurdly high: the break stays. */
    EXPECT_EQ(syscall(SYS_brk, 4096) - cur, 3 * pg);
    EXPECT_EQ(syscall(SYS_brk, 1UL << 62) - cur, 3 * pg);
    EXPECT_EQ(syscall(SYS_brk, cur) - cur, 0);
    return t_done();
}
