// syscalls: rt_sigaction, rt_sigreturn, mmap
/* A SIGSEGV handler may repair the saved registers: moving REG_RIP past the faulting load and
 * setting REG_RAX makes the interrupted code resume there with that value, as rt_sigreturn
 * restores the whole (modified) register set; other registers come back unchanged. */
#include "harness.h"
#include <signal.h>
#include <ucontext.h>

static volatile int hits;

long faulting_load(long *p, long keep);
extern char load_insn[], load_resume[];
/* rsi is copied to r12 (callee-saved, so restored) and added to the result after the load,
 * to show the registers the handler did not touch survive the round trip. */
__asm__(".text\n.globl faulting_load\nfaulting_load:\n"
        "    push %r12\n"
        "    mov %rsi, %r12\n"
        ".globl load_insn\nload_insn:\n"
        "    mov (%rdi), %rax\n"
        ".globl load_resume\nload_resume:\n"
        "    add %r12, %rax\n"
        "    pop %r12\n"
        "    ret\n");

static void on_segv(int s, siginfo_t *si, void *ucv) {
    (void)s, (void)si;
    ucontext_t *uc = ucv;
    hits++;
    if (uc->uc_mcontext.gregs[REG_RIP] != (long)load_insn) return; /* would loop: let it die */
    uc->uc_mcontext.gregs[REG_RIP] = (long)load_resume;
    uc->uc_mcontext.gregs[REG_RAX] = 1000;
}

int main(void) {
    syscall(SYS_alarm, 5);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    long ok = 5;
    EXPECT_EQ(faulting_load(&ok, 2), 7);
    EXPECT_EQ(hits, 0);
    EXPECT_EQ(faulting_load(NULL, 2), 1002);
    EXPECT_EQ(hits, 1);
    EXPECT_EQ(faulting_load((long *)16, 30), 1030);
    EXPECT_EQ(hits, 2);
    return t_done();
}
