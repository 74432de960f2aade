// syscalls: futex, clone
/* FUTEX_WAKE_OP: atomically applies an operation to the second word (SET, ADD, OR, ANDN, XOR,
 * each also with FUTEX_OP_OPARG_SHIFT), wakes up to nr_wake waiters of the first word, and
 * wakes up to nr_wake2 waiters of the second word when the comparison of the word's OLD value
 * with cmparg (EQ, NE, LT, LE, GT, GE; 12-bit signed operands) holds; it returns the number
 * woken in all. An unknown op is ENOSYS with the word untouched; an unknown comparison is
 * ENOSYS after the op was applied. */
#include "harness.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAKE_OP 5
#define FUTEX_PRIVATE_FLAG 128
#define OP_SET 0
#define OP_ADD 1
#define OP_OR 2
#define OP_ANDN 3
#define OP_XOR 4
#define OP_OPARG_SHIFT 8
#define CMP_EQ 0
#define CMP_NE 1
#define CMP_LT 2
#define CMP_LE 3
#define CMP_GT 4
#define CMP_GE 5
#define FUTEX_OP(op, oparg, cmp, cmparg) \
    ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | ((cmparg) & 0xfff))

static uint32_t w1, w2;
static int ready, woken;

static void *waiter(void *arg) {
    uint32_t *w = arg;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    /* The value waited for is whatever the word holds now. */
    syscall(SYS_futex, w, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, *w, NULL, NULL, 0);
    __atomic_fetch_add(&woken, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static long wake_op(int nr1, int nr2, uint32_t op) {
    return syscall(SYS_futex, &w1, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, nr1, (void *)(long)nr2,
                   &w2, op);
}

/* Applies op to w2 starting from `from` with no waiters: prints the new value. */
static void op_value(const char *name, uint32_t from, uint32_t op) {
    w2 = from;
    long r = wake_op(1, 1, op);
    SAY("%-22s 0x%08x -> 0x%08x (returned %ld)", name, from, w2, r);
}

#define NW 14
int main(void) {
    alarm(20);
    op_value("SET 5", 0x1234, FUTEX_OP(OP_SET, 5, CMP_EQ, 0));
    op_value("SET -1 (sign-extended)", 0x1234, FUTEX_OP(OP_SET, 0xfff, CMP_EQ, 0));
    op_value("ADD 7", 10, FUTEX_OP(OP_ADD, 7, CMP_EQ, 0));
    op_value("ADD -3", 10, FUTEX_OP(OP_ADD, -3, CMP_EQ, 0));
    op_value("OR 0x0f0", 0x101, FUTEX_OP(OP_OR, 0xf0, CMP_EQ, 0));
    op_value("ANDN 0x00f", 0xff, FUTEX_OP(OP_ANDN, 0xf, CMP_EQ, 0));
    op_value("XOR 0x5a5", 0xfff, FUTEX_OP(OP_XOR, 0x5a5, CMP_EQ, 0));
    op_value("SET 1<<20", 0, FUTEX_OP(OP_SET | OP_OPARG_SHIFT, 20, CMP_EQ, 0));
    op_value("ADD 1<<4", 1, FUTEX_OP(OP_ADD | OP_OPARG_SHIFT, 4, CMP_EQ, 0));
    op_value("OR 1<<31", 1, FUTEX_OP(OP_OR | OP_OPARG_SHIFT, 31, CMP_EQ, 0));
    op_value("ANDN 1<<0", 3, FUTEX_OP(OP_ANDN | OP_OPARG_SHIFT, 0, CMP_EQ, 0));
    op_value("XOR 1<<8", 0x100, FUTEX_OP(OP_XOR | OP_OPARG_SHIFT, 8, CMP_EQ, 0));

    w2 = 9;
    EXPECT_ERR(wake_op(1, 1, FUTEX_OP(5, 1, CMP_EQ, 0)), ENOSYS);
    EXPECT_EQ(w2, 9);
    EXPECT_ERR(wake_op(1, 1, FUTEX_OP(OP_SET, 1, 6, 0)), ENOSYS);
    EXPECT_EQ(w2, 1);
    EXPECT_ERR(syscall(SYS_futex, &w1, FUTEX_WAKE_OP, 1, (void *)1, (void *)8, 0), EFAULT);

    /* Comparisons: NW waiters sleep on w2; each WAKE_OP may wake one of them. */
    pthread_t t[NW];
    for (int i = 0; i < NW; i++) pthread_create(&t[i], NULL, waiter, &w2);
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < NW) usleep(1000);
    usleep(150000);
    struct { const char *name; uint32_t old; uint32_t op; } c[] = {
        {"5 EQ 5", 5, FUTEX_OP(OP_ADD, 0, CMP_EQ, 5)},
        {"5 EQ 6", 5, FUTEX_OP(OP_ADD, 0, CMP_EQ, 6)},
        {"5 NE 6", 5, FUTEX_OP(OP_ADD, 0, CMP_NE, 6)},
        {"5 NE 5", 5, FUTEX_OP(OP_ADD, 0, CMP_NE, 5)},
        {"5 LT 6", 5, FUTEX_OP(OP_ADD, 0, CMP_LT, 6)},
        {"5 LT 5", 5, FUTEX_OP(OP_ADD, 0, CMP_LT, 5)},
        {"5 LE 5", 5, FUTEX_OP(OP_ADD, 0, CMP_LE, 5)},
        {"5 LE 4", 5, FUTEX_OP(OP_ADD, 0, CMP_LE, 4)},
        {"5 GT 4", 5, FUTEX_OP(OP_ADD, 0, CMP_GT, 4)},
        {"5 GT 5", 5, FUTEX_OP(OP_ADD, 0, CMP_GT, 5)},
        {"5 GE 5", 5, FUTEX_OP(OP_ADD, 0, CMP_GE, 5)},
        {"5 GE 6", 5, FUTEX_OP(OP_ADD, 0, CMP_GE, 6)},
        {"-1 LT 0 (signed)", 0xffffffffu, FUTEX_OP(OP_ADD, 0, CMP_LT, 0)},
        {"old value, not new", 1, FUTEX_OP(OP_SET, 2, CMP_EQ, 1)},
    };
    int trues = 0;
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        w2 = c[i].old;
        long r = wake_op(1, 1, c[i].op);
        SAY("%-18s -> woke %ld", c[i].name, r);
        if (r == 1) trues++;
    }
    usleep(50000);
    EXPECT_EQ(woken, trues);
    /* nr_wake waiters of w1 are woken whatever the comparison says. */
    ready = 0;
    pthread_t t1;
    pthread_create(&t1, NULL, waiter, &w1);
    while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) < 1) usleep(1000);
    usleep(100000);
    w2 = 0;
    EXPECT_EQ(wake_op(1, 1, FUTEX_OP(OP_SET, 0, CMP_EQ, 1)), 1);
    EXPECT_EQ(wake_op(1, INT_MAX, FUTEX_OP(OP_SET, 0, CMP_EQ, 0)), NW - trues);
    pthread_join(t1, NULL);
    for (int i = 0; i < NW; i++) pthread_join(t[i], NULL);
    EXPECT_EQ(woken, NW + 1);
    return t_done();
}
