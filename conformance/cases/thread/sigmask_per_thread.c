// syscalls: rt_sigprocmask, rt_sigpending, rt_sigaction, kill, tgkill, clone
/* Signal masks are per thread: a new thread starts with its creator's mask, and changing it
 * leaves the other threads' masks alone. A process-directed signal goes to a thread that does
 * not block it; one every thread blocks stays pending for the process (every thread's
 * sigpending shows it) until a thread unblocks it and takes it. A thread-directed signal to a
 * blocking thread is pending for that thread only. */
#include "harness.h"
#include <pthread.h>
#include <signal.h>

static volatile pid_t got_usr1, got_usr2;
static volatile pid_t ttid;
static volatile int step;

static void handler(int sig) {
    pid_t me = syscall(SYS_gettid);
    if (sig == SIGUSR1) got_usr1 = me;
    else got_usr2 = me;
}

static int blocked(int sig) {
    sigset_t s;
    pthread_sigmask(SIG_SETMASK, NULL, &s);
    return sigismember(&s, sig);
}
static int pending(int sig) {
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, sig);
}
static void wait_step(int n) {
    while (step < n) usleep(1000);
}

static int t_inherited, t_pending_usr1_main_only, t_pending_usr2_shared;

static void *fn(void *arg) {
    (void)arg;
    ttid = syscall(SYS_gettid);
    t_inherited = blocked(SIGUSR1) && blocked(SIGUSR2);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL); /* this thread takes SIGUSR1 from now on */
    step = 1;
    wait_step(2); /* main queued a SIGUSR1 for itself and a process-wide SIGUSR2 */
    t_pending_usr1_main_only = !pending(SIGUSR1);
    t_pending_usr2_shared = pending(SIGUSR2);
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL); /* takes the pending SIGUSR2 right away */
    step = 3;
    return NULL;
}

int main(void) {
    alarm(10);
    struct sigaction sa = {.sa_handler = handler};
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t t;
    pthread_create(&t, NULL, fn, NULL);
    wait_step(1);
    CHECK(blocked(SIGUSR1)); /* the thread's unblock did not touch ours */

    /* Process-directed SIGUSR1: only the thread accepts it. */
    EXPECT_OK(kill(getpid(), SIGUSR1));
    for (int k = 0; k < 5000 && !got_usr1; k++) usleep(1000);
    EXPECT_EQ(got_usr1 == ttid, 1);
    EXPECT_EQ(pending(SIGUSR1), 0);

    /* Thread-directed SIGUSR1 to main: pending for main only. */
    got_usr1 = 0;
    EXPECT_OK(syscall(SYS_tgkill, getpid(), getpid(), SIGUSR1));
    /* SIGUSR2 to the process while every thread blocks it. */
    EXPECT_OK(kill(getpid(), SIGUSR2));
    EXPECT_EQ(pending(SIGUSR1), 1);
    EXPECT_EQ(pending(SIGUSR2), 1);
    EXPECT_EQ(got_usr1, 0);
    step = 2;
    wait_step(3);
    pthread_join(t, NULL);
    CHECK(t_inherited);
    CHECK(t_pending_usr1_main_only);
    CHECK(t_pending_usr2_shared);
    EXPECT_EQ(got_usr2 == ttid, 1);
    EXPECT_EQ(pending(SIGUSR2), 0);
    /* Unblocking in main delivers main's own SIGUSR1 to main. */
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    EXPECT_EQ(got_usr1 == getpid(), 1);
    return t_done();
}
