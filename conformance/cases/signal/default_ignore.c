// syscalls: kill, rt_sigaction, rt_sigpending, rt_sigprocmask
/* SIGCHLD, SIGURG and SIGWINCH are ignored by default: sending one to oneself does nothing,
 * leaves nothing pending and interrupts no one; SIGCONT's default (continue) is also harmless
 * to a running process. */
#include "harness.h"
#include <signal.h>

int main(void) {
    int sigs[] = {SIGCHLD, SIGURG, SIGWINCH, SIGCONT};
    const char *names[] = {"SIGCHLD", "SIGURG", "SIGWINCH", "SIGCONT"};
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int i = 0; i < 4; i++) {
        struct sigaction old;
        sigaction(sigs[i], NULL, &old);
        signal(sigs[i], SIG_DFL);
        EXPECT_OK(kill(getpid(), sigs[i]));
        sigset_t pend;
        sigpending(&pend);
        SAY("%s: dfl=%d survived, pending=%d", names[i], old.sa_handler == SIG_DFL,
            sigismember(&pend, sigs[i]));
    }
    return t_done();
}
