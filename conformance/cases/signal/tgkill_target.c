// syscalls: tgkill, tkill, rt_sigprocmask, rt_sigpending, clone, futex, gettid
/* tgkill/tkill direct a signal at one thread: its handler runs on that thread even though
 * others accept the signal too; sent to a thread that blocks it, the signal is pending for that
 * thread only (other threads' sigpending does not show it); a thread that has exited is ESRCH. */
#include "harness.h"
#include <pthread.h>
#include <signal.h>

static int ready[2], done[2], go[2];
static volatile pid_t worker_tid, handled_by;

static void on_usr1(int s) {
    (void)s;
    handled_by = gettid();
    (void)!write(done[1], "d", 1);
}

static void *worker(void *arg) {
    (void)arg;
    worker_tid = gettid();
    char c;
    (void)!write(ready[1], "r", 1);
    (void)!read(go[0], &c, 1);
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    (void)!write(ready[1], "r", 1);
    (void)!read(go[0], &c, 1);
    sigpending(&pend);
    c = sigismember(&pend, SIGUSR2) ? 'p' : 'n';
    (void)!write(ready[1], &c, 1);
    /* Take it here so it does not kill anyone. */
    int sig = 0;
    sigwait(&set, &sig);
    c = sig == SIGUSR2 ? 'w' : '?';
    (void)!write(ready[1], &c, 1);
    return NULL;
}

int main(void) {
    syscall(SYS_alarm, 5);
    if (pipe(ready) || pipe(done) || pipe(go)) return T_FAIL("pipe"), t_done();
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t t;
    if (!CHECK(pthread_create(&t, NULL, worker, NULL) == 0)) return t_done();
    char c;
    (void)!read(ready[0], &c, 1);
    EXPECT_OK(syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1));
    (void)!read(done[0], &c, 1);
    SAY("tgkill: handled by worker=%d", handled_by == worker_tid);
    handled_by = 0;
    EXPECT_OK(syscall(SYS_tkill, worker_tid, SIGUSR1));
    (void)!read(done[0], &c, 1);
    SAY("tkill: handled by worker=%d", handled_by == worker_tid);
    handled_by = 0;
    EXPECT_OK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1));
    SAY("tgkill self: handled by main=%d", handled_by == gettid());
    (void)!read(done[0], &c, 1);

    (void)!write(go[1], "g", 1);
    (void)!read(ready[0], &c, 1); /* worker blocks SIGUSR2 */
    EXPECT_OK(syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR2));
    sigset_t pend;
    sigpending(&pend);
    SAY("main sees pending USR2=%d", sigismember(&pend, SIGUSR2));
    (void)!write(go[1], "g", 1);
    (void)!read(ready[0], &c, 1);
    SAY("worker sees pending USR2=%c", c);
    (void)!read(ready[0], &c, 1);
    SAY("worker sigwait: %c", c);
    pid_t gone = worker_tid;
    pthread_join(t, NULL);
    /* The join can return a moment before the kernel has released the thread: retry a bit. */
    for (int i = 0; i < 1000 && syscall(SYS_tgkill, getpid(), gone, 0) == 0; i++) usleep(1000);
    EXPECT_ERR(syscall(SYS_tgkill, getpid(), gone, 0), ESRCH);
    EXPECT_ERR(syscall(SYS_tkill, gone, 0), ESRCH);
    return t_done();
}
