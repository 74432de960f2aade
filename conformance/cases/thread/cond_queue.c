// syscalls: futex, clone, clock_gettime
/* Condition variables: two producers and two consumers move 20000 numbered items through a
 * 4-slot queue guarded by a mutex and two condition variables, and every item arrives exactly
 * once; pthread_cond_broadcast wakes every waiter; pthread_cond_timedwait with a deadline
 * nobody signals returns ETIMEDOUT with the mutex held again. */
#include "harness.h"
#include <pthread.h>
#include <time.h>

#define ITEMS 10000 /* per producer */
#define SLOTS 4
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static int queue[SLOTS], head, count, finished_producers;
static unsigned char seen[2 * ITEMS];
static long sums[2];

static void *producer(void *arg) {
    int base = (int)(long)arg * ITEMS;
    for (int i = 0; i < ITEMS; i++) {
        pthread_mutex_lock(&m);
        while (count == SLOTS) pthread_cond_wait(&not_full, &m);
        queue[(head + count++) % SLOTS] = base + i;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&m);
    }
    pthread_mutex_lock(&m);
    finished_producers++;
    pthread_cond_broadcast(&not_empty);
    pthread_mutex_unlock(&m);
    return NULL;
}

static void *consumer(void *arg) {
    long *sum = &sums[(long)arg];
    for (;;) {
        pthread_mutex_lock(&m);
        while (count == 0 && finished_producers < 2) pthread_cond_wait(&not_empty, &m);
        if (count == 0) {
            pthread_mutex_unlock(&m);
            return NULL;
        }
        int v = queue[head];
        head = (head + 1) % SLOTS;
        count--;
        seen[v]++;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&m);
        *sum += v;
    }
}

static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static int waiting, released, flag;
static void *waiter(void *arg) {
    (void)arg;
    pthread_mutex_lock(&m);
    waiting++;
    while (!flag) pthread_cond_wait(&go, &m);
    released++;
    pthread_mutex_unlock(&m);
    return NULL;
}

int main(void) {
    alarm(20);
    pthread_t p[2], c[2];
    for (long i = 0; i < 2; i++) pthread_create(&c[i], NULL, consumer, (void *)i);
    for (long i = 0; i < 2; i++) pthread_create(&p[i], NULL, producer, (void *)i);
    for (int i = 0; i < 2; i++) pthread_join(p[i], NULL);
    for (int i = 0; i < 2; i++) pthread_join(c[i], NULL);
    int once = 1;
    for (int i = 0; i < 2 * ITEMS; i++) once &= seen[i] == 1;
    CHECK(once);
    EXPECT_EQ(sums[0] + sums[1], (long)(2 * ITEMS) * (2 * ITEMS - 1) / 2);

    pthread_t w[5];
    for (int i = 0; i < 5; i++) pthread_create(&w[i], NULL, waiter, NULL);
    for (;;) {
        pthread_mutex_lock(&m);
        int n = waiting;
        pthread_mutex_unlock(&m);
        if (n == 5) break;
        usleep(1000);
    }
    pthread_mutex_lock(&m);
    flag = 1;
    pthread_cond_broadcast(&go);
    pthread_mutex_unlock(&m);
    for (int i = 0; i < 5; i++) pthread_join(w[i], NULL);
    EXPECT_EQ(released, 5);

    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += 50 * 1000000;
    if (dl.tv_nsec >= 1000000000) dl.tv_sec++, dl.tv_nsec -= 1000000000;
    pthread_cond_t never = PTHREAD_COND_INITIALIZER;
    pthread_mutex_lock(&m);
    EXPECT_EQ(pthread_cond_timedwait(&never, &m, &dl), ETIMEDOUT);
    EXPECT_EQ(pthread_mutex_trylock(&m), EBUSY); /* held again by us */
    pthread_mutex_unlock(&m);
    return t_done();
}
