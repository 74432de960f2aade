// syscalls: clone, rt_sigaction, rt_sigprocmask, rt_sigpending, sigaltstack, wait4, tgkill
/* A fork child inherits the signal mask, every disposition (handlers included) and the
 * alternate signal stack, but starts with no pending signals (process-wide or thread-directed);
 * the parent's pending signals stay with the parent. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static void on_usr1(int s) { (void)s; }
static char alt[16384];

static void state(const char *who) {
    struct sigaction a1, a2;
    sigaction(SIGUSR1, NULL, &a1);
    sigaction(SIGUSR2, NULL, &a2);
    sigset_t mask, pend;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    sigpending(&pend);
    stack_t ss;
    sigaltstack(NULL, &ss);
    SAY("%s: USR1 handler=%d USR2 ign=%d mask HUP=%d TERM=%d pending HUP=%d TERM=%d "
        "altstack flags=%d ours=%d",
        who, a1.sa_handler == on_usr1, a2.sa_handler == SIG_IGN, sigismember(&mask, SIGHUP),
        sigismember(&mask, SIGTERM), sigismember(&pend, SIGHUP), sigismember(&pend, SIGTERM),
        ss.ss_flags, ss.ss_sp == alt && ss.ss_size == sizeof alt);
}

int main(void) {
    syscall(SYS_alarm, 5);
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGHUP);                          /* process-wide */
    syscall(SYS_tgkill, getpid(), gettid(), SIGTERM); /* thread-directed */
    state("parent");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        state("child");
        _exit(0);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st));
    state("parent after");
    return t_done();
}
