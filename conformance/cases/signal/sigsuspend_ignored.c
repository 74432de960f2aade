// syscalls: rt_sigsuspend, rt_sigaction, rt_sigprocmask, kill, clone, wait4
/* rt_sigsuspend sleeps through signals that are ignored (SIG_IGN or default-ignore) and wakes
 * with EINTR only for one that runs a handler; a sigsetsize other than 8 is EINVAL and a wild
 * mask pointer is EFAULT. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static volatile int got;
static void on_usr1(int s) { got = s; }

int main(void) {
    syscall(SYS_alarm, 5);
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR2, &sa, NULL);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGWINCH, &sa, NULL);
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigaddset(&block, SIGWINCH);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigemptyset(&empty);
    EXPECT_ERR(syscall(SYS_rt_sigsuspend, &empty, 4), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigsuspend, &empty, 16), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigsuspend, (void *)8, 8), EFAULT);
    int go[2];
    pipe(go);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        read(go[0], &c, 1);
        usleep(20000);
        kill(getppid(), SIGUSR2);
        kill(getppid(), SIGWINCH);
        usleep(20000);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    write(go[1], "g", 1);
    EXPECT_ERR(sigsuspend(&empty), EINTR);
    EXPECT_EQ(got, SIGUSR1);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    sigset_t pend;
    sigpending(&pend);
    SAY("pending after: USR2=%d WINCH=%d", sigismember(&pend, SIGUSR2),
        sigismember(&pend, SIGWINCH));
    return t_done();
}
