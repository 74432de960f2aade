// syscalls: openat, dup2, close_range, fcntl, close
/* close_range closes every open descriptor in [first, last] (gaps are fine), or with
 * CLOSE_RANGE_CLOEXEC only marks them; bad flags or first > last are EINVAL. */
#include "harness.h"
#include <fcntl.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    for (int n = 10; n <= 20; n += 2) EXPECT_OK(syscall(SYS_dup2, fd, n));
    EXPECT_OK(syscall(SYS_close_range, 11, 16, 0));
    for (int n = 10; n <= 20; n += 2) SAY("fd %d open: %d", n, syscall(SYS_fcntl, n, F_GETFD) >= 0);
    EXPECT_OK(syscall(SYS_close_range, 18, ~0U, CLOSE_RANGE_CLOEXEC));
    SAY("fd 18 flags: %ld", syscall(SYS_fcntl, 18, F_GETFD));
    SAY("fd 20 flags: %ld", syscall(SYS_fcntl, 20, F_GETFD));
    SAY("fd 10 flags: %ld", syscall(SYS_fcntl, 10, F_GETFD));
    EXPECT_ERR(syscall(SYS_close_range, 5, 4, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_close_range, 3, 4, 0x80), EINVAL);
    EXPECT_OK(syscall(SYS_close_range, fd + 1, ~0U, 0));
    SAY("fd 20 open: %d", syscall(SYS_fcntl, 20, F_GETFD) >= 0);
    SAY("fd %d open: %d", fd, syscall(SYS_fcntl, fd, F_GETFD) >= 0);
    /* A range with nothing open is fine. */
    EXPECT_OK(syscall(SYS_close_range, 100, 200, 0));
    return t_done();
}
