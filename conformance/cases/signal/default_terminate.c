// syscalls: kill, clone, wait4, setrlimit
/* Signals whose default action is to terminate (without a core dump) kill a child, and wait4
 * reports WIFSIGNALED with the signal and no WCOREDUMP: SIGINT, SIGALRM, SIGUSR2, SIGPIPE,
 * SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT and the real-time signals. */
#include "harness.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static void run(const char *name, int sig) {
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(sig, SIG_DFL);
        kill(getpid(), sig);
        _exit(100);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) {
        T_FAIL("waitpid: %s", t_errname(errno));
        return;
    }
    SAY("%s: exited=%d signaled=%d termsig ok=%d core=%d", name, WIFEXITED(st), WIFSIGNALED(st),
        WIFSIGNALED(st) && WTERMSIG(st) == sig, WCOREDUMP(st) ? 1 : 0);
}

int main(void) {
    syscall(SYS_alarm, 10);
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    run("SIGINT", SIGINT);
    run("SIGALRM", SIGALRM);
    run("SIGUSR2", SIGUSR2);
    run("SIGPIPE", SIGPIPE);
    run("SIGVTALRM", SIGVTALRM);
    run("SIGPROF", SIGPROF);
    run("SIGIO", SIGIO);
    run("SIGPWR", SIGPWR);
    run("SIGSTKFLT", SIGSTKFLT);
    run("SIGRTMIN", SIGRTMIN);
    run("SIGRTMAX", SIGRTMAX);
    return t_done();
}
