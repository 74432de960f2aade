// syscalls: futex, clone
/* Priority-inheritance futexes: FUTEX_LOCK_PI on a free word (0) takes it (the word becomes
 * the caller's tid) without sleeping; FUTEX_UNLOCK_PI frees it; locking it again as its owner
 * is EDEADLK, unlocking it as a non-owner is EPERM, FUTEX_TRYLOCK_PI on a word another thread
 * owns is EAGAIN. A contended FUTEX_LOCK_PI sleeps until the owner's FUTEX_UNLOCK_PI hands the
 * lock over: the word then names the new owner. */
#include "harness.h"
#include <pthread.h>
#include <stdint.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_TID_MASK 0x3fffffffu

static uint32_t word;
static volatile int phase;
static long t_unlock_foreign, t_trylock, t_lock;
static pid_t t_tid;

static long pi(int op) { return syscall(SYS_futex, &word, op | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0); }

static void *other(void *arg) {
    (void)arg;
    t_tid = syscall(SYS_gettid);
    t_unlock_foreign = pi(FUTEX_UNLOCK_PI) == 0 ? 0 : errno;
    t_trylock = pi(FUTEX_TRYLOCK_PI) == 0 ? 0 : errno;
    phase = 1;
    /* Blocks until main unlocks. */
    t_lock = pi(FUTEX_LOCK_PI) == 0 ? 0 : errno;
    phase = 2;
    usleep(50000);
    pi(FUTEX_UNLOCK_PI);
    return NULL;
}

int main(void) {
    alarm(10);
    pid_t me = syscall(SYS_gettid);
    EXPECT_OK(pi(FUTEX_LOCK_PI));
    EXPECT_EQ((word & FUTEX_TID_MASK) == (uint32_t)me, 1);
    EXPECT_ERR(pi(FUTEX_LOCK_PI), EDEADLK);
    EXPECT_OK(pi(FUTEX_UNLOCK_PI));
    EXPECT_EQ(word, 0);
    EXPECT_OK(pi(FUTEX_TRYLOCK_PI));
    EXPECT_EQ(word == (uint32_t)me, 1);

    pthread_t t;
    pthread_create(&t, NULL, other, NULL);
    while (phase < 1) usleep(1000);
    usleep(100000); /* the thread is now blocked in FUTEX_LOCK_PI */
    EXPECT_EQ(t_unlock_foreign, EPERM);
    EXPECT_EQ(t_trylock, EAGAIN);
    EXPECT_EQ(phase, 1);
    EXPECT_OK(pi(FUTEX_UNLOCK_PI));
    while (phase < 2) usleep(1000);
    EXPECT_EQ(t_lock, 0);
    EXPECT_EQ((word & FUTEX_TID_MASK) == (uint32_t)t_tid, 1);
    pthread_join(t, NULL);
    EXPECT_EQ(word, 0);
    return t_done();
}
