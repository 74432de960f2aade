/* pthreads: 8 threads, a mutex-protected counter, a condition-variable handoff, thread-local
 * storage, a barrier, and joins returning results. Output is printed by the main thread only. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

#define N 8
#define ROUNDS 2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cv = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static int turn;
static __thread long tls_value = -1;
static int tids_distinct[N];
static long main_tid;

static void *worker(void *arg) {
    long id = (long)arg;
    tls_value = id * 100;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    tids_distinct[id] = syscall(SYS_gettid) != main_tid && getpid() != syscall(SYS_gettid);
    pthread_barrier_wait(&barrier);
    /* Take turns in id order through the condition variable. */
    pthread_mutex_lock(&lock);
    while (turn != id)
        pthread_cond_wait(&turn_cv, &lock);
    turn++;
    pthread_cond_broadcast(&turn_cv);
    pthread_mutex_unlock(&lock);
    return (void *)(tls_value + id);
}

int main(void) {
    pthread_t t[N];
    main_tid = syscall(SYS_gettid);
    tls_value = 7;
    pthread_barrier_init(&barrier, NULL, N);
    for (long i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) {
            puts("pthread_create failed");
            return 1;
        }
    long sum = 0;
    for (int i = 0; i < N; i++) {
        void *r;
        pthread_join(t[i], &r);
        printf("thread %d returned %ld\n", i, (long)r);
        sum += (long)r;
    }
    int distinct = 0;
    for (int i = 0; i < N; i++)
        distinct += tids_distinct[i];
    printf("counter %ld (want %d)\n", counter, N * ROUNDS);
    printf("turns %d, sum %ld, distinct tids %d, main tls %ld\n", turn, sum, distinct, tls_value);
    printf("main is pid: %d\n", getpid() == main_tid);
    return 0;
}
