// syscalls: openat, ftruncate, mmap, msync, pread64, munmap, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* Writes to a shared file mapping reach the file (msync MS_SYNC, and at munmap). */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(ftruncate(fd, 2 * pg), 0);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    memcpy(p, "written through map", 19);
    EXPECT_EQ(msync(p, 2 * pg, MS_SYNC), 0);
    char buf[32] = {0};
    EXPECT_EQ(pread(fd, buf, 19, 0), 19);
    SAY("file after msync: %s", buf);
    memcpy(p + pg, "second page", 11);
    EXPECT_EQ(munmap(p, 2 * pg), 0);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(pread(fd, buf, 11, pg), 11);
    SAY("file after munmap: %s", buf);
    /* The file does not grow because of the mapping. */
    EXPECT_EQ(lseek(fd, 0, SEEK_END), 2 * pg);
    EXPECT_EQ(close(fd), 0);
    return t_done();
}
