// syscalls: rt_sigaction, rt_sigprocmask, kill, clone, wait4
/* A synchronous fault cannot be blocked or ignored: with SIGSEGV (or SIGFPE) blocked, or set
 * to SIG_IGN, or faulting again inside its own handler, the faulting process is killed by the
 * signal. A SIGSEGV sent with kill() while blocked merely stays pending. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>

static void on_segv(int s) {
    (void)s;
    *(volatile int *)0 = 1; /* faults again while SIGSEGV is blocked */
}
static void on_other(int s) { (void)s; }

int divide(int a, int b);
__asm__(".text\n.globl divide\ndivide:\n    mov %edi, %eax\n    cltd\n    idivl %esi\n    ret\n");

static void run(const char *what, int mode) {
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction sa = {0};
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGSEGV);
        sigaddset(&set, SIGFPE);
        switch (mode) {
        case 0: /* blocked, with a handler */
            sa.sa_handler = on_other;
            sigaction(SIGSEGV, &sa, NULL);
            sigprocmask(SIG_BLOCK, &set, NULL);
            *(volatile int *)0 = 1;
            break;
        case 1: /* ignored */
            sa.sa_handler = SIG_IGN;
            sigaction(SIGSEGV, &sa, NULL);
            *(volatile int *)0 = 1;
            break;
        case 2: /* fault inside the handler */
            sa.sa_handler = on_segv;
            sigaction(SIGSEGV, &sa, NULL);
            *(volatile int *)0 = 1;
            break;
        case 3: /* SIGFPE blocked */
            sa.sa_handler = on_other;
            sigaction(SIGFPE, &sa, NULL);
            sigprocmask(SIG_BLOCK, &set, NULL);
            divide(1, 0);
            break;
        case 4: /* kill() while blocked: pending, harmless */
            sigprocmask(SIG_BLOCK, &set, NULL);
            kill(getpid(), SIGSEGV);
            {
                sigset_t pend;
                sigpending(&pend);
                _exit(sigismember(&pend, SIGSEGV) ? 42 : 43);
            }
        }
        _exit(3);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) {
        T_FAIL("waitpid: %s", t_errname(errno));
        return;
    }
    SAY("%s: exited=%d code=%d signaled=%d sig=%d", what, WIFEXITED(st),
        WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);
}

int main(void) {
    syscall(SYS_alarm, 10);
    run("SIGSEGV blocked", 0);
    run("SIGSEGV ignored", 1);
    run("SIGSEGV in its handler", 2);
    run("SIGFPE blocked", 3);
    run("kill SIGSEGV blocked", 4);
    return t_done();
}
