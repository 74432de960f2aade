// syscalls: openat, close
/* Path errors: a missing file or parent is ENOENT, a file used as a directory ENOTDIR,
 * the empty path ENOENT, a bad pointer EFAULT, a bad dirfd EBADF. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "file", O_CREAT | O_WRONLY, 0644));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "missing", O_RDONLY), ENOENT);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "missing/x", O_RDONLY), ENOENT);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "missing/x", O_CREAT | O_WRONLY, 0644), ENOENT);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "file/x", O_RDONLY), ENOTDIR);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "file/x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "file/.", O_RDONLY), ENOTDIR);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "", O_RDONLY), ENOENT);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY), EFAULT);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, (void *)1, O_RDONLY), EFAULT);
    EXPECT_ERR(syscall(SYS_openat, 99, "file", O_RDONLY), EBADF);
    /* dirfd is a file: ENOTDIR for a relative path, ignored for an absolute one. */
    EXPECT_ERR(syscall(SYS_openat, fd, "x", O_RDONLY), ENOTDIR);
    int r = EXPECT_OK(syscall(SYS_openat, fd, "/", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(syscall(SYS_close, r));
    r = EXPECT_OK(syscall(SYS_openat, 99, "/", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(syscall(SYS_close, r));
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
