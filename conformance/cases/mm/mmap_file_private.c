// syscalls: openat, pwrite64, mmap, pread64, munmap, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* A private file mapping shows the file; writes to it stay private (copy on write). */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    char buf[64];
    EXPECT_EQ(pwrite(fd, "hello file", 10, 0), 10);
    EXPECT_EQ(pwrite(fd, "page two", 8, pg), 8);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    SAY("mapped: %.10s / %.8s", p, p + pg);
    memcpy(p, "HELLO", 5);
    SAY("mapping after write: %.10s", p);
    EXPECT_EQ(pread(fd, buf, 10, 0), 10);
    SAY("file after write: %.10s", buf);
    /* An offset mapping starts at that page of the file. */
    char *q = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, pg);
    if (CHECK(q != MAP_FAILED)) SAY("offset mapping: %.8s", q);
    EXPECT_EQ(munmap(p, 2 * pg), 0);
    EXPECT_EQ(munmap(q, pg), 0);
    EXPECT_EQ(pread(fd, buf, 10, 0), 10);
    SAY("file after munmap: %.10s", buf);
    EXPECT_EQ(close(fd), 0);
    return t_done();
}
