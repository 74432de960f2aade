// syscalls: pipe2, write, close, fork, wait4, rt_sigaction, rt_sigprocmask, rt_sigpending
/* Writing to a pipe with no reader: SIGPIPE's default action kills the writer; with a handler
 * the handler runs and write fails with EPIPE; ignored, just EPIPE; blocked, EPIPE and SIGPIPE
 * stays pending. A zero-length write with no reader is still 0 (no SIGPIPE). */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static volatile sig_atomic_t caught;
static void on_pipe(int sig) { caught = sig; }

static int readerless_pipe(void) {
    int p[2];
    if (pipe2(p, 0) < 0) return -1;
    close(p[0]);
    return p[1];
}

int main(void) {
    alarm(10);
    int w = readerless_pipe();
    pid_t pid = fork();
    if (pid == 0) {
        write(w, "x", 1);
        _exit(0);
    }
    int status;
    EXPECT_EQ(waitpid(pid, &status, 0) == pid, 1);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);

    struct sigaction sa = {.sa_handler = on_pipe};
    EXPECT_OK(sigaction(SIGPIPE, &sa, NULL));
    EXPECT_ERR(write(w, "x", 1), EPIPE);
    EXPECT_EQ(caught, SIGPIPE);
    caught = 0;
    EXPECT_EQ(write(w, "x", 0), 0);
    EXPECT_EQ(caught, 0);

    signal(SIGPIPE, SIG_IGN);
    EXPECT_ERR(write(w, "x", 1), EPIPE);

    EXPECT_OK(sigaction(SIGPIPE, &sa, NULL));
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    EXPECT_ERR(write(w, "x", 1), EPIPE);
    EXPECT_OK(sigpending(&pend));
    EXPECT_EQ(sigismember(&pend, SIGPIPE), 1);
    EXPECT_EQ(caught, 0);
    EXPECT_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    EXPECT_EQ(caught, SIGPIPE);
    return t_done();
}
