// syscalls: kill, clone, wait4, setrlimit
/* Signals whose default action is a core dump kill a child with that signal; with RLIMIT_CORE
 * at 0 no core is written, so WCOREDUMP is clear: SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS,
 * SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS. */
#include "harness.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static void run(const char *name, int sig) {
    pid_t pid = fork();
    if (pid == 0) {
        kill(getpid(), sig);
        _exit(100);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) {
        T_FAIL("waitpid: %s", t_errname(errno));
        return;
    }
    SAY("%s: signaled=%d termsig ok=%d core=%d", name, WIFSIGNALED(st),
        WIFSIGNALED(st) && WTERMSIG(st) == sig, WCOREDUMP(st) ? 1 : 0);
}

int main(void) {
    syscall(SYS_alarm, 10);
    struct rlimit none = {0, 0};
    EXPECT_OK(setrlimit(RLIMIT_CORE, &none));
    run("SIGQUIT", SIGQUIT);
    run("SIGILL", SIGILL);
    run("SIGTRAP", SIGTRAP);
    run("SIGABRT", SIGABRT);
    run("SIGBUS", SIGBUS);
    run("SIGFPE", SIGFPE);
    run("SIGSEGV", SIGSEGV);
    run("SIGXCPU", SIGXCPU);
    run("SIGXFSZ", SIGXFSZ);
    run("SIGSYS", SIGSYS);
    if (access("core", F_OK) == 0) T_FAIL("a core file was written");
    return t_done();
}
