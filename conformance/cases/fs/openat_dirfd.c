// syscalls: mkdirat, openat, write, read, renameat, close
/* openat resolves relative paths from the directory descriptor, and keeps doing so after
 * the directory is renamed. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "a", 0755));
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "a", O_RDONLY | O_DIRECTORY));
    int f = EXPECT_OK(syscall(SYS_openat, d, "inside", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, f, "in a", 4), 4);
    EXPECT_OK(syscall(SYS_close, f));
    f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "a/inside", O_RDONLY));
    char buf[8] = {0};
    EXPECT_EQ(syscall(SYS_read, f, buf, sizeof buf), 4);
    SAY("read: %s", buf);
    EXPECT_OK(syscall(SYS_close, f));
    EXPECT_OK(syscall(SYS_renameat, AT_FDCWD, "a", AT_FDCWD, "b"));
    f = EXPECT_OK(syscall(SYS_openat, d, "inside", O_RDONLY));
    EXPECT_OK(syscall(SYS_close, f));
    f = EXPECT_OK(syscall(SYS_openat, d, "../b/inside", O_RDONLY));
    EXPECT_OK(syscall(SYS_close, f));
    f = EXPECT_OK(syscall(SYS_openat, d, "new", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_close, f));
    f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "b/new", O_RDONLY));
    EXPECT_OK(syscall(SYS_close, f));
    EXPECT_OK(syscall(SYS_close, d));
    return t_done();
}
