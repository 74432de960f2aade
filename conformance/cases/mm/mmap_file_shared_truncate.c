// syscalls: openat, ftruncate, truncate, mmap, pwrite64, pread64, munmap
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* Truncating a file under a MAP_SHARED mapping: a shrink cuts what was stored past the new
 * end, and growing the file again (ftruncate, truncate(2), or a write) shows zeros there, in
 * the mapping and to read(2) alike; what lies before the cut stays. */
static void show(const char *what, const char *m, int fd, long off) {
    char b = 0;
    pread(fd, &b, 1, off);
    SAY("%s: map %d, read %d", what, m[off], b);
}

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(ftruncate(fd, 2 * pg), 0);
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(m != MAP_FAILED)) return t_done();
    memset(m, 'a', 2 * pg);
    EXPECT_EQ(ftruncate(fd, 100), 0);
    EXPECT_EQ(ftruncate(fd, 2 * pg), 0);
    show("byte 99", m, fd, 99);
    show("byte 100", m, fd, 100);
    show("second page", m, fd, pg + 5);
    /* The same through truncate(2) on the path. */
    memset(m, 'b', 2 * pg);
    EXPECT_EQ(truncate("f", pg + 10), 0);
    EXPECT_EQ(truncate("f", 2 * pg), 0);
    show("byte pg+9", m, fd, pg + 9);
    show("byte pg+10", m, fd, pg + 10);
    /* Growing by writing past the end. */
    memset(m, 'c', 2 * pg);
    EXPECT_EQ(ftruncate(fd, 50), 0);
    EXPECT_EQ(pwrite(fd, "z", 1, 2 * pg - 1), 1);
    show("byte 49", m, fd, 49);
    show("byte 50", m, fd, 50);
    show("last byte", m, fd, 2 * pg - 1);
    /* O_TRUNC on open is a shrink to zero. */
    int t = open("f", O_RDWR | O_TRUNC);
    if (!CHECK(t >= 0)) return t_done();
    EXPECT_EQ(ftruncate(t, pg), 0);
    show("after O_TRUNC", m, fd, 0);
    m[1] = 'd';
    char b[2] = {0};
    EXPECT_EQ(pread(t, b, 1, 1), 1);
    SAY("store after regrowth reads back: %s", b);
    EXPECT_EQ(munmap(m, 2 * pg), 0);
    EXPECT_EQ(lseek(fd, 0, SEEK_END), pg);
    close(t);
    close(fd);
    return t_done();
}
