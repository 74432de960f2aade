// syscalls: openat, write, mmap, munmap, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* The part of the last page past the end of the file reads as zero. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(write(fd, "0123456789", 10), 10);
    char *p = mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    SAY("head: %.10s", p);
    int zero = 1;
    for (long i = 10; i < pg; i++) zero &= p[i] == 0;
    CHECK(zero);
    EXPECT_EQ(munmap(p, pg), 0);
    /* A mapping may be longer than the file; mmap itself does not fail. */
    p = mmap(NULL, 4 * pg, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) EXPECT_EQ(munmap(p, 4 * pg), 0);
    EXPECT_EQ(close(fd), 0);
    return t_done();
}
