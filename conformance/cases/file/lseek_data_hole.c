// syscalls: openat, write, pwrite64, lseek, close
/* SEEK_DATA/SEEK_HOLE: a dense file is one data run followed by the implicit hole at EOF;
 * offsets at or past EOF are ENXIO; a block-sized hole between two writes is reported. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "dense", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "0123456789", 10), 10);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_DATA), 0);
    EXPECT_EQ(syscall(SYS_lseek, fd, 4, SEEK_DATA), 4);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_HOLE), 10);
    EXPECT_EQ(syscall(SYS_lseek, fd, 9, SEEK_HOLE), 10);
    EXPECT_ERR(syscall(SYS_lseek, fd, 10, SEEK_DATA), ENXIO);
    EXPECT_ERR(syscall(SYS_lseek, fd, 10, SEEK_HOLE), ENXIO);
    EXPECT_ERR(syscall(SYS_lseek, fd, 50, SEEK_DATA), ENXIO);
    EXPECT_ERR(syscall(SYS_lseek, fd, -1L, SEEK_DATA), ENXIO);
    EXPECT_OK(syscall(SYS_close, fd));

    /* data [0,4096), hole [4096, 1 MiB), data [1 MiB, 1 MiB + 4096) */
    static char block[4096];
    memset(block, 'd', sizeof block);
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "sparse", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_pwrite64, fd, block, 4096, 0), 4096);
    EXPECT_EQ(syscall(SYS_pwrite64, fd, block, 4096, 1 << 20), 4096);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_HOLE), 4096);
    EXPECT_EQ(syscall(SYS_lseek, fd, 4096, SEEK_DATA), 1 << 20);
    EXPECT_EQ(syscall(SYS_lseek, fd, 8192, SEEK_DATA), 1 << 20);
    EXPECT_EQ(syscall(SYS_lseek, fd, (1 << 20) + 1, SEEK_HOLE), (1 << 20) + 4096);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
