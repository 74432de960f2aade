// syscalls: mmap, mprotect, openat, read, write, munmap
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* mprotect changes what the kernel may do with the pages: read() into a read-only page and
 * write() from a PROT_NONE page fail with EFAULT; restoring the protection makes them work. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int zero = open("/dev/zero", O_RDONLY);
    /* A regular file: write() must really read the buffer (/dev/null would not). */
    int null = open("sink", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(zero >= 0 && null >= 0)) return t_done();
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    strcpy(p, "keep me");
    EXPECT_EQ(mprotect(p, pg, PROT_READ), 0);
    SAY("readable: %s", p);
    EXPECT_ERR(read(zero, p, 16), EFAULT);
    /* The second page kept its protection. */
    EXPECT_EQ(read(zero, p + pg, 16), 16);
    EXPECT_EQ(write(null, p, 7), 7);
    EXPECT_EQ(mprotect(p, pg, PROT_NONE), 0);
    EXPECT_ERR(write(null, p, 7), EFAULT);
    EXPECT_EQ(mprotect(p, 2 * pg, PROT_READ | PROT_WRITE), 0);
    SAY("contents survived: %s", p);
    EXPECT_EQ(read(zero, p, 16), 16);
    CHECK(p[0] == 0);
    EXPECT_EQ(munmap(p, 2 * pg), 0);
    return t_done();
}
