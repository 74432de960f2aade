// syscalls: signalfd4, read, fork, kill, tgkill, poll, pipe2, wait4
/* A signalfd inherited across fork reads the signals of whoever reads it: the child does not
 * see the parent's pending signal (fork clears pending signals), reads its own, and is woken
 * in a blocking read by a signal the parent sends it; the parent's signal is still there for
 * the parent afterwards. */
#include "harness.h"
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

int main(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &m, NULL));
    int fd = EXPECT_OK(signalfd(-1, &m, 0));
    EXPECT_OK(raise(SIGUSR1));
    int ready[2];
    EXPECT_OK(pipe(ready));
    pid_t parent = getpid();

    pid_t c = fork();
    if (c == 0) {
        struct signalfd_siginfo si;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int bad = 0;
        if (poll(&p, 1, 0) != 0) bad |= 1;
        if (raise(SIGUSR1) != 0) bad |= 2;
        if (poll(&p, 1, 0) != 1 || p.revents != POLLIN) bad |= 4;
        if (read(fd, &si, sizeof si) != sizeof si || si.ssi_pid != (unsigned)getpid()) bad |= 8;
        if (write(ready[1], "r", 1) != 1) bad |= 16;
        /* Blocks until the parent's kill. */
        if (read(fd, &si, sizeof si) != sizeof si || si.ssi_pid != (unsigned)parent ||
            si.ssi_code != SI_USER)
            bad |= 32;
        _exit(bad);
    }
    char r;
    EXPECT_EQ(read(ready[0], &r, 1), 1);
    usleep(20000);
    EXPECT_OK(kill(c, SIGUSR1));
    int st;
    CHECK(waitpid(c, &st, 0) == c);
    EXPECT_EQ(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);

    struct signalfd_siginfo si;
    sigset_t none;
    sigemptyset(&none);
    /* Only the parent's own raise is pending (the child's exit SIGCHLD is not in the mask). */
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_code, SI_TKILL);
    CHECK(si.ssi_pid == (unsigned)parent);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    EXPECT_EQ(poll(&p, 1, 0), 0);
    return t_done();
}
