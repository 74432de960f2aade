// syscalls: mmap, madvise, openat, pwrite64, munmap, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* MADV_DONTNEED drops private pages: anonymous memory reads back as zero, a private file
 * mapping reads back the file; other advice is accepted and changes nothing. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    memset(p, 'x', 2 * pg);
    EXPECT_EQ(madvise(p, pg, MADV_DONTNEED), 0);
    SAY("anon page 0 after DONTNEED: %d", p[0]);
    SAY("anon page 1 untouched: %c", p[pg]);
    EXPECT_EQ(madvise(p, 2 * pg, MADV_WILLNEED), 0);
    EXPECT_EQ(madvise(p, 2 * pg, MADV_SEQUENTIAL), 0);
    EXPECT_EQ(madvise(p, 2 * pg, MADV_NORMAL), 0);
    SAY("after other advice: %c", p[pg]);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    EXPECT_EQ(pwrite(fd, "file data", 9, 0), 9);
    char *f = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (!CHECK(f != MAP_FAILED)) return t_done();
    memcpy(f, "FILE", 4);
    SAY("private copy: %.9s", f);
    EXPECT_EQ(madvise(f, pg, MADV_DONTNEED), 0);
    SAY("after DONTNEED: %.9s", f);
    /* Errors: unaligned start, unknown advice, unmapped range. */
    EXPECT_ERR(madvise(p + 1, pg, MADV_NORMAL), EINVAL);
    EXPECT_ERR(madvise(p, pg, 999), EINVAL);
    EXPECT_EQ(munmap(p, 2 * pg), 0);
    EXPECT_ERR(madvise(p, pg, MADV_NORMAL), ENOMEM);
    EXPECT_EQ(munmap(f, pg), 0);
    close(fd);
    return t_done();
}
