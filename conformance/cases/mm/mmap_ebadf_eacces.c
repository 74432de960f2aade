// syscalls: mmap, openat, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* File mappings check the descriptor and its access mode. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(ftruncate(fd, pg), 0);
    EXPECT_EQ(close(fd), 0);
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, fd, 0), EBADF);
    int ro = open("f", O_RDONLY);
    /* Writing through a shared mapping of a read-only descriptor is refused... */
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    /* ...but a private copy may be written, and a shared read-only view is fine. */
    long a = syscall(SYS_mmap, 0, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    CHECK(a != -1);
    long b = syscall(SYS_mmap, 0, pg, PROT_READ, MAP_SHARED, ro, 0);
    CHECK(b != -1);
    /* A write-only descriptor cannot be mapped at all. */
    int wo = open("f", O_WRONLY);
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_WRITE, MAP_SHARED, wo, 0), EACCES);
    /* A shared read-only view cannot be made writable later. */
    if (b != -1) EXPECT_ERR(mprotect((void *)b, pg, PROT_READ | PROT_WRITE), EACCES);
    /* A directory is not mappable. */
    int d = open(".", O_RDONLY | O_DIRECTORY);
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, d, 0), ENODEV);
    close(ro);
    close(wo);
    close(d);
    return t_done();
}
