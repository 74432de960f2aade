// syscalls: pipe2, tee, write, read, close, fork, wait4, rt_sigaction, setitimer, fcntl
#include "harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>

/* tee on an empty pipe waits for a writer's data; it returns 0 once the pipe is empty with no
 * writers left; a signal without SA_RESTART interrupts the wait with EINTR; an output with no
 * readers is EPIPE (and SIGPIPE); a full output with O_NONBLOCK is EAGAIN; ends of the wrong
 * direction are EBADF. */
static void on_alarm(int sig) { (void)sig; }

int main(void) {
    int p[2], q[2];
    EXPECT_EQ(pipe2(p, 0), 0);
    EXPECT_EQ(pipe2(q, 0), 0);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100 * 1000);
        write(p[1], "late", 4);
        _exit(0);
    }
    EXPECT_EQ(syscall(SYS_tee, p[0], q[1], 100, 0), 4);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    char buf[16] = {0};
    EXPECT_EQ(read(q[0], buf, sizeof buf), 4);
    SAY("teed: %s", buf);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 4);

    /* Interrupted by a signal whose handler does not ask for restarts. */
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    EXPECT_EQ(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval it = {{0, 0}, {0, 50 * 1000}};
    EXPECT_EQ(setitimer(ITIMER_REAL, &it, NULL), 0);
    EXPECT_ERR(syscall(SYS_tee, p[0], q[1], 100, 0), EINTR);

    /* Wrong directions. */
    EXPECT_ERR(syscall(SYS_tee, p[1], q[1], 1, 0), EBADF);
    EXPECT_ERR(syscall(SYS_tee, p[0], q[0], 1, 0), EBADF);
    EXPECT_ERR(syscall(SYS_tee, p[0], q[1], 1, 0x100), EINVAL);

    /* A full output pipe with O_NONBLOCK on it. */
    EXPECT_EQ(write(p[1], "abc", 3), 3);
    EXPECT_EQ(fcntl(q[1], F_SETFL, O_NONBLOCK), 0);
    static char fill[65536];
    long n = 0, w;
    while ((w = write(q[1], fill, sizeof fill)) > 0) n += w;
    SAY("filled output with %ld bytes", n);
    EXPECT_ERR(syscall(SYS_tee, p[0], q[1], 3, 0), EAGAIN);
    close(q[0]);
    close(q[1]);

    /* An output without readers. */
    EXPECT_EQ(pipe2(q, 0), 0);
    close(q[0]);
    signal(SIGPIPE, SIG_IGN);
    EXPECT_ERR(syscall(SYS_tee, p[0], q[1], 3, 0), EPIPE);
    close(q[1]);

    /* The end of the input: no writers and nothing left. */
    EXPECT_EQ(pipe2(q, 0), 0);
    EXPECT_EQ(syscall(SYS_tee, p[0], q[1], 10, 0), 3);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 3);
    close(p[1]);
    EXPECT_EQ(syscall(SYS_tee, p[0], q[1], 10, 0), 0);
    return t_done();
}
