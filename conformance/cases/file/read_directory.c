// syscalls: mkdirat, openat, read, pread64, write, close
/* A directory opens read-only but read(2) on it is EISDIR; opening it for writing is EISDIR. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0755));
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d", O_RDONLY));
    char buf[16];
    EXPECT_ERR(syscall(SYS_read, fd, buf, sizeof buf), EISDIR);
    EXPECT_ERR(syscall(SYS_pread64, fd, buf, sizeof buf, 0), EISDIR);
    EXPECT_ERR(syscall(SYS_write, fd, "x", 1), EBADF);
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "d", O_WRONLY), EISDIR);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "d", O_RDWR), EISDIR);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "d", O_CREAT | O_RDONLY, 0644), EISDIR);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "d/", O_CREAT | O_WRONLY, 0644), EISDIR);
    return t_done();
}
