// syscalls: futex, clone
/* FUTEX_WAKE wakes at most the given number of waiters and returns how many it woke: 2 of 5,
 * then a count of 0 still wakes one (Linux treats it as 1), then "all" wakes the remaining
 * 2; a further wake finds nobody. The woken waiters' FUTEX_WAIT returns 0. */
#include "harness.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128

#define N 5
static uint32_t word;
static int ready, woken, bad;

static long futex(uint32_t *w, int op, uint32_t val) {
    return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

static void *waiter(void *arg) {
    (void)arg;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    long r = futex(&word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0);
    if (r != 0) __atomic_fetch_add(&bad, 1, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&woken, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* Waits until every started waiter is (very likely) asleep in the kernel. */
static void park(int n) {
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < n) usleep(1000);
    usleep(100000);
}
static void settle(int n) {
    for (int k = 0; k < 5000 && __atomic_load_n(&woken, __ATOMIC_SEQ_CST) < n; k++) usleep(1000);
    usleep(20000);
}

int main(void) {
    alarm(10);
    pthread_t t[N];
    for (int i = 0; i < N; i++) pthread_create(&t[i], NULL, waiter, NULL);
    park(N);
    EXPECT_EQ(woken, 0);
    EXPECT_EQ(futex(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 2), 2);
    settle(2);
    EXPECT_EQ(woken, 2);
    EXPECT_EQ(futex(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 0), 1);
    settle(3);
    EXPECT_EQ(woken, 3);
    EXPECT_EQ(futex(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX), 2);
    settle(5);
    EXPECT_EQ(woken, 5);
    EXPECT_EQ(futex(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX), 0);
    for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
    EXPECT_EQ(bad, 0);
    return t_done();
}
