// syscalls: mmap, openat, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

/* mmap argument errors. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(ftruncate(fd, 2 * pg), 0);
    EXPECT_ERR(syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    /* Neither MAP_SHARED nor MAP_PRIVATE. */
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    /* The file offset must be page aligned. */
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL);
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_SHARED, fd, pg / 2), EINVAL);
    /* Unknown protection bits are ignored by mmap (mprotect is stricter). */
    long unk = syscall(SYS_mmap, 0, pg, PROT_READ | 0x100, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(unk != -1);
    /* MAP_SHARED_VALIDATE refuses flags it does not know; plain MAP_SHARED ignores them. */
    EXPECT_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, 0x03 | 0x200000, fd, 0), EOPNOTSUPP);
    CHECK(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_SHARED | 0x200000, fd, 0) != -1);
    /* A valid call for comparison. */
    long ok = syscall(SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, fd, pg);
    CHECK(ok != -1);
    EXPECT_EQ(close(fd), 0);
    return t_done();
}
