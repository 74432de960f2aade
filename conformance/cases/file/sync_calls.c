// syscalls: openat, write, fsync, fdatasync, sync, syncfs, pipe2, close
/* fsync/fdatasync/syncfs succeed on files and directories; sync always succeeds; a bad
 * descriptor is EBADF and a pipe cannot be fsynced (EINVAL). */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "x", 1), 1);
    EXPECT_OK(syscall(SYS_fsync, fd));
    EXPECT_OK(syscall(SYS_fdatasync, fd));
    EXPECT_OK(syscall(SYS_syncfs, fd));
    EXPECT_OK(syscall(SYS_sync));
    int ro = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    EXPECT_OK(syscall(SYS_fsync, ro));
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, ".", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(syscall(SYS_fsync, d));
    EXPECT_OK(syscall(SYS_syncfs, d));
    int p[2];
    EXPECT_OK(syscall(SYS_pipe2, p, 0));
    EXPECT_ERR(syscall(SYS_fsync, p[0]), EINVAL);
    EXPECT_ERR(syscall(SYS_fdatasync, p[1]), EINVAL);
    EXPECT_ERR(syscall(SYS_fsync, 99), EBADF);
    EXPECT_ERR(syscall(SYS_syncfs, 99), EBADF);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
