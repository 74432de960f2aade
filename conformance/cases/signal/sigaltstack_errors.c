// syscalls: sigaltstack
/* sigaltstack outside a handler: a fresh process has none (SS_DISABLE, NULL, 0); a stack below
 * MINSIGSTKSZ is ENOMEM; unknown flags are EINVAL; a wild pointer is EFAULT; a valid stack reads
 * back as given (flags 0, SS_ONSTACK as a request is taken as 0); SS_DISABLE ignores the size
 * and reads back as SS_DISABLE with a NULL stack. */
#include "harness.h"
#include <signal.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char mem[65536];

/* Raw calls: musl checks the size and flags itself before the kernel sees them. */
static long altstack(const stack_t *ss, stack_t *old) { return syscall(SYS_sigaltstack, ss, old); }

static void show(const char *what) {
    stack_t cur;
    memset(&cur, 0x5a, sizeof cur);
    if (altstack(NULL, &cur) != 0) {
        T_FAIL("query: %s", t_errname(errno));
        return;
    }
    SAY("%s: flags=%#x sp=%s size=%zu", what, (unsigned)cur.ss_flags,
        cur.ss_sp == NULL ? "NULL" : cur.ss_sp == mem ? "mem" : "other", cur.ss_size);
}

int main(void) {
    SAY("MINSIGSTKSZ=2048 SS_ONSTACK=%d SS_DISABLE=%d", SS_ONSTACK, SS_DISABLE);
    show("initial");
    stack_t ss = {.ss_sp = mem, .ss_flags = 0, .ss_size = 2047};
    EXPECT_ERR(altstack(&ss, NULL), ENOMEM);
    ss.ss_size = 0;
    EXPECT_ERR(altstack(&ss, NULL), ENOMEM);
    show("after ENOMEM");
    ss.ss_size = 2048;
    ss.ss_flags = 0x1234;
    EXPECT_ERR(altstack(&ss, NULL), EINVAL);
    ss.ss_flags = SS_DISABLE | SS_ONSTACK;
    EXPECT_ERR(altstack(&ss, NULL), EINVAL);
    EXPECT_ERR(altstack((void *)8, NULL), EFAULT);
    EXPECT_ERR(altstack(NULL, (void *)8), EFAULT);
    ss.ss_flags = 0;
    EXPECT_OK(altstack(&ss, NULL));
    show("2048");
    ss.ss_size = sizeof mem;
    stack_t old;
    EXPECT_OK(altstack(&ss, &old));
    SAY("old size=%zu", old.ss_size);
    show("64k");
    ss.ss_flags = SS_ONSTACK;
    EXPECT_OK(altstack(&ss, NULL));
    show("SS_ONSTACK request");
    ss.ss_flags = SS_AUTODISARM;
    EXPECT_OK(altstack(&ss, NULL));
    show("SS_AUTODISARM");
    ss.ss_flags = SS_DISABLE;
    ss.ss_size = 5;
    EXPECT_OK(altstack(&ss, NULL));
    show("disabled");
    return t_done();
}
