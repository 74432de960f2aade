// syscalls: futex, clone
/* FUTEX_WAKE_BITSET wakes only waiters whose FUTEX_WAIT_BITSET mask shares a bit with the
 * wake's mask; a plain FUTEX_WAIT waits with every bit set, and a plain FUTEX_WAKE wakes
 * every mask. */
#include "harness.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128

static uint32_t word;
static int ready;
static volatile int woke[4];
/* Waiter i waits with mask masks[i]; mask 0 here means a plain FUTEX_WAIT. */
static const uint32_t masks[4] = {1, 2, 4, 0};

static void *waiter(void *arg) {
    int i = (int)(long)arg;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    long r = masks[i] ? syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0,
                                NULL, NULL, masks[i])
                      : syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0);
    woke[i] = r == 0 ? 1 : -1;
    return NULL;
}

static long wake_bits(uint32_t bits) {
    long r = syscall(SYS_futex, &word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, INT_MAX, NULL,
                     NULL, bits);
    usleep(50000);
    return r;
}
static void show(void) { SAY("woken: %d %d %d %d", woke[0], woke[1], woke[2], woke[3]); }

int main(void) {
    alarm(10);
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, waiter, (void *)i);
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 4) usleep(1000);
    usleep(100000);
    EXPECT_EQ(wake_bits(8), 1); /* only the plain waiter */
    show();
    EXPECT_EQ(wake_bits(8), 0);
    EXPECT_EQ(wake_bits(2), 1);
    show();
    EXPECT_EQ(wake_bits(0xfffffff8u), 0);
    EXPECT_EQ(syscall(SYS_futex, &word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0), 2);
    usleep(50000);
    show();
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    return t_done();
}
