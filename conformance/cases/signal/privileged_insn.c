// syscalls: rt_sigaction, rt_sigreturn
/* Privileged instructions in user mode (hlt, cli, port I/O, rdmsr) raise a general protection
 * fault, which Linux reports as SIGSEGV with si_code SI_KERNEL and si_addr 0 (not SIGILL),
 * REG_TRAPNO 13 and REG_RIP at the instruction. */
#include "harness.h"
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>

static sigjmp_buf back;
static siginfo_t seen;
static long trapno, rip;

void do_hlt(void), do_cli(void), do_in(void), do_rdmsr(void);
extern char hlt_insn[], cli_insn[], in_insn[], rdmsr_insn[];
__asm__(".text\n"
        ".globl do_hlt\ndo_hlt:\n.globl hlt_insn\nhlt_insn:\n    hlt\n    ret\n"
        ".globl do_cli\ndo_cli:\n.globl cli_insn\ncli_insn:\n    cli\n    ret\n"
        ".globl do_in\ndo_in:\n    mov $0x80, %dx\n.globl in_insn\nin_insn:\n    inb %dx, %al\n    ret\n"
        ".globl do_rdmsr\ndo_rdmsr:\n    xor %ecx, %ecx\n.globl rdmsr_insn\nrdmsr_insn:\n    rdmsr\n    ret\n");

static void on_sig(int s, siginfo_t *si, void *ucv) {
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
        T_FAIL("%s: no signal", what);
    } else {
        SAY("%s: signo=%d code=%d addr0=%d rip ok=%d trapno=%ld", what, seen.si_signo,
            seen.si_code, seen.si_addr == NULL, rip == (long)at, trapno);
    }
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    probe("hlt", do_hlt, hlt_insn);
    probe("cli", do_cli, cli_insn);
    probe("inb", do_in, in_insn);
    probe("rdmsr", do_rdmsr, rdmsr_insn);
    return t_done();
}
