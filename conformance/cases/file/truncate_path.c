// syscalls: openat, write, truncate, newfstatat, mkdirat, symlinkat, close
/* truncate(2) by path: follows symlinks, EISDIR for a directory, ENOENT/ENOTDIR for bad
 * paths, EINVAL for a negative length. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static long size_of(const char *p) {
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, p, &st, 0) < 0) return -1;
    return st.st_size;
}

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_WRONLY, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "0123456789", 10), 10);
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_OK(syscall(SYS_truncate, "f", 4));
    EXPECT_EQ(size_of("f"), 4);
    EXPECT_OK(syscall(SYS_symlinkat, "f", AT_FDCWD, "link"));
    EXPECT_OK(syscall(SYS_truncate, "link", 100));
    EXPECT_EQ(size_of("f"), 100);
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0755));
    EXPECT_ERR(syscall(SYS_truncate, "d", 0), EISDIR);
    EXPECT_ERR(syscall(SYS_truncate, "missing", 0), ENOENT);
    EXPECT_ERR(syscall(SYS_truncate, "f/x", 0), ENOTDIR);
    EXPECT_ERR(syscall(SYS_truncate, "f", -1L), EINVAL);
    EXPECT_ERR(syscall(SYS_truncate, "", 0), ENOENT);
    EXPECT_ERR(syscall(SYS_truncate, (void *)1, 0), EFAULT);
    return t_done();
}
