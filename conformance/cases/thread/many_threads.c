// syscalls: clone, futex, mmap, munmap, exit, gettid
// timeout: 60
/* 200 threads alive at once: all of them meet at one barrier (so every one is running or
 * waiting at the same time), each has a distinct tid, and the atomic counter they bump after
 * the barrier ends at 200. A second round reuses the barrier. */
#include "harness.h"
#include <pthread.h>

#define N 200
static pthread_barrier_t bar;
static pid_t tids[N];
static int counter, serial;

static void *fn(void *arg) {
    int i = (int)(long)arg;
    tids[i] = syscall(SYS_gettid);
    for (int round = 0; round < 2; round++) {
        if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_fetch_add(&serial, 1, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static int cmp(const void *a, const void *b) { return *(const pid_t *)a - *(const pid_t *)b; }

int main(void) {
    alarm(50);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    EXPECT_EQ(pthread_barrier_init(&bar, NULL, N), 0);
    pthread_t t[N];
    int created = 0;
    for (long i = 0; i < N; i++) {
        int e = pthread_create(&t[i], &attr, fn, (void *)i);
        if (e) {
            T_FAIL("pthread_create %ld: %s", i, t_errname(e));
            break;
        }
        created++;
    }
    EXPECT_EQ(created, N);
    for (int i = 0; i < created; i++) pthread_join(t[i], NULL);
    EXPECT_EQ(counter, 2 * N);
    EXPECT_EQ(serial, 2);
    qsort(tids, N, sizeof tids[0], cmp);
    int distinct = 1;
    for (int i = 1; i < N; i++) distinct &= tids[i] != tids[i - 1] && tids[i] != getpid();
    CHECK(distinct);
    return t_done();
}
