// syscalls: rt_sigaction, mmap, munmap, mprotect, rt_sigreturn
/* SIGSEGV siginfo: an unmapped address is SEGV_MAPERR, a mapped page without the needed
 * permission (write to read-only, read of PROT_NONE, jump into non-executable memory) is
 * SEGV_ACCERR; si_addr is the faulting address (for a jump: the target). A non-canonical
 * address raises a general protection fault: SI_KERNEL with si_addr 0. */
#include "harness.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

static sigjmp_buf back;
static siginfo_t seen;

static void on_segv(int s, siginfo_t *si, void *uc) {
    (void)s, (void)uc;
    seen = *si;
    siglongjmp(back, 1);
}

#define PROBE(what, expr, want_addr)                                                       \
    do {                                                                                    \
        memset(&seen, 0, sizeof seen);                                                      \
        if (sigsetjmp(back, 1) == 0) {                                                      \
            expr;                                                                           \
            T_FAIL("%s: no fault", what);                                                   \
        } else {                                                                            \
            SAY("%s: signo=%d code=%d errno=%d addr ok=%d", what, seen.si_signo,            \
                seen.si_code, seen.si_errno, seen.si_addr == (void *)(want_addr));          \
        }                                                                                   \
    } while (0)

int main(void) {
    SAY("SEGV_MAPERR=%d SEGV_ACCERR=%d SI_KERNEL=%d", SEGV_MAPERR, SEGV_ACCERR, SI_KERNEL);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(m != MAP_FAILED)) return t_done();
    munmap(m + pg, pg);
    mprotect(m, pg, PROT_READ);
    mprotect(m + 2 * pg, pg, PROT_NONE);
    volatile char *v = m;
    PROBE("read unmapped", (void)v[pg + 24], m + pg + 24);
    PROBE("write unmapped", v[pg + 8] = 1, m + pg + 8);
    PROBE("write read-only", v[100] = 1, m + 100);
    PROBE("read PROT_NONE", (void)v[2 * pg + 1], m + 2 * pg + 1);
    PROBE("NULL read", (void)*(volatile int *)0, 0);
    PROBE("jump to read-only page", ((void (*)(void))m)(), m);
    PROBE("jump to unmapped page", ((void (*)(void))(m + pg))(), m + pg);
    PROBE("non-canonical read", (void)*(volatile long *)0x8000000000000000UL, 0);
    PROBE("kernel-half read", (void)*(volatile long *)0xffff888000000000UL, 0xffff888000000000UL);
    return t_done();
}
