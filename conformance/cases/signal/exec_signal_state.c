// syscalls: execve, rt_sigaction, rt_sigprocmask, rt_sigpending, sigaltstack, tgkill
/* Across execve: handled signals are reset to SIG_DFL, ignored ones stay ignored (SIGCHLD
 * included), the signal mask is kept, pending signals (process-wide and thread-directed) stay
 * pending, and the alternate signal stack is dropped. */
#include "harness.h"
#include <signal.h>

static void on_sig(int s) { (void)s; }
static char alt[16384];

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "stage2") == 0) {
        struct sigaction a;
        const struct {
            int sig;
            const char *name;
        } sigs[] = {{SIGUSR1, "USR1"}, {SIGRTMIN + 2, "RTMIN+2"}, {SIGUSR2, "USR2"},
                    {SIGCHLD, "CHLD"}, {SIGINT, "INT"}};
        for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
            sigaction(sigs[i].sig, NULL, &a);
            SAY("%s: %s flags=%#x", sigs[i].name,
                a.sa_handler == SIG_DFL ? "SIG_DFL" : a.sa_handler == SIG_IGN ? "SIG_IGN" : "?",
                (unsigned)a.sa_flags & 0x0fffffff & ~0x04000000);
        }
        sigset_t mask, pend;
        sigprocmask(SIG_BLOCK, NULL, &mask);
        sigpending(&pend);
        SAY("mask: HUP=%d TERM=%d QUIT=%d", sigismember(&mask, SIGHUP),
            sigismember(&mask, SIGTERM), sigismember(&mask, SIGQUIT));
        SAY("pending: HUP=%d TERM=%d QUIT=%d", sigismember(&pend, SIGHUP),
            sigismember(&pend, SIGTERM), sigismember(&pend, SIGQUIT));
        stack_t ss;
        sigaltstack(NULL, &ss);
        SAY("altstack: flags=%d size=%zu", ss.ss_flags, ss.ss_size);
        return t_done();
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGRTMIN + 2, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGHUP);
    syscall(SYS_tgkill, getpid(), gettid(), SIGTERM);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!CHECK(n > 0)) return t_done();
    self[n] = 0;
    char *av[] = {"conf-self", "stage2", NULL};
    char *ev[] = {NULL};
    SAY("stage1: exec self");
    execve(self, av, ev);
    T_FAIL("execve: %s", t_errname(errno));
    return t_done();
}
