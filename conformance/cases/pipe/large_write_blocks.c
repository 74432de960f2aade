// syscalls: pipe2, fork, write, read, wait4, rt_sigaction, close
/* A blocking write larger than the pipe waits for the reader and returns the full count, with
 * the bytes in order. If the reader goes away while a writer is blocked, the write returns the
 * bytes it already moved (a short count, not EPIPE) and SIGPIPE is raised. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

#define BIG (1 << 20)
static unsigned char buf[BIG];
static volatile sig_atomic_t sigpipes;

static void on_pipe(int sig) { (void)sig; sigpipes++; }

int main(void) {
    alarm(20);
    for (int i = 0; i < BIG; i++) buf[i] = (unsigned char)(i * 7 + i / 251);
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        /* Read slowly in small pieces and check the pattern. */
        static unsigned char got[BIG];
        size_t len = 0;
        ssize_t n;
        usleep(50000);
        while ((n = read(p[0], got + len, 3000)) > 0) len += n;
        _exit(len == BIG && memcmp(got, buf, BIG) == 0 ? 0 : 1);
    }
    close(p[0]);
    EXPECT_EQ(write(p[1], buf, BIG), BIG);
    close(p[1]);
    int status;
    EXPECT_EQ(waitpid(pid, &status, 0) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* The reader takes 10000 bytes and exits while the writer waits for room. */
    struct sigaction sa = {.sa_handler = on_pipe};
    sigaction(SIGPIPE, &sa, NULL);
    EXPECT_OK(pipe2(p, 0));
    pid = fork();
    if (pid == 0) {
        close(p[1]);
        usleep(100000);
        size_t len = 0;
        ssize_t n;
        char tmp[1000];
        while (len < 10000 && (n = read(p[0], tmp, sizeof tmp)) > 0) len += n;
        _exit(0);
    }
    close(p[0]);
    ssize_t n = write(p[1], buf, BIG);
    CHECK(n >= 65536 && n < BIG);
    EXPECT_EQ(sigpipes, 1);
    EXPECT_ERR(write(p[1], buf, 1), EPIPE);
    EXPECT_EQ(sigpipes, 2);
    EXPECT_EQ(waitpid(pid, &status, 0) == pid, 1);
    return t_done();
}
