// syscalls: brk
// libc: glibc
#include "harness.h"
#include <stdint.h>

/* glibc's sbrk grows and shrinks the break through brk (musl's sbrk refuses non-zero
 * increments, so this case is glibc only). */
int main(void) {
    char *a = sbrk(0);
    char *b = sbrk(8192);
    CHECK(a == b);
    char *c = sbrk(0);
    EXPECT_EQ(c - a, 8192);
    memset(b, 's', 8192);
    SAY("byte: %c", b[8191]);
    sbrk(-4096);
    EXPECT_EQ((char *)sbrk(0) - a, 4096);
    return t_done();
}
