// syscalls: futex, clone
/* pthread mutexes: 8 threads doing 20000 unprotected-looking increments each under a mutex
 * lose none; trylock on a held mutex is EBUSY; an error-checking mutex reports relocking
 * (EDEADLK) and unlocking by a thread that does not own it (EPERM); a recursive mutex nests. */
#include "harness.h"
#include <pthread.h>

#define THREADS 8
#define ITERS 20000
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t em;
static volatile long counter;
static int trylock_result, foreign_unlock;

static void *adder(void *arg) {
    (void)arg;
    for (int i = 0; i < ITERS; i++) {
        pthread_mutex_lock(&m);
        long v = counter;
        if ((i & 255) == 0) sched_yield();
        counter = v + 1;
        pthread_mutex_unlock(&m);
    }
    return NULL;
}
static void *prober(void *arg) {
    (void)arg;
    trylock_result = pthread_mutex_trylock(&m);
    foreign_unlock = pthread_mutex_unlock(&em);
    return NULL;
}

int main(void) {
    alarm(20);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, adder, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    EXPECT_EQ(counter, THREADS * ITERS);

    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&em, &a);
    EXPECT_EQ(pthread_mutex_lock(&em), 0);
    EXPECT_EQ(pthread_mutex_lock(&em), EDEADLK);
    EXPECT_EQ(pthread_mutex_lock(&m), 0);
    pthread_t p;
    pthread_create(&p, NULL, prober, NULL);
    pthread_join(p, NULL);
    EXPECT_EQ(trylock_result, EBUSY);
    EXPECT_EQ(foreign_unlock, EPERM);
    EXPECT_EQ(pthread_mutex_unlock(&m), 0);
    EXPECT_EQ(pthread_mutex_unlock(&em), 0);
    EXPECT_EQ(pthread_mutex_unlock(&em), EPERM);

    pthread_mutex_t rm;
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&rm, &a);
    EXPECT_EQ(pthread_mutex_lock(&rm), 0);
    EXPECT_EQ(pthread_mutex_lock(&rm), 0);
    EXPECT_EQ(pthread_mutex_trylock(&rm), 0);
    EXPECT_EQ(pthread_mutex_unlock(&rm), 0);
    EXPECT_EQ(pthread_mutex_unlock(&rm), 0);
    EXPECT_EQ(pthread_mutex_unlock(&rm), 0);
    EXPECT_EQ(pthread_mutex_unlock(&rm), EPERM);
    return t_done();
}
