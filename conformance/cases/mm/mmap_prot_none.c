// syscalls: mmap, mprotect, openat, read, munmap
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* A PROT_NONE mapping reserves address space the kernel may not touch until mprotect. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int zero = open("/dev/zero", O_RDONLY);
    char *p = mmap(NULL, 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    EXPECT_ERR(read(zero, p, 8), EFAULT);
    unsigned char v[2];
    /* It is still a mapping: mincore succeeds on it. */
    EXPECT_EQ(mincore(p, 2 * pg, v), 0);
    EXPECT_EQ(mprotect(p, pg, PROT_READ | PROT_WRITE), 0);
    EXPECT_EQ(read(zero, p, 8), 8);
    p[0] = 'y';
    SAY("now writable: %c", p[0]);
    EXPECT_ERR(read(zero, p + pg, 8), EFAULT);
    /* A read spanning into the PROT_NONE page fails or is short. */
    long n = read(zero, p + pg - 4, 8);
    CHECK(n == 4 || (n == -1 && errno == EFAULT));
    EXPECT_EQ(munmap(p, 2 * pg), 0);
    return t_done();
}
