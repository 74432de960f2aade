// syscalls: openat, read, write, pread64, pwrite64, readv, writev, close
/* A buffer that is not mapped is EFAULT, and a failed call moves nothing. */
#include "harness.h"
#include <fcntl.h>
#include <sys/uio.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "0123456789", 10), 10);
    EXPECT_ERR(syscall(SYS_write, fd, (void *)1, 4), EFAULT);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 10);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    EXPECT_ERR(syscall(SYS_read, fd, (void *)1, 4), EFAULT);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 0);
    EXPECT_ERR(syscall(SYS_pread64, fd, (void *)1, 4, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_pwrite64, fd, (void *)1, 4, 0), EFAULT);
    /* A kernel address is never a user buffer. */
    EXPECT_ERR(syscall(SYS_read, fd, (void *)0xffff800000000000UL, 4), EFAULT);
    /* The iovec array itself unreadable, and an iovec pointing nowhere. */
    EXPECT_ERR(syscall(SYS_readv, fd, (void *)1, 1), EFAULT);
    struct iovec bad = {(void *)1, 4};
    EXPECT_ERR(syscall(SYS_readv, fd, &bad, 1), EFAULT);
    EXPECT_ERR(syscall(SYS_writev, fd, &bad, 1), EFAULT);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_END), 10);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
