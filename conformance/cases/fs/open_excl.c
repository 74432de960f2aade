// syscalls: openat, symlinkat, close
/* O_CREAT|O_EXCL fails with EEXIST on any existing name, even a dangling symlink (which
 * it does not follow); without O_EXCL a dangling symlink's target is created. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_EXCL | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    EXPECT_OK(syscall(SYS_symlinkat, "target", AT_FDCWD, "dangling"));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "dangling", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "target", O_RDONLY), ENOENT);
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "dangling", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_close, fd));
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "target", O_RDONLY));
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, ".", O_CREAT | O_EXCL | O_RDONLY, 0644), EEXIST);
    /* O_EXCL without O_CREAT is ignored for regular files. */
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_EXCL | O_RDONLY));
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
