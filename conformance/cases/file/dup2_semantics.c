// syscalls: openat, dup2, read, fcntl, prlimit64, close
/* dup2 onto an open number closes it first; dup2(fd, fd) is a no-op that still checks fd;
 * a target at or past RLIMIT_NOFILE is EBADF. */
#include "harness.h"
#include <fcntl.h>
#include <sys/resource.h>

int main(void) {
    int a = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "a", O_CREAT | O_RDWR, 0644));
    int b = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "b", O_CREAT | O_RDWR | O_CLOEXEC, 0644));
    EXPECT_EQ(syscall(SYS_dup2, a, b), b);
    /* The new number does not inherit FD_CLOEXEC. */
    EXPECT_EQ(syscall(SYS_fcntl, b, F_GETFD), 0);
    EXPECT_EQ(syscall(SYS_dup2, a, a), a);
    EXPECT_ERR(syscall(SYS_dup2, 77, 77), EBADF);
    EXPECT_ERR(syscall(SYS_dup2, 77, a), EBADF);
    /* a failed dup2 leaves the target open. */
    EXPECT_EQ(syscall(SYS_fcntl, a, F_GETFD), 0);
    EXPECT_EQ(syscall(SYS_dup2, a, 200), 200);
    struct rlimit rl = {256, 256};
    EXPECT_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL));
    EXPECT_ERR(syscall(SYS_dup2, a, 256), EBADF);
    EXPECT_EQ(syscall(SYS_dup2, a, 255), 255);
    EXPECT_ERR(syscall(SYS_dup2, a, -1), EBADF);
    EXPECT_OK(syscall(SYS_close, 200));
    return t_done();
}
