// syscalls: openat, fcntl, close
/* O_CLOEXEC sets FD_CLOEXEC on the new descriptor only; it is not a status flag. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int a = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR | O_CLOEXEC, 0644));
    int b = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    EXPECT_EQ(syscall(SYS_fcntl, a, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(syscall(SYS_fcntl, b, F_GETFD), 0);
    EXPECT_EQ(syscall(SYS_fcntl, a, F_GETFL) & O_CLOEXEC, 0);
    EXPECT_OK(syscall(SYS_close, a));
    EXPECT_OK(syscall(SYS_close, b));
    return t_done();
}
