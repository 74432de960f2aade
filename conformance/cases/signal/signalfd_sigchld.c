// syscalls: signalfd4, read, fork, exit_group, kill, wait4, rt_sigprocmask
/* SIGCHLD through a signalfd: a child's exit gives CLD_EXITED with the exit code in
 * ssi_status, a kill by a signal CLD_KILLED with the signal; ssi_pid is the child's. The
 * child stays a zombie until waited for. */
#include "harness.h"
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

int main(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGCHLD);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &m, NULL));
    int fd = EXPECT_OK(signalfd(-1, &m, 0));
    struct signalfd_siginfo si;

    pid_t c = fork();
    if (c == 0) _exit(7);
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_signo, SIGCHLD);
    EXPECT_EQ(si.ssi_code, CLD_EXITED);
    EXPECT_EQ(si.ssi_status, 7);
    CHECK(si.ssi_pid == (unsigned)c);
    CHECK(si.ssi_uid == (unsigned)getuid());
    int st;
    CHECK(waitpid(c, &st, 0) == c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);

    c = fork();
    if (c == 0) {
        for (;;) pause();
    }
    EXPECT_OK(kill(c, SIGTERM));
    EXPECT_EQ(read(fd, &si, sizeof si), sizeof si);
    EXPECT_EQ(si.ssi_code, CLD_KILLED);
    EXPECT_EQ(si.ssi_status, SIGTERM);
    CHECK(si.ssi_pid == (unsigned)c);
    CHECK(waitpid(c, &st, 0) == c);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    return t_done();
}
