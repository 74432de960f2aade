// syscalls: rt_sigaction, setitimer, pipe2, read, rt_sigreturn
/* A blocking pipe read interrupted by a handled SIGALRM fails with EINTR without SA_RESTART
 * and is restarted (then satisfied by the handler's write) with it. */
#include "harness.h"
#include <signal.h>
#include <sys/time.h>

static int fds[2];
static volatile sig_atomic_t fired;

static void on_alarm(int s) {
    (void)s;
    fired++;
    if (fired == 2) {
        char c = 'r';
        (void)!write(fds[1], &c, 1); /* satisfies the restarted read */
    }
}

static void arm(void) {
    struct itimerval once = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &once, NULL);
}

int main(void) {
    alarm(5);
    EXPECT_OK(pipe(fds));
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    EXPECT_OK(sigaction(SIGALRM, &sa, NULL));
    char c;
    arm();
    EXPECT_ERR(read(fds[0], &c, 1), EINTR);
    sa.sa_flags = SA_RESTART;
    EXPECT_OK(sigaction(SIGALRM, &sa, NULL));
    arm();
    EXPECT_EQ(read(fds[0], &c, 1), 1);
    CHECK(c == 'r');
    EXPECT_EQ(fired, 2);
    return t_done();
}
