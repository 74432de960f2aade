// syscalls: openat, access, faccessat, faccessat2, fchmodat, mkdirat, symlinkat, close
/* access/faccessat as root: F_OK/R_OK/W_OK pass whatever the mode, X_OK needs some execute
 * bit on a file (directories are always searchable by root); bad mode bits or flags are
 * EINVAL; faccessat2 AT_SYMLINK_NOFOLLOW checks the link itself. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_WRONLY, 0000));
    EXPECT_OK(syscall(SYS_close, f));
    EXPECT_OK(syscall(SYS_access, "f", F_OK));
    EXPECT_OK(syscall(SYS_access, "f", R_OK | W_OK));
    EXPECT_ERR(syscall(SYS_access, "f", X_OK), EACCES);
    EXPECT_OK(syscall(SYS_fchmodat, AT_FDCWD, "f", 0010));
    EXPECT_OK(syscall(SYS_access, "f", X_OK));
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0000));
    EXPECT_OK(syscall(SYS_access, "d", R_OK | W_OK | X_OK));
    EXPECT_ERR(syscall(SYS_access, "missing", F_OK), ENOENT);
    EXPECT_ERR(syscall(SYS_access, "f/x", F_OK), ENOTDIR);
    EXPECT_ERR(syscall(SYS_access, "f", 8), EINVAL);
    EXPECT_OK(syscall(SYS_faccessat, AT_FDCWD, "f", X_OK));
    EXPECT_OK(syscall(SYS_faccessat2, AT_FDCWD, "f", X_OK, AT_EACCESS));
    EXPECT_ERR(syscall(SYS_faccessat2, AT_FDCWD, "f", F_OK, 0x4), EINVAL);
    EXPECT_OK(syscall(SYS_symlinkat, "missing", AT_FDCWD, "dangling"));
    EXPECT_ERR(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, 0), ENOENT);
    EXPECT_OK(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, ".", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(syscall(SYS_faccessat, d, "f", F_OK));
    EXPECT_OK(syscall(SYS_faccessat2, d, "", F_OK, AT_EMPTY_PATH));
    EXPECT_ERR(syscall(SYS_faccessat, d, "", F_OK), ENOENT);
    EXPECT_OK(syscall(SYS_close, d));
    return t_done();
}
