// syscalls: openat, mkdirat, symlinkat, close
/* O_DIRECTORY: ENOTDIR unless the path is a directory (symlinks to directories count);
 * O_CREAT|O_DIRECTORY is EINVAL; a trailing slash also demands a directory. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "file", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "dir", 0755));
    EXPECT_OK(syscall(SYS_symlinkat, "dir", AT_FDCWD, "dirlink"));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "file", O_RDONLY | O_DIRECTORY), ENOTDIR);
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "dir", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(syscall(SYS_close, fd));
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "dirlink", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "new", O_CREAT | O_DIRECTORY | O_RDWR, 0755), EINVAL);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "file/", O_RDONLY), ENOTDIR);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "missing/", O_CREAT | O_WRONLY, 0644), EISDIR);
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "dir/", O_RDONLY));
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "missing", O_RDONLY | O_DIRECTORY), ENOENT);
    return t_done();
}
