// syscalls: rt_sigaction, rt_sigreturn, rt_sigprocmask, kill
/* rt_sigreturn installs uc_sigmask from the frame: a handler that adds SIGUSR2 to it leaves
 * SIGUSR2 blocked after returning, one that removes a blocked signal unblocks it (and a
 * pending one is then delivered); SIGKILL/SIGSTOP in uc_sigmask are ignored. */
#include "harness.h"
#include <signal.h>
#include <ucontext.h>

static volatile int mode, usr2_hits;

static void on_usr1(int s, siginfo_t *si, void *ucv) {
    (void)s, (void)si;
    ucontext_t *uc = ucv;
    if (mode == 0) {
        sigaddset(&uc->uc_sigmask, SIGUSR2);
        sigaddset(&uc->uc_sigmask, SIGKILL);
        sigaddset(&uc->uc_sigmask, SIGSTOP);
    } else {
        sigdelset(&uc->uc_sigmask, SIGUSR2);
        kill(getpid(), SIGUSR2); /* pending: SIGUSR2 is blocked here */
    }
}

static void on_usr2(int s) { (void)s, usr2_hits++; }

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_flags = 0;
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t now;
    kill(getpid(), SIGUSR1);
    sigprocmask(SIG_BLOCK, NULL, &now);
    SAY("after adding: USR2=%d KILL=%d STOP=%d USR1=%d", sigismember(&now, SIGUSR2),
        sigismember(&now, SIGKILL), sigismember(&now, SIGSTOP), sigismember(&now, SIGUSR1));
    mode = 1;
    kill(getpid(), SIGUSR1);
    sigprocmask(SIG_BLOCK, NULL, &now);
    SAY("after removing: USR2=%d usr2_hits=%d", sigismember(&now, SIGUSR2), usr2_hits);
    return t_done();
}
