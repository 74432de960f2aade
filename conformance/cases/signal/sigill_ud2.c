// syscalls: rt_sigaction, rt_sigreturn
/* An undefined opcode (ud2, or an opcode invalid in 64-bit mode) raises SIGILL ILL_ILLOPN with
 * si_addr and REG_RIP at the instruction and REG_TRAPNO 6; by default it kills with SIGILL. */
#include "harness.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>

static sigjmp_buf back;
static siginfo_t seen;
static long trapno, rip;

void do_ud2(void);
void do_bad_op(void);
extern char ud2_insn[], bad_insn[];
__asm__(".text\n"
        ".globl do_ud2\ndo_ud2:\n.globl ud2_insn\nud2_insn:\n    ud2\n    ret\n"
        ".globl do_bad_op\ndo_bad_op:\n.globl bad_insn\nbad_insn:\n    .byte 0x06\n    ret\n");

static void on_ill(int s, siginfo_t *si, void *ucv) {
    (void)s;
    seen = *si;
    trapno = ((ucontext_t *)ucv)->uc_mcontext.gregs[REG_TRAPNO];
    rip = ((ucontext_t *)ucv)->uc_mcontext.gregs[REG_RIP];
    siglongjmp(back, 1);
}

static void probe(const char *what, void (*f)(void), char *at) {
    memset(&seen, 0, sizeof seen);
    if (sigsetjmp(back, 1) == 0) {
        f();
        T_FAIL("%s: no SIGILL", what);
    } else {
        SAY("%s: signo=%d code=%d addr ok=%d rip ok=%d trapno=%ld", what, seen.si_signo,
            seen.si_code, seen.si_addr == (void *)at, rip == (long)at, trapno);
    }
}

int main(void) {
    syscall(SYS_alarm, 5);
    SAY("ILL_ILLOPN=%d", ILL_ILLOPN);
    pid_t pid = fork();
    if (pid == 0) {
        do_ud2();
        _exit(3);
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("default: signaled=%d sig=%d", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_ill;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, NULL);
    probe("ud2", do_ud2, ud2_insn);
    probe("push %es (0x06)", do_bad_op, bad_insn);
    return t_done();
}
