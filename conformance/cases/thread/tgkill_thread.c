// syscalls: tgkill, tkill, rt_sigaction, gettid, clone, wait4
/* tgkill and tkill aim a signal at one thread: the handler runs in that thread (not in the
 * sender or in another thread). Signal 0 probes a thread. Errors: a tgid that does not own the
 * tid, a reaped child (checked over 100 children, right after each wait), or an exited thread
 * is ESRCH; a non-positive tgid or tid, or a bad signal, is EINVAL. */
#include "harness.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#define N 3
static volatile pid_t handled_by[N + 1];
static volatile int which;
static volatile pid_t tids[N];
static volatile int stop;

static void handler(int sig) {
    (void)sig;
    handled_by[which] = syscall(SYS_gettid);
}

static void *idle(void *arg) {
    int i = (int)(long)arg;
    tids[i] = syscall(SYS_gettid);
    while (!stop) usleep(1000);
    return NULL;
}

static void wait_handled(int i) {
    for (int k = 0; k < 5000 && handled_by[i] == 0; k++) usleep(1000);
}

int main(void) {
    alarm(10);
    struct sigaction sa = {.sa_handler = handler};
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    pthread_t t[N];
    for (long i = 0; i < N; i++) pthread_create(&t[i], NULL, idle, (void *)i);
    for (int i = 0; i < N; i++)
        while (tids[i] == 0) usleep(1000);
    pid_t pid = getpid();
    for (int i = 0; i < N; i++) {
        which = i;
        EXPECT_OK(syscall(SYS_tgkill, pid, tids[i], SIGUSR1));
        wait_handled(i);
        SAY("tgkill to thread %d handled by it: %s", i, handled_by[i] == tids[i] ? "yes" : "no");
    }
    /* To ourselves: handled before tgkill returns. */
    which = N;
    EXPECT_OK(syscall(SYS_tgkill, pid, pid, SIGUSR1));
    EXPECT_EQ(handled_by[N] == pid, 1);
    /* tkill names the thread alone. */
    handled_by[1] = 0;
    which = 1;
    EXPECT_OK(syscall(SYS_tkill, tids[1], SIGUSR2));
    wait_handled(1);
    EXPECT_EQ(handled_by[1] == tids[1], 1);

    EXPECT_OK(syscall(SYS_tgkill, pid, tids[0], 0));
    pid_t dead = 0;
    int found_tkill = 0, found_tgkill = 0;
    for (int i = 0; i < 100; i++) {
        dead = fork();
        if (dead == 0) _exit(0);
        waitpid(dead, NULL, 0);
        found_tkill += syscall(SYS_tkill, dead, 0) == 0;
        found_tgkill += syscall(SYS_tgkill, dead, dead, 0) == 0;
    }
    SAY("reaped children still found by tkill: %d, by tgkill: %d", found_tkill, found_tgkill);
    EXPECT_ERR(syscall(SYS_tgkill, dead, tids[0], 0), ESRCH);
    EXPECT_ERR(syscall(SYS_tgkill, pid, dead, 0), ESRCH);
    EXPECT_ERR(syscall(SYS_tkill, dead, 0), ESRCH);
    EXPECT_ERR(syscall(SYS_tgkill, 0, tids[0], 0), EINVAL);
    EXPECT_ERR(syscall(SYS_tgkill, -1, tids[0], 0), EINVAL);
    EXPECT_ERR(syscall(SYS_tgkill, pid, 0, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_tgkill, pid, -5, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_tkill, 0, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_tgkill, pid, tids[0], 65), EINVAL);
    EXPECT_ERR(syscall(SYS_tgkill, pid, tids[0], -1), EINVAL);

    stop = 1;
    pid_t t2 = tids[2];
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    /* join can return a moment before the kernel forgets the thread: wait for that. */
    for (int k = 0; k < 5000 && syscall(SYS_tgkill, pid, t2, 0) == 0; k++) usleep(1000);
    EXPECT_ERR(syscall(SYS_tgkill, pid, t2, 0), ESRCH);
    return t_done();
}
