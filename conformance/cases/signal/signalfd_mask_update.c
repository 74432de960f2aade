// syscalls: signalfd4, signalfd, read, rt_sigprocmask, tgkill, pipe2, fcntl
/* signalfd on an existing signalfd replaces its mask and returns the same descriptor, leaving
 * its flags alone (SFD_NONBLOCK is only validated); SIGKILL and SIGSTOP in a mask are dropped
 * silently. An open descriptor of another kind is EINVAL, a closed or negative one EBADF. */
#include "harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>

static int sfd4(int fd, const sigset_t *m, int flags) {
    return syscall(SYS_signalfd4, fd, m, 8, flags);
}

int main(void) {
    sigset_t both, usr1, usr2;
    sigemptyset(&both);
    sigaddset(&both, SIGUSR1);
    sigaddset(&both, SIGUSR2);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &both, NULL));
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigaddset(&usr2, SIGKILL);
    sigaddset(&usr2, SIGSTOP);

    int fd = EXPECT_OK(signalfd(-1, &usr1, SFD_NONBLOCK));
    struct signalfd_siginfo si;
    EXPECT_OK(raise(SIGUSR2));
    EXPECT_ERR(read(fd, &si, sizeof si), EAGAIN);
    CHECK(sfd4(fd, &usr2, 0) == fd);
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_signo, SIGUSR2);
    EXPECT_OK(raise(SIGUSR1));
    EXPECT_ERR(read(fd, &si, sizeof si), EAGAIN);
    /* The old syscall (no flags) updates too. */
    CHECK(syscall(SYS_signalfd, fd, &usr1, 8) == fd);
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_signo, SIGUSR1);

    int blocking = EXPECT_OK(sfd4(-1, &usr1, 0));
    CHECK(sfd4(blocking, &usr1, SFD_NONBLOCK | SFD_CLOEXEC) == blocking);
    EXPECT_EQ(fcntl(blocking, F_GETFL) & O_NONBLOCK, 0);
    EXPECT_EQ(fcntl(blocking, F_GETFD), 0);

    int p[2];
    EXPECT_OK(pipe(p));
    EXPECT_ERR(sfd4(p[0], &usr1, 0), EINVAL);
    EXPECT_OK(close(p[1]));
    EXPECT_ERR(sfd4(p[1], &usr1, 0), EBADF);
    EXPECT_ERR(sfd4(-2, &usr1, 0), EBADF);
    EXPECT_ERR(sfd4(1000, &usr1, 0), EBADF);
    return t_done();
}
