// syscalls: rt_sigprocmask, rt_sigaction, rt_sigreturn, rt_sigqueueinfo, kill
/* Unblocking several pending signals whose handlers block only themselves: the kernel sets up
 * a frame for every deliverable signal before returning to user mode, so the last one set up
 * (the highest-numbered) runs first and the others run as each frame returns; queued
 * real-time instances of one signal follow each other as its handler's frame unwinds. */
#include "harness.h"
#include <signal.h>

static char log_[16][64];
static int nlog, depth;

static const char *name(int s) {
    static char buf[16];
    if (s == SIGUSR1) return "USR1";
    if (s == SIGUSR2) return "USR2";
    snprintf(buf, sizeof buf, "RTMIN+%d", s - SIGRTMIN);
    return buf;
}

static void on_sig(int s, siginfo_t *si, void *uc) {
    (void)uc;
    depth++;
    if (nlog < 16)
        snprintf(log_[nlog++], sizeof log_[0], "%s/%d depth %d", name(s),
                 si->si_code == SI_QUEUE ? si->si_value.sival_int : -1, depth);
    depth--;
}

static void q(int s, int v) { sigqueue(getpid(), s, (union sigval){.sival_int = v}); }

int main(void) {
    int sigs[] = {SIGUSR1, SIGUSR2, SIGRTMIN + 1, SIGRTMIN + 2};
    struct sigaction sa = {0};
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < 4; i++) {
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&set, sigs[i]);
    }
    EXPECT_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    q(SIGRTMIN + 2, 1);
    q(SIGRTMIN + 1, 10);
    q(SIGRTMIN + 1, 11);
    q(SIGUSR2, 20);
    q(SIGUSR1, 30);
    EXPECT_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    SAY("deliveries (signal/value depth): %d", nlog);
    for (int i = 0; i < nlog; i++) SAY("  %s", log_[i]);
    return t_done();
}
