// syscalls: rt_sigaction, mmap, mprotect, rt_sigreturn
/* The ucontext of a fault handler carries the x86 trap number and page-fault error code:
 * REG_TRAPNO 14 with REG_ERR bits user(4) | write(2) | present(1) | fetch(16) for page faults,
 * 13 for a general protection fault; REG_RIP is the faulting instruction. */
#include "harness.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;
static long trapno, err, rip;

static void on_segv(int s, siginfo_t *si, void *ucv) {
    (void)s, (void)si;
    ucontext_t *uc = ucv;
    trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
    err = uc->uc_mcontext.gregs[REG_ERR];
    rip = uc->uc_mcontext.gregs[REG_RIP];
    siglongjmp(back, 1);
}

/* Loads/stores at labelled instructions so the handler's RIP can be checked. */
long load_at(long *p);
void store_at(long *p);
extern char load_insn[], store_insn[];
__asm__(".text\n"
        ".globl load_at\nload_at:\n.globl load_insn\nload_insn:\n    mov (%rdi), %rax\n    ret\n"
        ".globl store_at\nstore_at:\n.globl store_insn\nstore_insn:\n    movq $1, (%rdi)\n    ret\n");

#define PROBE(what, expr, want_rip)                                                        \
    do {                                                                                   \
        trapno = err = rip = -1;                                                           \
        if (sigsetjmp(back, 1) == 0) {                                                     \
            expr;                                                                          \
            T_FAIL("%s: no fault", what);                                                  \
        } else {                                                                           \
            SAY("%s: trapno=%ld err=%#lx rip ok=%d", what, trapno, err,                    \
                (want_rip) == 0 || rip == (long)(want_rip));                               \
        }                                                                                  \
    } while (0)

int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(m != MAP_FAILED)) return t_done();
    m[0] = 1;
    munmap(m + pg, pg);
    mprotect(m, pg, PROT_READ);
    PROBE("read unmapped", load_at((long *)(m + pg)), load_insn);
    PROBE("write unmapped", store_at((long *)(m + pg)), store_insn);
    PROBE("write read-only", store_at((long *)m), store_insn);
    PROBE("fetch read-only", ((void (*)(void))m)(), m);
    PROBE("non-canonical", load_at((long *)0x8000000000000000UL), load_insn);
    return t_done();
}
