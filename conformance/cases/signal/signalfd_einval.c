// syscalls: signalfd4, signalfd, read, rt_sigprocmask, tgkill
/* signalfd4's argument checks, in Linux's order: the mask size must be 8 (EINVAL, even with a
 * NULL mask), then the mask must be readable (EFAULT, even with bad flags), then the flags may
 * only be SFD_CLOEXEC | SFD_NONBLOCK (EINVAL). A read smaller than one record is EINVAL
 * whether or not a signal is pending. */
#include "harness.h"
#include <signal.h>
#include <sys/signalfd.h>

int main(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &m, NULL));
    EXPECT_ERR(syscall(SYS_signalfd4, -1, &m, 4, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, &m, 16, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, &m, 0, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_signalfd, -1, &m, 128), EINVAL);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, NULL, 4, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, NULL, 8, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, (void *)1, 8, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, NULL, 8, 1), EFAULT);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, &m, 8, 1), EINVAL);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, &m, 8, SFD_CLOEXEC | 0x10), EINVAL);
    EXPECT_ERR(syscall(SYS_signalfd4, -1, &m, 8, -1), EINVAL);
    int fd = EXPECT_OK(syscall(SYS_signalfd4, -1, &m, 8, SFD_NONBLOCK | SFD_CLOEXEC));
    char buf[256];
    EXPECT_ERR(read(fd, buf, 0), EINVAL);
    EXPECT_ERR(read(fd, buf, 127), EINVAL);
    EXPECT_OK(raise(SIGUSR1));
    EXPECT_ERR(read(fd, buf, 64), EINVAL);
    EXPECT_EQ(read(fd, buf, 255), 128);
    EXPECT_ERR(read(fd, buf, 128), EAGAIN);
    EXPECT_ERR(read(fd, NULL, 128), EAGAIN);
    EXPECT_OK(raise(SIGUSR1));
    EXPECT_ERR(read(fd, NULL, 128), EFAULT);
    return t_done();
}
