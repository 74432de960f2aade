// syscalls: signalfd4, read, poll, tgkill, clone, futex
/* A signalfd reads the calling thread's own signals plus the process's: a signal sent to
 * another thread with pthread_kill is neither readable nor POLLIN for the main thread, but is
 * for its target, and a thread blocked reading the signalfd is woken by a signal sent to it. */
#include "harness.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>

static int nb, blk;
static int go[2], back[2];

static int readable(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1 && p.revents == POLLIN;
}

static void *worker(void *arg) {
    (void)arg;
    long bad = 0;
    struct signalfd_siginfo si;
    char c;
    /* Wait until main has sent us SIGUSR1 and looked. */
    if (read(go[0], &c, 1) != 1) bad |= 1;
    if (!readable(nb)) bad |= 2;
    if (read(nb, &si, sizeof si) != sizeof si || si.ssi_signo != SIGUSR1 ||
        si.ssi_code != SI_TKILL)
        bad |= 4;
    if (readable(nb)) bad |= 8;
    if (write(back[1], "w", 1) != 1) bad |= 16;
    /* Blocks until main's second pthread_kill. */
    if (read(blk, &si, sizeof si) != sizeof si || si.ssi_signo != SIGUSR2) bad |= 32;
    return (void *)bad;
}

int main(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &m, NULL));
    nb = EXPECT_OK(signalfd(-1, &m, SFD_NONBLOCK));
    blk = EXPECT_OK(signalfd(-1, &m, 0));
    EXPECT_OK(pipe(go));
    EXPECT_OK(pipe(back));
    pthread_t t;
    EXPECT_EQ(pthread_create(&t, NULL, worker, NULL), 0);
    EXPECT_EQ(pthread_kill(t, SIGUSR1), 0);
    EXPECT_EQ(readable(nb), 0);
    struct signalfd_siginfo si;
    EXPECT_ERR(read(nb, &si, sizeof si), EAGAIN);
    EXPECT_EQ(write(go[1], "m", 1), 1);
    char c;
    EXPECT_EQ(read(back[0], &c, 1), 1);
    EXPECT_EQ(c, 'w');
    usleep(20000);
    EXPECT_EQ(pthread_kill(t, SIGUSR2), 0);
    void *ret;
    EXPECT_EQ(pthread_join(t, &ret), 0);
    EXPECT_EQ((long)ret, 0);
    EXPECT_EQ(readable(nb), 0);
    return t_done();
}
