// syscalls: signalfd4, read, tgkill, kill, rt_sigqueueinfo, rt_sigprocmask
/* One read returns as many records as fit and are pending: the thread's own signals first,
 * then the process's, each lowest number first; a standard signal raised twice is one record,
 * every real-time instance is its own, in the order sent. A buffer with room for fewer
 * records leaves the rest pending. */
#include "harness.h"
#include <signal.h>
#include <sys/signalfd.h>

int main(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGTERM);
    sigaddset(&m, SIGRTMIN);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &m, NULL));
    int fd = EXPECT_OK(signalfd(-1, &m, SFD_NONBLOCK));

    EXPECT_OK(kill(getpid(), SIGTERM));
    EXPECT_OK(sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 1}));
    EXPECT_OK(sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 2}));
    EXPECT_OK(raise(SIGUSR2));
    EXPECT_OK(raise(SIGUSR1));
    EXPECT_OK(raise(SIGUSR1));

    struct signalfd_siginfo si[8];
    /* Room for two and a half records: two. */
    EXPECT_EQ(read(fd, si, 2 * sizeof si[0] + 64), 2 * sizeof si[0]);
    EXPECT_EQ(si[0].ssi_signo, SIGUSR1);
    EXPECT_EQ(si[1].ssi_signo, SIGUSR2);
    long n = EXPECT_EQ(read(fd, si, sizeof si), 3 * sizeof si[0]);
    for (long i = 0; i < n / (long)sizeof si[0]; i++) {
        int rt = (int)si[i].ssi_signo >= SIGRTMIN;
        SAY("record %ld: %s%d code %d int %d", i, rt ? "SIGRTMIN+" : "",
            rt ? (int)si[i].ssi_signo - SIGRTMIN : (int)si[i].ssi_signo, si[i].ssi_code,
            si[i].ssi_int);
    }
    EXPECT_ERR(read(fd, si, sizeof si), EAGAIN);
    return t_done();
}
