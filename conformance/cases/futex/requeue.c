// syscalls: futex, clone
/* FUTEX_REQUEUE wakes up to nr_wake waiters of the first word and moves up to nr_requeue of
 * the rest to the second word, returning the woken plus the moved; the moved ones are then
 * woken by a wake on the second word, and the first word keeps the rest. Negative counts are
 * EINVAL. */
#include "harness.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_PRIVATE_FLAG 128

#define N 5
static uint32_t a, b;
static int ready, woken;

static void *waiter(void *arg) {
    (void)arg;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    if (syscall(SYS_futex, &a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0) == 0)
        __atomic_fetch_add(&woken, 1, __ATOMIC_SEQ_CST);
    return NULL;
}
static long wake(uint32_t *w) {
    long r = syscall(SYS_futex, w, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
    usleep(50000);
    return r;
}

int main(void) {
    alarm(10);
    pthread_t t[N];
    for (int i = 0; i < N; i++) pthread_create(&t[i], NULL, waiter, NULL);
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < N) usleep(1000);
    usleep(100000);
    /* Wake 1, move 2 (the nr_requeue count travels in the timeout argument). */
    EXPECT_EQ(syscall(SYS_futex, &a, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 1, (void *)2, &b, 0), 3);
    usleep(50000);
    EXPECT_EQ(woken, 1);
    EXPECT_EQ(wake(&b), 2);
    EXPECT_EQ(woken, 3);
    /* Move nothing, wake nothing. */
    EXPECT_EQ(syscall(SYS_futex, &a, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 0, (void *)0, &b, 0), 0);
    EXPECT_EQ(wake(&a), 2);
    EXPECT_EQ(woken, 5);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    /* Negative counts (checked with nobody waiting, so a wrong success wakes no one). */
    EXPECT_ERR(syscall(SYS_futex, &a, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, -1, (void *)1, &b, 0),
               EINVAL);
    EXPECT_ERR(syscall(SYS_futex, &a, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 1, (void *)-1L, &b, 0),
               EINVAL);
    return t_done();
}
