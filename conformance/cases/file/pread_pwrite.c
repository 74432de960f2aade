// syscalls: openat, pwrite64, pread64, lseek, pipe2, close
/* pread/pwrite use their own offset and leave the file position alone; a pwrite past EOF
 * leaves a hole that reads as zeros; negative offsets are EINVAL, pipes are ESPIPE. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_pwrite64, fd, "world", 5, 6), 5);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 0);
    EXPECT_EQ(syscall(SYS_pwrite64, fd, "hello", 5, 0), 5);
    char buf[16];
    memset(buf, 'x', sizeof buf);
    EXPECT_EQ(syscall(SYS_pread64, fd, buf, sizeof buf, 0), 11);
    SAY("byte 5 is zero: %d", buf[5] == 0);
    buf[5] = ' ';
    SAY("content: %.11s", buf);
    EXPECT_EQ(syscall(SYS_pread64, fd, buf, 3, 8), 3);
    SAY("tail: %.3s", buf);
    EXPECT_EQ(syscall(SYS_pread64, fd, buf, 3, 11), 0);
    EXPECT_EQ(syscall(SYS_pread64, fd, buf, 3, 1000000), 0);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 0);
    EXPECT_ERR(syscall(SYS_pread64, fd, buf, 3, -1L), EINVAL);
    EXPECT_ERR(syscall(SYS_pwrite64, fd, buf, 3, -4096L), EINVAL);
    /* pos + count past the largest offset is EINVAL. */
    EXPECT_ERR(syscall(SYS_pwrite64, fd, buf, 2, 0x7fffffffffffffffL), EINVAL);
    EXPECT_EQ(syscall(SYS_pread64, fd, buf, 1, 0x7ffffffffffffff0L), 0);
    int p[2];
    EXPECT_OK(syscall(SYS_pipe2, p, 0));
    EXPECT_ERR(syscall(SYS_pwrite64, p[1], "x", 1, 0), ESPIPE);
    EXPECT_ERR(syscall(SYS_pread64, p[0], buf, 1, 0), ESPIPE);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
