// syscalls: futex, clone
/* FUTEX_CMP_REQUEUE is FUTEX_REQUEUE that first checks the first word against val3: a
 * mismatch is EAGAIN and nobody is woken or moved; a match returns woken + requeued. Moving
 * "all" leaves the first word without waiters. Negative counts are EINVAL. */
#include "harness.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_PRIVATE_FLAG 128

#define N 4
static uint32_t a = 5, b;
static int ready, woken;

static void *waiter(void *arg) {
    (void)arg;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    if (syscall(SYS_futex, &a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 5, NULL, NULL, 0) == 0)
        __atomic_fetch_add(&woken, 1, __ATOMIC_SEQ_CST);
    return NULL;
}
static long cmp_requeue(int nr_wake, long nr_requeue, uint32_t expect) {
    long r = syscall(SYS_futex, &a, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, nr_wake,
                     (void *)nr_requeue, &b, expect);
    usleep(50000);
    return r;
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
    EXPECT_ERR(cmp_requeue(1, INT_MAX, 6), EAGAIN);
    EXPECT_EQ(woken, 0);
    EXPECT_EQ(wake(&b), 0);
    /* The moved waiters wait on b now; a's value does not matter to them any more. */
    EXPECT_EQ(cmp_requeue(1, 1, 5), 2);
    EXPECT_EQ(woken, 1);
    EXPECT_EQ(cmp_requeue(0, INT_MAX, 5), 2);
    EXPECT_EQ(woken, 1);
    EXPECT_EQ(wake(&a), 0);
    a = 6;
    EXPECT_EQ(wake(&b), 3);
    EXPECT_EQ(woken, 4);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    /* Negative counts (checked with nobody waiting, so a wrong success wakes no one). */
    a = 5;
    EXPECT_ERR(cmp_requeue(-1, 1, 5), EINVAL);
    EXPECT_ERR(cmp_requeue(1, -1, 5), EINVAL);
    return t_done();
}
