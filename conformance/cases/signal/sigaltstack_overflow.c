// syscalls: sigaltstack, rt_sigaction, setrlimit, rt_sigprocmask
/* Runaway recursion overflows the stack (capped at 1 MiB by RLIMIT_STACK): the SIGSEGV handler
 * can only run because SA_ONSTACK puts it on the alternate stack; it siglongjmps back. Without
 * an alternate stack the same overflow kills the process with SIGSEGV. */
#include "harness.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static sigjmp_buf back;
static char alt[65536] __attribute__((aligned(16)));
static volatile int on_alt, code;

static void on_segv(int s, siginfo_t *si, void *uc) {
    (void)s, (void)uc;
    char local;
    on_alt = &local >= alt && &local < alt + sizeof alt;
    code = si->si_code;
    siglongjmp(back, 1);
}

static int recurse(int n) {
    volatile char pad[1024];
    if (n < 0) return 0; /* never: keeps the compiler from calling this infinite */
    pad[0] = (char)n;
    pad[1023] = (char)n;
    return recurse(n + 1) + pad[0] + pad[1023];
}

int main(void) {
    syscall(SYS_alarm, 10);
    struct rlimit rl = {1 << 20, 1 << 20};
    EXPECT_OK(setrlimit(RLIMIT_STACK, &rl));
    pid_t pid = fork();
    if (pid == 0) {
        recurse(0);
        _exit(3);
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("no altstack: signaled=%d sig=%d", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);

    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    EXPECT_OK(sigaltstack(&ss, NULL));
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    EXPECT_OK(sigaction(SIGSEGV, &sa, NULL));
    if (sigsetjmp(back, 1) == 0) {
        recurse(0);
        T_FAIL("recursion returned");
    }
    SAY("caught: on_alt=%d code ok=%d", on_alt, code == SEGV_MAPERR || code == SEGV_ACCERR);
    stack_t cur;
    sigaltstack(NULL, &cur);
    SAY("altstack after siglongjmp: flags=%#x", (unsigned)cur.ss_flags);
    return t_done();
}
