// syscalls: openat, fcntl, prlimit64, close
/* F_DUPFD/F_DUPFD_CLOEXEC pick the lowest free number >= arg; arg negative or at the
 * descriptor limit is EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <sys/resource.h>

int main(void) {
    int a = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "a", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_fcntl, a, F_DUPFD, 20), 20);
    EXPECT_EQ(syscall(SYS_fcntl, a, F_DUPFD, 20), 21);
    EXPECT_EQ(syscall(SYS_fcntl, 20, F_GETFD), 0);
    EXPECT_EQ(syscall(SYS_fcntl, a, F_DUPFD_CLOEXEC, 20), 22);
    EXPECT_EQ(syscall(SYS_fcntl, 22, F_GETFD), FD_CLOEXEC);
    EXPECT_OK(syscall(SYS_close, 21));
    EXPECT_EQ(syscall(SYS_fcntl, a, F_DUPFD, 0), a + 1);
    EXPECT_EQ(syscall(SYS_fcntl, a, F_DUPFD, 15), 15);
    EXPECT_EQ(syscall(SYS_fcntl, a, F_DUPFD, 20), 21);
    EXPECT_ERR(syscall(SYS_fcntl, a, F_DUPFD, -1), EINVAL);
    struct rlimit rl = {64, 64};
    EXPECT_OK(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL));
    EXPECT_ERR(syscall(SYS_fcntl, a, F_DUPFD, 64), EINVAL);
    EXPECT_EQ(syscall(SYS_fcntl, a, F_DUPFD, 63), 63);
    EXPECT_ERR(syscall(SYS_fcntl, a, F_DUPFD, 63), EMFILE);
    EXPECT_ERR(syscall(SYS_fcntl, 99, F_DUPFD, 0), EBADF);
    EXPECT_ERR(syscall(SYS_fcntl, a, 9999), EINVAL);
    return t_done();
}
