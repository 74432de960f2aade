// syscalls: rt_sigaction
/* rt_sigaction hands back the previous action: handler, flags (SA_RESTORER aside, which the
 * libc adds), and mask; a query with a NULL new action changes nothing; a fresh process starts
 * with SIG_DFL and an empty mask for an untouched signal. */
#include "harness.h"
#include <signal.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static void h1(int s) { (void)s; }
static void h2(int s, siginfo_t *i, void *u) { (void)s, (void)i, (void)u; }

int main(void) {
    struct sigaction sa, old;
    memset(&old, 0x55, sizeof old);
    EXPECT_OK(sigaction(SIGUSR2, NULL, &old));
    CHECK(old.sa_handler == SIG_DFL);
    CHECK((old.sa_flags & ~SA_RESTORER) == 0);
    CHECK(sigismember(&old.sa_mask, SIGINT) == 0);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h1;
    sa.sa_flags = SA_RESTART | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    EXPECT_OK(sigaction(SIGUSR2, &sa, NULL));

    memset(&old, 0, sizeof old);
    EXPECT_OK(sigaction(SIGUSR2, NULL, &old));
    CHECK(old.sa_handler == h1);
    SAY("flags = %#x", (unsigned)old.sa_flags & ~(unsigned)SA_RESTORER);
    SAY("mask INT=%d TERM=%d HUP=%d", sigismember(&old.sa_mask, SIGINT),
        sigismember(&old.sa_mask, SIGTERM), sigismember(&old.sa_mask, SIGHUP));

    /* Replace and read the old action back in the same call. */
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h2;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    memset(&old, 0, sizeof old);
    EXPECT_OK(sigaction(SIGUSR2, &sa, &old));
    CHECK(old.sa_handler == h1);
    SAY("old flags = %#x", (unsigned)old.sa_flags & ~(unsigned)SA_RESTORER);
    memset(&old, 0, sizeof old);
    EXPECT_OK(sigaction(SIGUSR2, NULL, &old));
    CHECK(old.sa_sigaction == h2);
    SAY("new flags = %#x", (unsigned)old.sa_flags & ~(unsigned)SA_RESTORER);
    CHECK(sigismember(&old.sa_mask, SIGINT) == 0);

    /* SIG_IGN reads back as SIG_IGN. */
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    EXPECT_OK(sigaction(SIGUSR2, &sa, NULL));
    EXPECT_OK(sigaction(SIGUSR2, NULL, &old));
    CHECK(old.sa_handler == SIG_IGN);
    /* Querying SIGKILL is allowed. */
    EXPECT_OK(sigaction(SIGKILL, NULL, &old));
    CHECK(old.sa_handler == SIG_DFL);
    return t_done();
}
