// syscalls: rt_sigaction, rt_sigreturn
/* int3 (0xcc) and int $3 (0xcd 0x03) raise SIGTRAP with si_code SI_KERNEL, REG_TRAPNO 3 and
 * REG_RIP just past the instruction, so returning from the handler simply continues; by
 * default SIGTRAP kills. */
#include "harness.h"
#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>

static siginfo_t seen;
static long trapno, rip;
static volatile int hits;

long do_int3(void), do_int_3(void);
extern char after_int3[], after_int_3[];
__asm__(".text\n"
        ".globl do_int3\ndo_int3:\n    mov $5, %eax\n    int3\n"
        ".globl after_int3\nafter_int3:\n    add $1, %eax\n    ret\n"
        ".globl do_int_3\ndo_int_3:\n    mov $7, %eax\n    .byte 0xcd, 0x03\n"
        ".globl after_int_3\nafter_int_3:\n    add $1, %eax\n    ret\n");

static void on_trap(int s, siginfo_t *si, void *ucv) {
    (void)s;
    seen = *si;
    trapno = ((ucontext_t *)ucv)->uc_mcontext.gregs[REG_TRAPNO];
    rip = ((ucontext_t *)ucv)->uc_mcontext.gregs[REG_RIP];
    hits++;
}

int main(void) {
    syscall(SYS_alarm, 5);
    SAY("SI_KERNEL=%d TRAP_BRKPT=%d", SI_KERNEL, TRAP_BRKPT);
    pid_t pid = fork();
    if (pid == 0) {
        do_int3();
        _exit(3);
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("default: signaled=%d sig=%d", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    struct sigaction sa = {0};
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, NULL);
    long r = do_int3();
    SAY("int3: result=%ld hits=%d signo=%d code=%d trapno=%ld rip ok=%d", r, hits, seen.si_signo,
        seen.si_code, trapno, rip == (long)after_int3);
    r = do_int_3();
    SAY("int $3: result=%ld hits=%d signo=%d code=%d trapno=%ld rip ok=%d", r, hits,
        seen.si_signo, seen.si_code, trapno, rip == (long)after_int_3);
    return t_done();
}
