// syscalls: openat, write, lseek, read, pipe2, close
/* lseek: SEEK_SET/CUR/END arithmetic, positions past EOF are allowed, a negative result or
 * unknown whence is EINVAL, pipes are ESPIPE. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "0123456789", 10), 10);
    EXPECT_EQ(syscall(SYS_lseek, fd, 3, SEEK_SET), 3);
    EXPECT_EQ(syscall(SYS_lseek, fd, 4, SEEK_CUR), 7);
    EXPECT_EQ(syscall(SYS_lseek, fd, -2L, SEEK_CUR), 5);
    EXPECT_EQ(syscall(SYS_lseek, fd, -1L, SEEK_END), 9);
    char c = 0;
    EXPECT_EQ(syscall(SYS_read, fd, &c, 1), 1);
    SAY("c=%c", c);
    EXPECT_EQ(syscall(SYS_lseek, fd, 100, SEEK_END), 110);
    EXPECT_EQ(syscall(SYS_read, fd, &c, 1), 0);
    EXPECT_ERR(syscall(SYS_lseek, fd, -1L, SEEK_SET), EINVAL);
    EXPECT_ERR(syscall(SYS_lseek, fd, -11L, SEEK_END), EINVAL);
    EXPECT_ERR(syscall(SYS_lseek, fd, -200L, SEEK_CUR), EINVAL);
    /* The failed seeks kept the position. */
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 110);
    EXPECT_ERR(syscall(SYS_lseek, fd, 0, 5), EINVAL);
    EXPECT_ERR(syscall(SYS_lseek, fd, 0, -1L), EINVAL);
    EXPECT_ERR(syscall(SYS_lseek, -1, 0, SEEK_SET), EBADF);
    int p[2];
    EXPECT_OK(syscall(SYS_pipe2, p, 0));
    EXPECT_ERR(syscall(SYS_lseek, p[0], 0, SEEK_CUR), ESPIPE);
    EXPECT_ERR(syscall(SYS_lseek, p[1], 0, SEEK_SET), ESPIPE);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
