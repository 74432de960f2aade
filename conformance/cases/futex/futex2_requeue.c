// syscalls: futex_requeue, futex_wake, futex_wait, futex_waitv, futex, mmap, munmap, clone
/* futex_requeue(waiters[2], flags, nr_wake, nr_requeue) is FUTEX_CMP_REQUEUE from waiters[0]
 * to waiters[1], comparing with waiters[0].val (EAGAIN when the word differs): it wakes up to
 * nr_wake sleepers and moves up to nr_requeue more, returning how many it woke or moved. The
 * call's flags must be 0, both elements valid and alike in their flags, and the counts not
 * negative (EINVAL); an unreadable array is EFAULT. Requeued sleepers of either kind (futex,
 * futex_wait, futex_waitv) are then woken through the second futex. */
#include "harness.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

/* Neither libc has these in every version. */
#define NR_futex_waitv 449
#define NR_futex_wake 454
#define NR_futex_wait 455
#define NR_futex_requeue 456
#define FUTEX_WAIT 0
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX2_SIZE_U16 0x01
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_PRIVATE 128
#define P (FUTEX2_SIZE_U32 | FUTEX2_PRIVATE)
#define ANY 0xffffffffUL

struct futex_waitv {
    uint64_t val;
    uint64_t uaddr;
    uint32_t flags;
    uint32_t reserved;
};

static long requeue(struct futex_waitv *w, unsigned flags, int nr_wake, int nr_requeue) {
    return syscall(NR_futex_requeue, w, flags, nr_wake, nr_requeue);
}
static long fwake(uint32_t *w, int nr) { return syscall(NR_futex_wake, w, ANY, nr, P); }
static struct futex_waitv entry(uint32_t *w, uint64_t val, uint32_t flags) {
    return (struct futex_waitv){.val = val, .uaddr = (uintptr_t)w, .flags = flags};
}

static uint32_t a, b, x;
static int ready;

/* Sleeper kinds: 0 FUTEX_WAIT, 1 futex_wait, 2 futex_waitv on {x, a} (woken through a: 1). */
struct sleeper {
    pthread_t t;
    int kind;
    long result;
};
static void *sleeper_main(void *arg) {
    struct sleeper *s = arg;
    struct timespec rel = {5, 0}, abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_sec += 5;
    __atomic_fetch_add(&ready, 1, __ATOMIC_SEQ_CST);
    long r;
    if (s->kind == 0) {
        r = syscall(SYS_futex, &a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &rel, NULL, 0);
    } else if (s->kind == 1) {
        r = syscall(NR_futex_wait, &a, 0, ANY, P, &abs, CLOCK_MONOTONIC);
    } else {
        struct futex_waitv v[2] = {entry(&x, 0, P), entry(&a, 0, P)};
        r = syscall(NR_futex_waitv, v, 2, 0, &abs, CLOCK_MONOTONIC);
    }
    s->result = r >= 0 ? r : -errno;
    return NULL;
}

int main(void) {
    alarm(20);
    struct futex_waitv w[2] = {entry(&a, 0, P), entry(&b, 0, P)};

    /* Argument checks, with nobody waiting. */
    EXPECT_EQ(requeue(w, 0, 1, 1), 0);
    EXPECT_ERR(requeue(w, 1, 1, 1), EINVAL);
    EXPECT_ERR(requeue(NULL, 0, 1, 1), EINVAL);
    EXPECT_ERR(requeue((void *)8, 0, 1, 1), EFAULT);
    EXPECT_ERR(requeue(w, 0, -1, 1), EINVAL);
    EXPECT_ERR(requeue(w, 0, 1, -1), EINVAL);
    w[0].val = 1;
    EXPECT_ERR(requeue(w, 0, 1, 1), EAGAIN);
    w[0].val = 1ULL << 32;
    EXPECT_ERR(requeue(w, 0, 1, 1), EINVAL);
    w[0].val = 0;
    w[1].val = 1ULL << 32;
    EXPECT_ERR(requeue(w, 0, 1, 1), EINVAL);
    w[1].val = 12345; /* not compared */
    EXPECT_EQ(requeue(w, 0, 1, 1), 0);
    w[1] = entry(&b, 0, FUTEX2_SIZE_U16 | FUTEX2_PRIVATE);
    EXPECT_ERR(requeue(w, 0, 1, 1), EINVAL);
    w[1] = entry(&b, 0, P);
    w[1].reserved = 1;
    EXPECT_ERR(requeue(w, 0, 1, 1), EINVAL);
    w[1] = entry(&b, 0, FUTEX2_SIZE_U32);
    EXPECT_ERR(requeue(w, 0, 1, 1), EINVAL);
    w[1] = entry((uint32_t *)((char *)&b + 2), 0, P);
    EXPECT_ERR(requeue(w, 0, 1, 1), EINVAL);
    w[1] = entry(&b, 0, P);
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    struct futex_waitv *edge = (struct futex_waitv *)(page + 4096) - 1;
    edge[0] = w[0];
    EXPECT_ERR(requeue(edge, 0, 1, 1), EFAULT);
    /* The compared word must be readable; the target of a private requeue need not be. */
    uint32_t *gone = (uint32_t *)(page + 4096);
    struct futex_waitv g[2] = {entry(gone, 0, P), entry(&b, 0, P)};
    EXPECT_ERR(requeue(g, 0, 1, 1), EFAULT);
    g[0] = entry(&a, 0, P);
    g[1] = entry(gone, 0, P);
    EXPECT_EQ(requeue(g, 0, 1, 1), 0);

    /* Four sleepers of three kinds on a: wake one, move two, and the last stays. */
    struct sleeper s[4] = {{.kind = 0}, {.kind = 1}, {.kind = 2}, {.kind = 1}};
    for (int i = 0; i < 4; i++) {
        pthread_create(&s[i].t, NULL, sleeper_main, &s[i]);
        while (__atomic_load_n(&ready, __ATOMIC_SEQ_CST) <= i) usleep(1000);
        usleep(50000);
    }
    usleep(100000);
    EXPECT_EQ(requeue(w, 0, 1, 2), 3);
    pthread_join(s[0].t, NULL);
    EXPECT_EQ(s[0].result, 0);
    /* Onto the same futex nothing moves, but those that would be moved count. */
    struct futex_waitv same[2] = {entry(&b, 0, P), entry(&b, 0, P)};
    EXPECT_EQ(requeue(same, 0, 0, INT_MAX), 2);
    EXPECT_EQ(requeue(same, 0, 0, 1), 1);
    EXPECT_EQ(fwake(&b, INT_MAX), 2);
    pthread_join(s[1].t, NULL);
    pthread_join(s[2].t, NULL);
    EXPECT_EQ(s[1].result, 0);
    EXPECT_EQ(s[2].result, 1);
    EXPECT_EQ(fwake(&x, INT_MAX), 0);
    /* Nothing to wake, nothing to move. */
    EXPECT_EQ(requeue(w, 0, 0, 0), 0);
    EXPECT_EQ(fwake(&a, INT_MAX), 1);
    pthread_join(s[3].t, NULL);
    EXPECT_EQ(s[3].result, 0);
    return t_done();
}
