// syscalls: fork, clone, gettid, getpid, wait4
/* fork from a non-main thread of a busy process: the child has exactly one thread (the
 * forking one, now with tid == pid): the parent's other threads, which keep incrementing
 * counters in the parent, do not run in the child; the child can make threads of its own. */
#include "harness.h"
#include <pthread.h>
#include <sys/wait.h>

#define SPINNERS 3
static volatile long counters[SPINNERS];
static volatile int stop;

static void *spin(void *arg) {
    int i = (int)(long)arg;
    while (!stop) {
        counters[i]++;
        usleep(1000);
    }
    return NULL;
}

static void *noop(void *arg) { return arg; }

static void *forker(void *arg) {
    (void)arg;
    pid_t pid = fork();
    if (pid == 0) {
        int r = 0;
        r |= (syscall(SYS_gettid) == getpid()) << 0;
        long before[SPINNERS];
        for (int i = 0; i < SPINNERS; i++) before[i] = counters[i];
        usleep(100000);
        int frozen = 1;
        for (int i = 0; i < SPINNERS; i++) frozen &= counters[i] == before[i];
        r |= frozen << 1;
        pthread_t t;
        r |= (pthread_create(&t, NULL, noop, NULL) == 0 && pthread_join(t, NULL) == 0) << 2;
        _exit(r);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return (void *)(long)status;
}

int main(void) {
    alarm(10);
    pthread_t s[SPINNERS], f;
    for (long i = 0; i < SPINNERS; i++) pthread_create(&s[i], NULL, spin, (void *)i);
    usleep(20000);
    pthread_create(&f, NULL, forker, NULL);
    void *rv;
    pthread_join(f, &rv);
    int status = (int)(long)rv;
    /* The parent's spinners kept going meanwhile. */
    long before = counters[0];
    usleep(50000);
    CHECK(counters[0] > before);
    stop = 1;
    for (int i = 0; i < SPINNERS; i++) pthread_join(s[i], NULL);
    CHECK(WIFEXITED(status));
    int r = WEXITSTATUS(status);
    SAY("child: tid == pid %d, parent's threads absent %d, can make threads %d", r & 1,
        (r >> 1) & 1, (r >> 2) & 1);
    EXPECT_EQ(r, 7);
    return t_done();
}
