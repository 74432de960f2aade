// syscalls: mkdirat, rmdir, unlinkat, openat, newfstatat, close
/* rmdir removes empty directories only: ENOTEMPTY with entries, ENOTDIR for a file, EINVAL
 * for a final ".", ENOTEMPTY for ".."; the parent's link count drops back. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    struct stat st;
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "a", 0755));
    EXPECT_OK(syscall(SYS_newfstatat, AT_FDCWD, "a", &st, 0));
    long base = st.st_nlink;
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "a/b", 0755));
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "a/b/file", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_close, f));
    EXPECT_ERR(syscall(SYS_rmdir, "a"), ENOTEMPTY);
    EXPECT_ERR(syscall(SYS_rmdir, "a/b"), ENOTEMPTY);
    EXPECT_ERR(syscall(SYS_rmdir, "a/b/file"), ENOTDIR);
    EXPECT_ERR(syscall(SYS_rmdir, "a/b/."), EINVAL);
    EXPECT_ERR(syscall(SYS_rmdir, "a/b/.."), ENOTEMPTY);
    EXPECT_ERR(syscall(SYS_rmdir, "missing"), ENOENT);
    EXPECT_OK(syscall(SYS_unlinkat, AT_FDCWD, "a/b/file", 0));
    EXPECT_OK(syscall(SYS_rmdir, "a/b/"));
    EXPECT_OK(syscall(SYS_newfstatat, AT_FDCWD, "a", &st, 0));
    EXPECT_EQ(st.st_nlink, base);
    EXPECT_ERR(syscall(SYS_newfstatat, AT_FDCWD, "a/b", &st, 0), ENOENT);
    EXPECT_OK(syscall(SYS_unlinkat, AT_FDCWD, "a", AT_REMOVEDIR));
    EXPECT_ERR(syscall(SYS_rmdir, "a"), ENOENT);
    return t_done();
}
