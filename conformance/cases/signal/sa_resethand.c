// syscalls: rt_sigaction, kill, rt_sigprocmask, wait4, clone, rt_sigreturn
/* SA_RESETHAND: the first delivery resets the disposition to SIG_DFL (and clears the flag);
 * the signal is not blocked during that handler; a second signal then takes the default
 * action (kills a child with SIGUSR1). */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static volatile int hits, blocked_inside;

static void on_usr1(int s) {
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    blocked_inside = sigismember(&cur, s);
    hits++;
}

int main(void) {
    syscall(SYS_alarm, 5);
    struct sigaction sa = {0}, old;
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESETHAND;
    EXPECT_OK(sigaction(SIGUSR1, &sa, NULL));
    EXPECT_OK(sigaction(SIGUSR1, NULL, &old));
    SAY("before: handler set=%d flags=%#x", old.sa_handler == on_usr1,
        (unsigned)old.sa_flags & ~(unsigned)SA_RESTORER);
    EXPECT_OK(kill(getpid(), SIGUSR1));
    EXPECT_EQ(hits, 1);
    SAY("blocked inside handler = %d", blocked_inside);
    EXPECT_OK(sigaction(SIGUSR1, NULL, &old));
    SAY("after: dfl=%d flags=%#x", old.sa_handler == SIG_DFL,
        (unsigned)old.sa_flags & ~(unsigned)SA_RESTORER);

    pid_t pid = fork();
    if (pid == 0) {
        sigaction(SIGUSR1, &sa, NULL);
        kill(getpid(), SIGUSR1);
        if (hits != 2) _exit(3);
        kill(getpid(), SIGUSR1);
        _exit(4);
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("child: signaled=%d sig=%d", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return t_done();
}
