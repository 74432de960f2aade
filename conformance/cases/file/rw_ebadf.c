// syscalls: openat, read, write, pread64, pwrite64, close
/* Reading a write-only descriptor, writing a read-only one, and any I/O on a closed or
 * negative descriptor is EBADF. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    char buf[4];
    int w = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_WRONLY, 0644));
    EXPECT_EQ(syscall(SYS_write, w, "data", 4), 4);
    EXPECT_ERR(syscall(SYS_read, w, buf, 4), EBADF);
    EXPECT_ERR(syscall(SYS_pread64, w, buf, 4, 0), EBADF);
    int r = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    EXPECT_ERR(syscall(SYS_write, r, "x", 1), EBADF);
    EXPECT_ERR(syscall(SYS_pwrite64, r, "x", 1, 0), EBADF);
    EXPECT_EQ(syscall(SYS_read, r, buf, 4), 4);
    EXPECT_OK(syscall(SYS_close, w));
    EXPECT_OK(syscall(SYS_close, r));
    EXPECT_ERR(syscall(SYS_read, r, buf, 4), EBADF);
    EXPECT_ERR(syscall(SYS_write, -1, "x", 1), EBADF);
    EXPECT_ERR(syscall(SYS_read, 1000000, buf, 1), EBADF);
    /* EBADF is checked before the buffer. */
    EXPECT_ERR(syscall(SYS_read, r, (void *)1, 4), EBADF);
    return t_done();
}
