// syscalls: openat, write, lseek, ioctl, pipe2, close
/* FIONREAD on a regular file is EOF minus the offset (even when negative); on a
 * pipe, the bytes queued; an unknown request is ENOTTY. */
#include "harness.h"
#include <fcntl.h>
#include <sys/ioctl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "0123456789", 10), 10);
    int n = -1;
    EXPECT_OK(syscall(SYS_ioctl, fd, FIONREAD, &n));
    EXPECT_EQ(n, 0);
    EXPECT_EQ(syscall(SYS_lseek, fd, 3, SEEK_SET), 3);
    EXPECT_OK(syscall(SYS_ioctl, fd, FIONREAD, &n));
    EXPECT_EQ(n, 7);
    /* Past EOF Linux reports size - offset, negative. */
    EXPECT_EQ(syscall(SYS_lseek, fd, 50, SEEK_SET), 50);
    EXPECT_OK(syscall(SYS_ioctl, fd, FIONREAD, &n));
    EXPECT_EQ(n, -40);
    EXPECT_ERR(syscall(SYS_ioctl, fd, FIONREAD, (void *)1), EFAULT);
    EXPECT_ERR(syscall(SYS_ioctl, fd, TIOCGWINSZ, &n), ENOTTY);
    int p[2];
    EXPECT_OK(syscall(SYS_pipe2, p, 0));
    EXPECT_EQ(syscall(SYS_write, p[1], "abc", 3), 3);
    EXPECT_OK(syscall(SYS_ioctl, p[0], FIONREAD, &n));
    EXPECT_EQ(n, 3);
    EXPECT_ERR(syscall(SYS_ioctl, 99, FIONREAD, &n), EBADF);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
