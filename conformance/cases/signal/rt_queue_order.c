// syscalls: rt_sigqueueinfo, kill, rt_sigprocmask, rt_sigpending, rt_sigaction, rt_sigreturn
/* Blocked signals, then unblocked at once with handlers that block everything: standard
 * signals coalesce (one delivery, the first sender's info), real-time signals queue every
 * instance in FIFO order, and delivery goes lowest signal number first. */
#include "harness.h"
#include <signal.h>

static char log_[16][64];
static int nlog;

static const char *name(int s) {
    static char buf[16];
    if (s == SIGUSR1) return "USR1";
    if (s == SIGUSR2) return "USR2";
    snprintf(buf, sizeof buf, "RTMIN+%d", s - SIGRTMIN);
    return buf;
}

static void on_sig(int s, siginfo_t *si, void *uc) {
    (void)uc;
    if (nlog < 16)
        snprintf(log_[nlog++], sizeof log_[0], "%s/%d/%d", name(s), si->si_code,
                 si->si_code == SI_QUEUE ? si->si_value.sival_int : -1);
}

static void q(int s, int v) { sigqueue(getpid(), s, (union sigval){.sival_int = v}); }

int main(void) {
    int sigs[] = {SIGUSR1, SIGUSR2, SIGRTMIN + 1, SIGRTMIN + 2};
    struct sigaction sa = {0};
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < 4; i++) {
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&set, sigs[i]);
    }
    EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    q(SIGRTMIN + 2, 1);
    q(SIGRTMIN + 1, 10);
    q(SIGUSR2, 20);
    q(SIGRTMIN + 1, 11);
    q(SIGUSR1, 30);
    q(SIGUSR1, 31);
    kill(getpid(), SIGUSR2);
    q(SIGRTMIN + 1, 12);
    kill(getpid(), SIGRTMIN + 2);
    sigset_t pend;
    sigpending(&pend);
    SAY("pending: USR1=%d USR2=%d RTMIN+1=%d RTMIN+2=%d", sigismember(&pend, SIGUSR1),
        sigismember(&pend, SIGUSR2), sigismember(&pend, SIGRTMIN + 1),
        sigismember(&pend, SIGRTMIN + 2));
    EXPECT_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    SAY("deliveries (signal/si_code/value): %d", nlog);
    for (int i = 0; i < nlog; i++) SAY("  %s", log_[i]);
    return t_done();
}
