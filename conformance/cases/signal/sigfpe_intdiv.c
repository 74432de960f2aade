// syscalls: rt_sigaction, rt_sigreturn
/* Integer division by zero, and INT_MIN / -1 (which overflows), raise SIGFPE FPE_INTDIV with
 * si_addr at the idiv instruction and REG_TRAPNO 0; with SIGFPE at SIG_DFL the process dies of
 * SIGFPE. */
#include "harness.h"
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>

static sigjmp_buf back;
static siginfo_t seen;
static long trapno;

int do_div(int a, int b);
extern char div_insn[];
__asm__(".text\n.globl do_div\ndo_div:\n    mov %edi, %eax\n    cltd\n"
        ".globl div_insn\ndiv_insn:\n    idivl %esi\n    ret\n");

static void on_fpe(int s, siginfo_t *si, void *ucv) {
    (void)s;
    seen = *si;
    trapno = ((ucontext_t *)ucv)->uc_mcontext.gregs[REG_TRAPNO];
    siglongjmp(back, 1);
}

static void probe(const char *what, int a, int b) {
    memset(&seen, 0, sizeof seen);
    if (sigsetjmp(back, 1) == 0) {
        SAY("%s: = %d", what, do_div(a, b));
    } else {
        SAY("%s: signo=%d code=%d addr ok=%d trapno=%ld", what, seen.si_signo, seen.si_code,
            seen.si_addr == (void *)div_insn, trapno);
    }
}

int main(void) {
    syscall(SYS_alarm, 5);
    SAY("FPE_INTDIV=%d", FPE_INTDIV);
    pid_t pid = fork();
    if (pid == 0) {
        do_div(1, 0);
        _exit(3);
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("default: signaled=%d sig=%d", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_fpe;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGFPE, &sa, NULL);
    probe("7 / 2", 7, 2);
    probe("1 / 0", 1, 0);
    probe("INT_MIN / -1", INT_MIN, -1);
    probe("-9 / 3", -9, 3);
    return t_done();
}
