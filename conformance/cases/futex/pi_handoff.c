// syscalls: futex, gettid, clock_gettime
/* Priority-inheritance futexes, the ownership protocol: LOCK_PI/TRYLOCK_PI take a free word
 * (it becomes the caller's tid), UNLOCK_PI hands the lock straight to a waiter (its tid with
 * FUTEX_WAITERS), errors EDEADLK/EPERM/EAGAIN/ETIMEDOUT/ESRCH, an owner that exits holding
 * the lock leaves it to a waiter marked FUTEX_OWNER_DIED, and PTHREAD_PRIO_INHERIT mutexes
 * keep a shared counter exact. Only comparisons are printed (tids vary). */
#include "harness.h"
#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* From <linux/futex.h>, which musl's toolchain lacks. */
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

static uint32_t word;
static volatile int stage;

static long fx(int op, const struct timespec *ts) {
    return syscall(SYS_futex, &word, op, 0, ts, NULL, 0);
}

static uint32_t tid(void) { return (uint32_t)syscall(SYS_gettid); }

static void *contender(void *arg) {
    uint32_t *got = arg;
    stage = 1;
    long r = fx(FUTEX_LOCK_PI, NULL);
    *got = r == 0 ? word : 0xffffffffu;
    uint32_t me = tid();
    got[1] = (word & FUTEX_TID_MASK) == me;
    got[2] = fx(FUTEX_UNLOCK_PI, NULL) == 0;
    return NULL;
}

static void *wrong_unlocker(void *arg) {
    (void)arg;
    long r = fx(FUTEX_UNLOCK_PI, NULL);
    return (void *)(intptr_t)(r < 0 ? errno : 0);
}

static void *dies_holding(void *arg) {
    (void)arg;
    fx(FUTEX_LOCK_PI, NULL);
    stage = 2;
    struct timespec d = {0, 100 * 1000000L};
    nanosleep(&d, NULL);
    return NULL; /* exits still owning the lock */
}

static pthread_mutex_t pim;
static long counter;

static void *bump(void *arg) {
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&pim);
        counter++;
        pthread_mutex_unlock(&pim);
    }
    return NULL;
}

int main(void) {
    syscall(SYS_alarm, 10);
    uint32_t me = tid();
    EXPECT_EQ(fx(FUTEX_TRYLOCK_PI, NULL), 0);
    SAY("word is our tid: %s", word == me ? "yes" : "no");
    EXPECT_ERR(fx(FUTEX_LOCK_PI, NULL), EDEADLK);
    EXPECT_ERR(fx(FUTEX_TRYLOCK_PI, NULL), EDEADLK);
    pthread_t t;
    void *res;
    pthread_create(&t, NULL, wrong_unlocker, NULL);
    pthread_join(t, &res);
    SAY("UNLOCK_PI by a non-owner: %s", t_errname((int)(intptr_t)res));

    /* A waiter gets the lock handed over with FUTEX_WAITERS. */
    uint32_t got[3] = {0};
    pthread_create(&t, NULL, contender, got);
    while (!stage) {
    }
    struct timespec d = {0, 100 * 1000000L};
    nanosleep(&d, NULL);
    SAY("FUTEX_WAITERS set while it waits: %s", word & FUTEX_WAITERS ? "yes" : "no");
    EXPECT_EQ(fx(FUTEX_UNLOCK_PI, NULL), 0);
    pthread_join(t, NULL);
    SAY("handed over: owner is the waiter %s, waiters bit %s, it unlocked %s",
        got[1] ? "yes" : "no", got[0] & FUTEX_WAITERS ? "set" : "clear", got[2] ? "yes" : "no");
    SAY("word after the last unlock: %u", word);
    EXPECT_ERR(fx(FUTEX_UNLOCK_PI, NULL), EPERM);

    /* Held by another: TRYLOCK is EAGAIN, a timed LOCK times out. */
    word = 0;
    stage = 0;
    pthread_create(&t, NULL, dies_holding, NULL);
    while (stage != 2) {
    }
    EXPECT_ERR(fx(FUTEX_TRYLOCK_PI, NULL), EAGAIN);
    struct timespec abs;
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_nsec += 20 * 1000000L;
    if (abs.tv_nsec >= 1000000000L) abs.tv_sec++, abs.tv_nsec -= 1000000000L;
    EXPECT_ERR(fx(FUTEX_LOCK_PI, &abs), ETIMEDOUT);
    /* The owner exits holding it: we get it, marked FUTEX_OWNER_DIED. */
    EXPECT_EQ(fx(FUTEX_LOCK_PI, NULL), 0);
    pthread_join(t, NULL);
    SAY("after the owner died: ours %s, FUTEX_OWNER_DIED %s",
        (word & FUTEX_TID_MASK) == me ? "yes" : "no", word & FUTEX_OWNER_DIED ? "set" : "clear");
    EXPECT_EQ(fx(FUTEX_UNLOCK_PI, NULL), 0);

    /* A tid that names no thread. */
    word = 0x3ffffff0u;
    EXPECT_ERR(fx(FUTEX_LOCK_PI, NULL), ESRCH);
    word = 0;

    /* PTHREAD_PRIO_INHERIT mutexes under contention. */
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    EXPECT_EQ(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT), 0);
    EXPECT_EQ(pthread_mutex_init(&pim, &a), 0);
    pthread_t ts[4];
    for (int i = 0; i < 4; i++) pthread_create(&ts[i], NULL, bump, NULL);
    for (int i = 0; i < 4; i++) pthread_join(ts[i], NULL);
    SAY("counter = %ld", counter);
    return t_done();
}
