// syscalls: rt_sigaction, rt_sigreturn
/* Setting the trap flag (TF) with popf single-steps: after the next instruction the CPU raises
 * a debug exception, reported as SIGTRAP TRAP_TRACE with REG_TRAPNO 1 and REG_RIP at the next
 * instruction; the handler clears TF in the saved EFLAGS, so execution then runs freely. */
#include "harness.h"
#include <signal.h>
#include <ucontext.h>

static siginfo_t seen;
static long trapno, rip;
static volatile int hits;

long single_step(void);
extern char step_next[];
__asm__(".text\n"
        ".globl single_step\nsingle_step:\n"
        "    xor %eax, %eax\n"
        "    pushf\n"
        "    orl $0x100, (%rsp)\n"
        "    popf\n"              /* TF takes effect after the next instruction */
        "    add $1, %eax\n"
        ".globl step_next\nstep_next:\n"
        "    add $2, %eax\n"
        "    add $4, %eax\n"
        "    ret\n");

static void on_trap(int s, siginfo_t *si, void *ucv) {
    (void)s;
    ucontext_t *uc = ucv;
    if (hits++ == 0) {
        seen = *si;
        trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
        rip = uc->uc_mcontext.gregs[REG_RIP];
    }
    uc->uc_mcontext.gregs[REG_EFL] &= ~0x100L;
}

int main(void) {
    syscall(SYS_alarm, 5);
    SAY("TRAP_TRACE=%d", TRAP_TRACE);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, NULL);
    long r = single_step();
    SAY("result=%ld hits=%d signo=%d code=%d trapno=%ld rip ok=%d", r, hits, seen.si_signo,
        seen.si_code, trapno, rip == (long)step_next);
    return t_done();
}
