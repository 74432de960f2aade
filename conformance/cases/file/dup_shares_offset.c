// syscalls: openat, dup, write, lseek, read, fcntl, close
/* dup returns the lowest free number, shares the offset and status flags with the original
 * (one open file description), but not FD_CLOEXEC; dup of a bad fd is EBADF. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int a = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR | O_CLOEXEC, 0644));
    int b = EXPECT_OK(syscall(SYS_dup, a));
    EXPECT_EQ(b, a + 1);
    EXPECT_EQ(syscall(SYS_fcntl, a, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(syscall(SYS_fcntl, b, F_GETFD), 0);
    EXPECT_EQ(syscall(SYS_write, a, "abcdef", 6), 6);
    EXPECT_EQ(syscall(SYS_lseek, b, 0, SEEK_CUR), 6);
    EXPECT_EQ(syscall(SYS_lseek, b, 2, SEEK_SET), 2);
    char c = 0;
    EXPECT_EQ(syscall(SYS_read, a, &c, 1), 1);
    SAY("c=%c", c);
    EXPECT_OK(syscall(SYS_fcntl, b, F_SETFL, O_APPEND));
    CHECK(syscall(SYS_fcntl, a, F_GETFL) & O_APPEND);
    /* Closing one keeps the other working. */
    EXPECT_OK(syscall(SYS_close, a));
    EXPECT_EQ(syscall(SYS_write, b, "g", 1), 1);
    EXPECT_EQ(syscall(SYS_lseek, b, 0, SEEK_CUR), 7);
    EXPECT_ERR(syscall(SYS_dup, a), EBADF);
    EXPECT_ERR(syscall(SYS_dup, -1), EBADF);
    EXPECT_OK(syscall(SYS_close, b));
    return t_done();
}
