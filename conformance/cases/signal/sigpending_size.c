// syscalls: rt_sigpending, rt_sigprocmask, kill, tgkill
/* rt_sigpending reports blocked pending signals, process-wide and thread-directed alike;
 * a sigsetsize above 8 is EINVAL, a smaller one is accepted and writes only that many bytes;
 * a wild pointer is EFAULT. Unblocking runs the handlers and empties the set. */
#include "harness.h"
#include <signal.h>

#define BIT(s) (1UL << ((s) - 1))

static volatile int got;
static void on_sig(int s) { got |= 1 << s; }

int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    unsigned long set = BIT(SIGUSR1) | BIT(SIGUSR2) | BIT(SIGHUP), pend = 0;
    EXPECT_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8), 0);
    EXPECT_EQ(syscall(SYS_rt_sigpending, &pend, 8), 0);
    SAY("empty = %#lx", pend);
    EXPECT_EQ(kill(getpid(), SIGUSR1), 0);
    EXPECT_EQ(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2), 0);
    EXPECT_EQ(syscall(SYS_rt_sigpending, &pend, 8), 0);
    SAY("pending = %#lx", pend);
    EXPECT_ERR(syscall(SYS_rt_sigpending, &pend, 16), EINVAL);
    EXPECT_ERR(syscall(SYS_rt_sigpending, (void *)8, 8), EFAULT);
    unsigned char bytes[8];
    memset(bytes, 0xee, sizeof bytes);
    EXPECT_EQ(syscall(SYS_rt_sigpending, bytes, 4), 0);
    SAY("4-byte: %02x %02x %02x %02x | %02x %02x %02x %02x", bytes[0], bytes[1], bytes[2],
        bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
    EXPECT_EQ(syscall(SYS_rt_sigpending, bytes, 0), 0);
    CHECK(got == 0);
    EXPECT_EQ(syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8), 0);
    SAY("handled USR1=%d USR2=%d HUP=%d", !!(got & (1 << SIGUSR1)), !!(got & (1 << SIGUSR2)),
        !!(got & (1 << SIGHUP)));
    EXPECT_EQ(syscall(SYS_rt_sigpending, &pend, 8), 0);
    SAY("after = %#lx", pend);
    return t_done();
}
