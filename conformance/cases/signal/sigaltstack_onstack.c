// syscalls: sigaltstack, rt_sigaction, kill, rt_sigreturn
/* An SA_ONSTACK handler runs on the alternate stack, where sigaltstack reports SS_ONSTACK and
 * refuses changes (EPERM, also for SS_DISABLE); a handler without SA_ONSTACK stays on the normal
 * stack; with SS_AUTODISARM the stack is disarmed inside the handler (so it may be changed).
 * Either way rt_sigreturn puts back the alternate stack saved in the frame, undoing changes made
 * inside the handler. */
#include "harness.h"
#include <signal.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char alt[65536] __attribute__((aligned(16)));
static volatile int on_alt, flags_inside, set_err, disable_err;

static void handler(int s) {
    (void)s;
    char local;
    on_alt = &local >= alt && &local < alt + sizeof alt;
    stack_t cur;
    sigaltstack(NULL, &cur);
    flags_inside = cur.ss_flags;
    stack_t ss = {.ss_sp = alt, .ss_size = 8192, .ss_flags = 0};
    set_err = sigaltstack(&ss, NULL) == 0 ? 0 : errno;
    ss.ss_flags = SS_DISABLE;
    disable_err = sigaltstack(&ss, NULL) == 0 ? 0 : errno;
}

static void run(const char *what, int sa_flags) {
    struct sigaction sa = {0};
    sa.sa_handler = handler;
    sa.sa_flags = sa_flags;
    sigaction(SIGUSR1, &sa, NULL);
    on_alt = flags_inside = set_err = disable_err = -1;
    kill(getpid(), SIGUSR1);
    stack_t cur;
    sigaltstack(NULL, &cur);
    SAY("%s: on_alt=%d flags_inside=%#x set=%s disable=%s | after: flags=%#x size=%zu", what,
        on_alt, (unsigned)flags_inside, set_err ? t_errname(set_err) : "0",
        disable_err ? t_errname(disable_err) : "0", (unsigned)cur.ss_flags, cur.ss_size);
}

int main(void) {
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    EXPECT_OK(sigaltstack(&ss, NULL));
    run("SA_ONSTACK", SA_ONSTACK);
    EXPECT_OK(sigaltstack(&ss, NULL));
    run("no SA_ONSTACK", 0);
    ss.ss_flags = SS_AUTODISARM;
    EXPECT_OK(sigaltstack(&ss, NULL));
    run("SS_AUTODISARM", SA_ONSTACK);
    return t_done();
}
