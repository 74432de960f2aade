// syscalls: openat, ftruncate, mmap, pwrite64, pread64, munmap, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* A shared file mapping and the file are one page cache: write() shows in the mapping, and a
 * store to the mapping shows in read() without msync; two shared mappings see each other. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(ftruncate(fd, pg), 0);
    char *a = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *b = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    if (!CHECK(a != MAP_FAILED && b != MAP_FAILED)) return t_done();
    EXPECT_EQ(pwrite(fd, "from write", 10, 0), 10);
    SAY("mapping a sees: %.10s", a);
    memcpy(a + 100, "from store", 10);
    SAY("mapping b sees: %.10s", b + 100);
    char buf[16] = {0};
    EXPECT_EQ(pread(fd, buf, 10, 100), 10);
    SAY("read sees: %s", buf);
    EXPECT_EQ(munmap(a, pg), 0);
    EXPECT_EQ(munmap(b, pg), 0);
    EXPECT_EQ(close(fd), 0);
    return t_done();
}
