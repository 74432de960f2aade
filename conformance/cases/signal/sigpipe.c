// syscalls: pipe2, write, close, rt_sigaction, rt_sigprocmask, clone, wait4
/* Writing to a pipe with no reader: by default SIGPIPE kills the writer; with SIG_IGN the write
 * fails with EPIPE; with a handler the handler runs and the write fails with EPIPE; with SIGPIPE
 * blocked the write fails with EPIPE and SIGPIPE stays pending (sent to the writing thread). */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static volatile int hits;
static void on_pipe(int s) { (void)s, hits++; }

int main(void) {
    syscall(SYS_alarm, 5);
    int p[2];
    EXPECT_OK(pipe(p));
    close(p[0]);
    signal(SIGPIPE, SIG_DFL);
    pid_t pid = fork();
    if (pid == 0) {
        (void)!write(p[1], "x", 1);
        _exit(3);
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("default: signaled=%d sig=%d", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    signal(SIGPIPE, SIG_IGN);
    EXPECT_ERR(write(p[1], "x", 1), EPIPE);
    struct sigaction sa = {0};
    sa.sa_handler = on_pipe;
    sigaction(SIGPIPE, &sa, NULL);
    EXPECT_ERR(write(p[1], "x", 1), EPIPE);
    EXPECT_EQ(hits, 1);
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &set, NULL);
    EXPECT_ERR(write(p[1], "x", 1), EPIPE);
    sigpending(&pend);
    SAY("blocked: pending=%d hits=%d", sigismember(&pend, SIGPIPE), hits);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    EXPECT_EQ(hits, 2);
    return t_done();
}
