// syscalls: openat, write, unlink, unlinkat, fstat, read, lseek, mkdirat, symlinkat, newfstatat, close
/* unlink removes a name: an open descriptor keeps the data (nlink 0); a directory is EISDIR
 * (unlinkat without AT_REMOVEDIR too); unlinking a symlink leaves the target; bad flags are
 * EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "kept", 4), 4);
    EXPECT_OK(syscall(SYS_unlink, "f"));
    struct stat st;
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_nlink, 0);
    char buf[8] = {0};
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    EXPECT_EQ(syscall(SYS_read, fd, buf, sizeof buf), 4);
    SAY("still readable: %s", buf);
    EXPECT_ERR(syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_unlink, "f"), ENOENT);
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0755));
    EXPECT_ERR(syscall(SYS_unlink, "d"), EISDIR);
    EXPECT_ERR(syscall(SYS_unlinkat, AT_FDCWD, "d", 0), EISDIR);
    EXPECT_ERR(syscall(SYS_unlinkat, AT_FDCWD, "d", 0x1), EINVAL);
    int t = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "target", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_close, t));
    EXPECT_OK(syscall(SYS_symlinkat, "target", AT_FDCWD, "link"));
    EXPECT_OK(syscall(SYS_unlink, "link"));
    EXPECT_OK(syscall(SYS_newfstatat, AT_FDCWD, "target", &st, 0));
    EXPECT_ERR(syscall(SYS_unlinkat, AT_FDCWD, "target", AT_REMOVEDIR), ENOTDIR);
    EXPECT_ERR(syscall(SYS_unlink, "target/"), ENOTDIR);
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d", O_RDONLY | O_DIRECTORY));
    int g = EXPECT_OK(syscall(SYS_openat, d, "g", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_close, g));
    EXPECT_OK(syscall(SYS_unlinkat, d, "g", 0));
    EXPECT_OK(syscall(SYS_unlinkat, AT_FDCWD, "d", AT_REMOVEDIR));
    EXPECT_OK(syscall(SYS_close, d));
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
