// syscalls: signalfd4, read, rt_sigprocmask, tgkill, kill, fstat, readlink, fcntl, write, lseek
/* A signalfd reads blocked pending signals as 128-byte signalfd_siginfo records: raise() (a
 * tgkill) gives SI_TKILL and kill() SI_USER, both with the caller's pid and uid. The file is
 * an anonymous inode opened O_RDWR (SFD_CLOEXEC sets FD_CLOEXEC), shown as
 * anon_inode:[signalfd]; reads of less than one record fail with EINVAL, writes with EINVAL,
 * and lseek is a no-op that stays at 0. */
#include "harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

int main(void) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &mask, NULL));
    int fd = EXPECT_OK(signalfd(-1, &mask, SFD_CLOEXEC));
    EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
    struct stat st;
    EXPECT_OK(fstat(fd, &st));
    EXPECT_EQ(st.st_mode, 0600);
    char path[64], link[64] = {0};
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    EXPECT_OK(readlink(path, link, sizeof link - 1));
    SAY("link %s", link);

    struct signalfd_siginfo si;
    EXPECT_OK(raise(SIGUSR1));
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_signo, SIGUSR1);
    EXPECT_EQ(si.ssi_code, SI_TKILL);
    EXPECT_EQ(si.ssi_errno, 0);
    CHECK(si.ssi_pid == (unsigned)getpid());
    CHECK(si.ssi_uid == (unsigned)getuid());
    EXPECT_EQ(si.ssi_int, 0);
    EXPECT_EQ(si.ssi_status, 0);

    EXPECT_OK(kill(getpid(), SIGUSR1));
    char big[3 * sizeof si];
    EXPECT_ERR(read(fd, big, sizeof si - 1), EINVAL);
    /* The too-small read left the signal pending. */
    EXPECT_EQ(read(fd, big, sizeof big), sizeof si);
    memcpy(&si, big, sizeof si);
    EXPECT_EQ(si.ssi_signo, SIGUSR1);
    EXPECT_EQ(si.ssi_code, SI_USER);
    CHECK(si.ssi_pid == (unsigned)getpid());

    EXPECT_ERR(write(fd, big, 8), EINVAL);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
    EXPECT_OK(close(fd));
    return t_done();
}
