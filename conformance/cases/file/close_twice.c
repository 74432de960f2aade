// syscalls: openat, close, dup, fcntl
/* close releases the number (the next open reuses the lowest); closing twice or a bogus
 * number is EBADF. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int a = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    int b = EXPECT_OK(syscall(SYS_dup, a));
    EXPECT_EQ(b, a + 1);
    EXPECT_OK(syscall(SYS_close, a));
    EXPECT_ERR(syscall(SYS_close, a), EBADF);
    EXPECT_ERR(syscall(SYS_fcntl, a, F_GETFD), EBADF);
    int c = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    EXPECT_EQ(c, a);
    EXPECT_ERR(syscall(SYS_close, -1), EBADF);
    EXPECT_ERR(syscall(SYS_close, 1 << 20), EBADF);
    EXPECT_OK(syscall(SYS_close, b));
    EXPECT_OK(syscall(SYS_close, c));
    return t_done();
}
