// syscalls: openat, mmap, write, pwrite64, read, pread64, lseek, msync, mprotect, munmap
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* read(2) and write(2) through any descriptor of a file and its MAP_SHARED mappings are one
 * view, with no msync: descriptors opened before or after the mapping, read-only mappings,
 * O_APPEND writes that grow the file into a mapped page, and MAP_PRIVATE mappings made later
 * (they start from what the shared mapping stored). */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(write(fd, "0123456789", 10), 10);
    int ro = open("f", O_RDONLY);
    char *w = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *r = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
    if (!CHECK(ro >= 0 && w != MAP_FAILED && r != MAP_FAILED)) return t_done();
    SAY("mapping sees the file: %.10s", r);
    /* A store is read back at once, through the other descriptor too. */
    memcpy(w + 2, "AB", 2);
    char buf[32] = {0};
    EXPECT_EQ(pread(ro, buf, 10, 0), 10);
    SAY("pread after store: %s", buf);
    EXPECT_EQ(lseek(ro, 4, SEEK_SET), 4);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(read(ro, buf, 6), 6);
    SAY("read after store: %s", buf);
    /* A write through a descriptor opened later shows in both mappings. */
    int late = open("f", O_WRONLY | O_APPEND);
    if (!CHECK(late >= 0)) return t_done();
    EXPECT_EQ(pwrite(fd, "xy", 2, 0), 2);
    SAY("mappings after pwrite: %.10s %.10s", w, r);
    /* Appending grows the file; the new bytes are in the mapping's page. */
    EXPECT_EQ(write(late, "-tail", 5), 5);
    SAY("mapping after append: %.15s", r);
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0);
    SAY("size: %ld", (long)st.st_size);
    /* Growing into the second page with write(2) makes it readable in the mapping. */
    EXPECT_EQ(pwrite(fd, "page-two", 8, pg), 8);
    SAY("second page: %.8s", w + pg);
    memcpy(w + pg + 4, "TWO!", 4);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(pread(ro, buf, 8, pg), 8);
    SAY("pread of second page: %s", buf);
    /* A private mapping made now starts from the shared view. */
    char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    SAY("private mapping: %.15s", p);
    p[0] = 'P';
    SAY("shared after private store: %.2s", w);
    EXPECT_EQ(msync(w, 2 * pg, MS_ASYNC), 0);
    EXPECT_EQ(munmap(p, pg), 0);
    EXPECT_EQ(munmap(r, pg), 0);
    EXPECT_EQ(munmap(w, 2 * pg), 0);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(pread(ro, buf, 15, 0), 15);
    SAY("file after munmap: %s", buf);
    EXPECT_EQ(lseek(fd, 0, SEEK_END), pg + 8);
    /* A read-only mapping made writable later: its stores reach the file too. */
    char *q = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    if (!CHECK(q != MAP_FAILED)) return t_done();
    EXPECT_EQ(mprotect(q, pg, PROT_READ | PROT_WRITE), 0);
    memcpy(q + 5, "Q", 1);
    EXPECT_EQ(munmap(q, pg), 0);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(pread(ro, buf, 6, 0), 6);
    SAY("file after store through mprotect: %s", buf);
    close(late);
    close(ro);
    close(fd);
    return t_done();
}
