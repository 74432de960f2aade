// syscalls: signalfd4, read, fcntl, rt_sigprocmask, tgkill
/* A non-blocking signalfd (SFD_NONBLOCK, or O_NONBLOCK set later with F_SETFL) fails reads
 * with EAGAIN while no signal of its mask is pending; signals outside the mask stay pending
 * and are not read. */
#include "harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>

int main(void) {
    sigset_t mask, usr2;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &mask, NULL));
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    int fd = EXPECT_OK(signalfd(-1, &usr2, SFD_NONBLOCK));
    EXPECT_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    EXPECT_EQ(fcntl(fd, F_GETFD), 0);
    struct signalfd_siginfo si;
    EXPECT_ERR(read(fd, &si, sizeof si), EAGAIN);
    EXPECT_OK(raise(SIGUSR1));
    EXPECT_ERR(read(fd, &si, sizeof si), EAGAIN);
    sigset_t pend;
    sigpending(&pend);
    EXPECT_EQ(sigismember(&pend, SIGUSR1), 1);

    int b = EXPECT_OK(signalfd(-1, &usr2, 0));
    EXPECT_EQ(fcntl(b, F_GETFL) & O_NONBLOCK, 0);
    EXPECT_OK(fcntl(b, F_SETFL, O_NONBLOCK));
    EXPECT_ERR(read(b, &si, sizeof si), EAGAIN);
    EXPECT_OK(raise(SIGUSR2));
    EXPECT_EQ(read(b, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_signo, SIGUSR2);
    EXPECT_ERR(read(fd, &si, sizeof si), EAGAIN);
    return t_done();
}
