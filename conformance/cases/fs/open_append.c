// syscalls: openat, write, lseek, pwrite64, pread64, close
/* O_APPEND: every write lands at the current end regardless of the offset (and moves the
 * offset there); Linux's pwrite on an O_APPEND descriptor appends too. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR | O_APPEND, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "one", 3), 3);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    EXPECT_EQ(syscall(SYS_write, fd, "two", 3), 3);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 6);
    EXPECT_EQ(syscall(SYS_pwrite64, fd, "3", 1, 0), 1);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 6);
    /* A second description appends after the first one's data. */
    int b = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_WRONLY | O_APPEND));
    EXPECT_EQ(syscall(SYS_write, b, "four", 4), 4);
    EXPECT_EQ(syscall(SYS_write, fd, "5", 1), 1);
    char buf[32] = {0};
    EXPECT_EQ(syscall(SYS_pread64, fd, buf, sizeof buf, 0), 12);
    SAY("file: %s", buf);
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_OK(syscall(SYS_close, b));
    return t_done();
}
