// syscalls: futex_waitv, futex_wake, futex, clock_gettime, mmap, munmap, clone
/* futex_waitv sleeps on up to 128 futexes at once and returns the index of the one that was
 * woken; a word that differs from its expected value is EAGAIN (checked in order, but every
 * futex's address is checked first: a misaligned one is EINVAL and an unmapped shared one
 * EFAULT even after a differing word, while an unmapped private one is EFAULT only when its
 * turn comes). Its timeout is absolute on CLOCK_MONOTONIC or CLOCK_REALTIME (the clock is
 * ignored without a timeout). The call's flags must be 0, each element's flags must say
 * 32 bits and its reserved word 0. Wakes by futex_wake or by the classic FUTEX_WAKE reach
 * its entries (private ones only by private wakes), a woken waiter leaves every queue, and
 * FUTEX_CMP_REQUEUE can move one of its entries to another futex. */
#include "harness.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

/* Neither libc has these in every version. */
#define NR_futex_waitv 449
#define NR_futex_wake 454
#define FUTEX_WAKE 1
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX2_SIZE_U8 0x00
#define FUTEX2_SIZE_U16 0x01
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_SIZE_U64 0x03
#define FUTEX2_PRIVATE 128
#define FUTEX_WAITV_MAX 128

struct futex_waitv {
    uint64_t val;
    uint64_t uaddr;
    uint32_t flags;
    uint32_t reserved;
};

static long waitv(struct futex_waitv *v, unsigned n, unsigned flags, struct timespec *ts,
                  int clk) {
    return syscall(NR_futex_waitv, v, n, flags, ts, clk);
}
static long wake2(uint32_t *w, int nr, unsigned flags) {
    return syscall(NR_futex_wake, w, 0xffffffffUL, nr, flags);
}
static struct futex_waitv entry(uint32_t *w, uint32_t val, uint32_t flags) {
    return (struct futex_waitv){.val = val, .uaddr = (uintptr_t)w, .flags = flags};
}
static struct timespec in_ms(clockid_t c, long ms) {
    struct timespec t;
    clock_gettime(c, &t);
    t.tv_nsec += ms * 1000000;
    while (t.tv_nsec >= 1000000000) t.tv_sec++, t.tv_nsec -= 1000000000;
    return t;
}
static int reached(clockid_t c, const struct timespec *dl) {
    struct timespec n;
    clock_gettime(c, &n);
    return n.tv_sec > dl->tv_sec || (n.tv_sec == dl->tv_sec && n.tv_nsec >= dl->tv_nsec);
}

#define P (FUTEX2_SIZE_U32 | FUTEX2_PRIVATE)
static uint32_t a, b, c;

/* A thread sleeping in futex_waitv on the given entries; its result is the index or -errno. */
struct sleeper {
    pthread_t t;
    struct futex_waitv v[3];
    unsigned n;
    long result;
};
static void *sleeper_main(void *arg) {
    struct sleeper *s = arg;
    struct timespec dl = in_ms(CLOCK_MONOTONIC, 5000);
    long r = waitv(s->v, s->n, 0, &dl, CLOCK_MONOTONIC);
    s->result = r >= 0 ? r : -errno;
    return NULL;
}
static void start(struct sleeper *s) { pthread_create(&s->t, NULL, sleeper_main, s); }
static long finish(struct sleeper *s) {
    pthread_join(s->t, NULL);
    return s->result;
}
/* Wakes one sleeper of w with `op` (classic FUTEX_WAKE flags, or -1 for futex_wake with
 * `flags2`), retrying until the sleeper has gone to sleep; returns what the wake returned. */
static long wake_one(uint32_t *w, int op, unsigned flags2) {
    for (int i = 0; i < 5000; i++) {
        long r = op < 0 ? wake2(w, 1, flags2) : syscall(SYS_futex, w, op, 1, NULL, NULL, 0);
        if (r != 0) return r;
        usleep(1000);
    }
    return 0;
}

int main(void) {
    alarm(20);
    struct futex_waitv v[FUTEX_WAITV_MAX + 1];
    struct timespec zero = {0, 0};

    /* Argument checks. */
    v[0] = entry(&a, 0, P);
    v[1] = entry(&b, 0, P);
    EXPECT_ERR(waitv(v, 2, 1, &zero, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(waitv(v, 0, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    for (int i = 0; i <= FUTEX_WAITV_MAX; i++) v[i] = entry(&a, 0, P);
    EXPECT_ERR(waitv(v, FUTEX_WAITV_MAX + 1, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(waitv(v, FUTEX_WAITV_MAX, 0, &zero, CLOCK_MONOTONIC), ETIMEDOUT);
    EXPECT_ERR(waitv(NULL, 1, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(waitv((void *)8, 1, 0, &zero, CLOCK_MONOTONIC), EFAULT);
    EXPECT_ERR(waitv(v, 2, 0, &zero, CLOCK_BOOTTIME), EINVAL);
    EXPECT_ERR(waitv(v, 2, 0, (void *)8, CLOCK_MONOTONIC), EFAULT);
    struct timespec bad_ns = {0, 1000000000}, neg = {-1, 0};
    EXPECT_ERR(waitv(v, 2, 0, &bad_ns, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(waitv(v, 2, 0, &neg, CLOCK_REALTIME), EINVAL);
    /* Without a timeout the clock is not looked at. */
    v[1] = entry(&b, 1, P);
    EXPECT_ERR(waitv(v, 2, 0, NULL, 12345), EAGAIN);

    /* Element checks. */
    uint32_t sizes[] = {FUTEX2_SIZE_U8, FUTEX2_SIZE_U16, FUTEX2_SIZE_U64};
    for (int i = 0; i < 3; i++) {
        v[1] = entry(&b, 0, sizes[i] | FUTEX2_PRIVATE);
        EXPECT_ERR(waitv(v, 2, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    }
    v[1] = entry(&b, 0, P | 0x10);
    EXPECT_ERR(waitv(v, 2, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    v[1] = entry(&b, 0, P);
    v[1].reserved = 1;
    EXPECT_ERR(waitv(v, 2, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    v[1] = entry(&b, 0, P);
    v[1].val = 1ULL << 32;
    EXPECT_ERR(waitv(v, 2, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    v[1] = entry((uint32_t *)((char *)&b + 2), 0, P);
    EXPECT_ERR(waitv(v, 2, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    /* The whole array is read before anything else: a bad element after a differing word. */
    v[0] = entry(&a, 1, P);
    v[1] = entry(&b, 0, FUTEX2_SIZE_U64);
    EXPECT_ERR(waitv(v, 2, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    /* An array running into an unmapped page. */
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    struct futex_waitv *edge = (struct futex_waitv *)(page + 4096) - 1;
    *edge = entry(&a, 0, P);
    EXPECT_ERR(waitv(edge, 1, 0, &zero, CLOCK_MONOTONIC), ETIMEDOUT);
    EXPECT_ERR(waitv(edge, 2, 0, &zero, CLOCK_MONOTONIC), EFAULT);

    /* Words: EAGAIN at whichever index differs, EFAULT for unmapped ones. */
    uint32_t *gone = (uint32_t *)(page + 4096);
    v[0] = entry(&a, 0, P);
    v[1] = entry(&b, 0, P);
    v[2] = entry(&c, 7, P);
    EXPECT_ERR(waitv(v, 3, 0, &zero, CLOCK_MONOTONIC), EAGAIN);
    EXPECT_ERR(waitv(v, 2, 0, &zero, CLOCK_MONOTONIC), ETIMEDOUT);
    v[2] = entry(gone, 0, P);
    EXPECT_ERR(waitv(v, 3, 0, &zero, CLOCK_MONOTONIC), EFAULT);
    v[2] = entry(gone, 0, FUTEX2_SIZE_U32);
    EXPECT_ERR(waitv(v, 3, 0, &zero, CLOCK_MONOTONIC), EFAULT);
    v[0] = entry(&a, 1, P);
    EXPECT_ERR(waitv(v, 3, 0, &zero, CLOCK_MONOTONIC), EFAULT);
    v[2] = entry(gone, 0, P);
    EXPECT_ERR(waitv(v, 3, 0, &zero, CLOCK_MONOTONIC), EAGAIN);
    v[2] = entry((uint32_t *)((char *)&c + 1), 0, P);
    EXPECT_ERR(waitv(v, 3, 0, &zero, CLOCK_MONOTONIC), EINVAL);
    /* A differing word wins over a deadline that has passed. */
    v[2] = entry(&c, 0, P);
    EXPECT_ERR(waitv(v, 3, 0, &zero, CLOCK_REALTIME), EAGAIN);

    /* Timeouts: absolute, on the clock named. */
    v[0] = entry(&a, 0, P);
    v[1] = entry(&b, 0, FUTEX2_SIZE_U32);
    struct timespec dl = in_ms(CLOCK_MONOTONIC, 50);
    EXPECT_ERR(waitv(v, 2, 0, &dl, CLOCK_MONOTONIC), ETIMEDOUT);
    CHECK(reached(CLOCK_MONOTONIC, &dl));
    dl = in_ms(CLOCK_REALTIME, 50);
    EXPECT_ERR(waitv(v, 2, 0, &dl, CLOCK_REALTIME), ETIMEDOUT);
    CHECK(reached(CLOCK_REALTIME, &dl));
    /* A realtime deadline taken as monotonic would be decades away: this must not hang. */
    dl = in_ms(CLOCK_REALTIME, 0);
    EXPECT_ERR(waitv(v, 2, 0, &dl, CLOCK_REALTIME), ETIMEDOUT);

    /* Wakes from another thread, by index. */
    struct sleeper s = {.v = {entry(&a, 0, P), entry(&b, 0, P), entry(&c, 0, P)}, .n = 3};
    start(&s);
    EXPECT_EQ(wake_one(&b, -1, P), 1);
    EXPECT_EQ(finish(&s), 1);
    /* It left the other queues. */
    EXPECT_EQ(wake2(&a, INT_MAX, P), 0);
    EXPECT_EQ(wake2(&c, INT_MAX, P), 0);
    start(&s);
    EXPECT_EQ(wake_one(&c, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 0), 1);
    EXPECT_EQ(finish(&s), 2);
    start(&s);
    EXPECT_EQ(wake_one(&a, -1, P), 1);
    EXPECT_EQ(finish(&s), 0);

    /* Shared and private entries answer only to wakes of their own kind. */
    struct sleeper m = {.v = {entry(&a, 0, FUTEX2_SIZE_U32), entry(&b, 0, P)}, .n = 2};
    start(&m);
    usleep(100000);
    EXPECT_EQ(wake2(&a, 1, P), 0);
    EXPECT_EQ(syscall(SYS_futex, &b, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
    EXPECT_EQ(wake_one(&a, FUTEX_WAKE, 0), 1);
    EXPECT_EQ(finish(&m), 0);
    start(&m);
    EXPECT_EQ(wake_one(&b, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 0), 1);
    EXPECT_EQ(finish(&m), 1);

    /* Two sleepers on the same pair: one wake each. */
    struct sleeper s1 = {.v = {entry(&a, 0, P), entry(&b, 0, P)}, .n = 2};
    struct sleeper s2 = s1;
    start(&s1);
    usleep(100000);
    start(&s2);
    usleep(100000);
    EXPECT_EQ(wake2(&a, 1, P), 1);
    EXPECT_EQ(finish(&s1), 0);
    EXPECT_EQ(wake2(&b, 1, P), 1);
    EXPECT_EQ(finish(&s2), 1);

    /* A classic requeue moves one entry; a wake of the new futex reports the old index. */
    struct sleeper r = {.v = {entry(&a, 0, P), entry(&b, 0, P)}, .n = 2};
    start(&r);
    long moved = 0;
    for (int i = 0; i < 5000 && moved == 0; i++) {
        moved = syscall(SYS_futex, &b, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 0, (void *)1, &c, 0);
        if (moved == 0) usleep(1000);
    }
    EXPECT_EQ(moved, 1);
    EXPECT_EQ(wake2(&b, 1, P), 0);
    EXPECT_EQ(wake2(&c, 1, P), 1);
    EXPECT_EQ(finish(&r), 1);
    EXPECT_EQ(wake2(&a, 1, P), 0);
    return t_done();
}
