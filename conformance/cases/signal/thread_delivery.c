// syscalls: kill, rt_sigprocmask, rt_sigpending, clone, futex, gettid
/* A process-directed signal goes to a thread that does not block it: with the main thread
 * blocking SIGUSR1 and a second thread accepting it, kill(getpid()) runs the handler on the
 * second thread. While every thread blocks it, the signal is pending for the whole process
 * (every thread's sigpending shows it) until one thread unblocks it and takes it. */
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
    /* Round 1: accept SIGUSR1 at once. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    (void)!write(ready[1], "r", 1);
    (void)!read(go[0], &c, 1);
    /* Round 2: block it, report what is pending, then unblock when told. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    (void)!write(ready[1], "r", 1);
    (void)!read(go[0], &c, 1);
    sigset_t pend;
    sigpending(&pend);
    c = sigismember(&pend, SIGUSR1) ? 'p' : 'n';
    (void)!write(ready[1], &c, 1);
    (void)!read(go[0], &c, 1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    (void)!read(go[0], &c, 1);
    return NULL;
}

int main(void) {
    syscall(SYS_alarm, 5);
    if (pipe(ready) || pipe(done) || pipe(go)) return T_FAIL("pipe"), t_done();
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pthread_t t;
    if (!CHECK(pthread_create(&t, NULL, worker, NULL) == 0)) return t_done();
    char c;
    (void)!read(ready[0], &c, 1);
    EXPECT_OK(kill(getpid(), SIGUSR1));
    (void)!read(done[0], &c, 1);
    SAY("round 1: handled by worker=%d", handled_by == worker_tid);
    handled_by = 0;
    (void)!write(go[1], "g", 1);
    (void)!read(ready[0], &c, 1); /* worker now blocks SIGUSR1 too */
    EXPECT_OK(kill(getpid(), SIGUSR1));
    sigset_t pend;
    sigpending(&pend);
    SAY("round 2: main sees pending=%d", sigismember(&pend, SIGUSR1));
    (void)!write(go[1], "g", 1);
    (void)!read(ready[0], &c, 1);
    SAY("round 2: worker sees pending=%c", c);
    CHECK(handled_by == 0);
    (void)!write(go[1], "g", 1); /* worker unblocks */
    (void)!read(done[0], &c, 1);
    SAY("round 2: handled by worker=%d", handled_by == worker_tid);
    sigpending(&pend);
    SAY("round 2: main sees pending=%d", sigismember(&pend, SIGUSR1));
    (void)!write(go[1], "g", 1);
    pthread_join(t, NULL);
    return t_done();
}
