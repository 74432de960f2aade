// syscalls: openat, dup3, fcntl, close
/* dup3: O_CLOEXEC is the only flag; the same fd twice is EINVAL (unlike dup2). */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int a = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "a", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_dup3, a, 10, O_CLOEXEC), 10);
    EXPECT_EQ(syscall(SYS_fcntl, 10, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(syscall(SYS_dup3, a, 11, 0), 11);
    EXPECT_EQ(syscall(SYS_fcntl, 11, F_GETFD), 0);
    EXPECT_ERR(syscall(SYS_dup3, a, a, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_dup3, a, a, O_CLOEXEC), EINVAL);
    EXPECT_ERR(syscall(SYS_dup3, a, 12, O_APPEND), EINVAL);
    EXPECT_ERR(syscall(SYS_fcntl, 12, F_GETFD), EBADF);
    EXPECT_ERR(syscall(SYS_dup3, 99, 12, 0), EBADF);
    EXPECT_OK(syscall(SYS_close, 10));
    EXPECT_OK(syscall(SYS_close, 11));
    return t_done();
}
