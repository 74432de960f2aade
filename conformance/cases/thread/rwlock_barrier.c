// syscalls: futex, clone
/* Read-write locks and barriers. Writers keep two counters equal under the write lock and
 * readers never see them differ; two readers hold the read lock at the same time; a held write
 * lock makes tryrdlock and trywrlock EBUSY, a held read lock makes trywrlock EBUSY. A barrier
 * of 6 threads over 100 rounds: no thread passes before all arrive, and each round has
 * exactly one PTHREAD_BARRIER_SERIAL_THREAD. */
#include "harness.h"
#include <pthread.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static volatile long a, b;
static volatile int stop_readers;
static int torn;

static void *writer(void *arg) {
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        pthread_rwlock_wrlock(&rw);
        a++;
        if ((i & 63) == 0) sched_yield();
        b++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}
static void *reader(void *arg) {
    (void)arg;
    /* glibc's default rwlock prefers readers, so readers that never pause can starve the
     * writers for as long as they like: a bounded number of reads, with a yield now and then,
     * keeps the case finite on a busy 2-CPU machine. */
    for (int i = 0; i < 200000 && !stop_readers; i++) {
        pthread_rwlock_rdlock(&rw);
        if (a != b) __atomic_fetch_add(&torn, 1, __ATOMIC_SEQ_CST);
        pthread_rwlock_unlock(&rw);
        if ((i & 15) == 0) sched_yield();
    }
    return NULL;
}

static volatile int readers_in;
static void *shared_reader(void *arg) {
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    __atomic_fetch_add(&readers_in, 1, __ATOMIC_SEQ_CST);
    /* Hold the lock until the other reader is inside too. */
    for (int k = 0; k < 5000 && readers_in < 2; k++) usleep(1000);
    pthread_rwlock_unlock(&rw);
    return NULL;
}
static int try_rd, try_wr;
static void *trier(void *arg) {
    (void)arg;
    try_rd = pthread_rwlock_tryrdlock(&rw);
    if (try_rd == 0) pthread_rwlock_unlock(&rw);
    try_wr = pthread_rwlock_trywrlock(&rw);
    if (try_wr == 0) pthread_rwlock_unlock(&rw);
    return NULL;
}
static void try_from_other_thread(void) {
    pthread_t t;
    pthread_create(&t, NULL, trier, NULL);
    pthread_join(t, NULL);
}

#define BT 6
#define ROUNDS 100
static pthread_barrier_t bar;
static int arrived[ROUNDS], serials[ROUNDS], early;
static void *barrier_thread(void *arg) {
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        __atomic_fetch_add(&arrived[r], 1, __ATOMIC_SEQ_CST);
        int rc = pthread_barrier_wait(&bar);
        if (__atomic_load_n(&arrived[r], __ATOMIC_SEQ_CST) != BT)
            __atomic_fetch_add(&early, 1, __ATOMIC_SEQ_CST);
        if (rc == PTHREAD_BARRIER_SERIAL_THREAD) __atomic_fetch_add(&serials[r], 1, __ATOMIC_SEQ_CST);
        else if (rc != 0) __atomic_fetch_add(&early, 1000, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

int main(void) {
    alarm(20);
    pthread_t w[2], r[3];
    for (int i = 0; i < 3; i++) pthread_create(&r[i], NULL, reader, NULL);
    for (int i = 0; i < 2; i++) pthread_create(&w[i], NULL, writer, NULL);
    for (int i = 0; i < 2; i++) pthread_join(w[i], NULL);
    stop_readers = 1;
    for (int i = 0; i < 3; i++) pthread_join(r[i], NULL);
    EXPECT_EQ(a, 10000);
    EXPECT_EQ(b, 10000);
    EXPECT_EQ(torn, 0);

    pthread_t s[2];
    for (int i = 0; i < 2; i++) pthread_create(&s[i], NULL, shared_reader, NULL);
    for (int i = 0; i < 2; i++) pthread_join(s[i], NULL);
    EXPECT_EQ(readers_in, 2);

    EXPECT_EQ(pthread_rwlock_wrlock(&rw), 0);
    try_from_other_thread();
    EXPECT_EQ(try_rd, EBUSY);
    EXPECT_EQ(try_wr, EBUSY);
    EXPECT_EQ(pthread_rwlock_unlock(&rw), 0);
    EXPECT_EQ(pthread_rwlock_rdlock(&rw), 0);
    try_from_other_thread();
    EXPECT_EQ(try_rd, 0);
    EXPECT_EQ(try_wr, EBUSY);
    EXPECT_EQ(pthread_rwlock_unlock(&rw), 0);

    EXPECT_EQ(pthread_barrier_init(&bar, NULL, BT), 0);
    pthread_t bt[BT];
    for (int i = 0; i < BT; i++) pthread_create(&bt[i], NULL, barrier_thread, NULL);
    for (int i = 0; i < BT; i++) pthread_join(bt[i], NULL);
    EXPECT_EQ(early, 0);
    int one_serial = 1;
    for (int i = 0; i < ROUNDS; i++) one_serial &= serials[i] == 1;
    CHECK(one_serial);
    EXPECT_EQ(pthread_barrier_destroy(&bar), 0);
    return t_done();
}
