// syscalls: futex_wait, futex_wake, futex, clock_gettime, rt_sigaction, tgkill, mmap, munmap, clone
/* futex_wait and futex_wake are FUTEX_WAIT_BITSET and FUTEX_WAKE_BITSET with futex2 flags:
 * only 32-bit futexes, values and masks must fit 32 bits, a zero mask is EINVAL, the timeout
 * is absolute on the clock named (CLOCK_MONOTONIC or CLOCK_REALTIME). A wake of 0 wakes no
 * one (FUTEX_WAKE's 0 wakes one), a negative count wakes one. They meet classic futex waiters
 * and wakers on the same word, private only with private. FUTEX2_NUMA futexes are an aligned
 * pair whose second word is the node, set to the caller's node when it is -1; FUTEX2_MPOL
 * alone leaves it alone. A signal with a handler interrupts a wait with EINTR; under
 * SA_RESTART even a timed one is restarted (a timed FUTEX_WAIT is not). */
#include "harness.h"
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

/* Neither libc has these in every version. */
#define NR_futex_wake 454
#define NR_futex_wait 455
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX2_SIZE_U8 0x00
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_SIZE_U64 0x03
#define FUTEX2_NUMA 0x04
#define FUTEX2_MPOL 0x08
#define FUTEX2_PRIVATE 128
#define P (FUTEX2_SIZE_U32 | FUTEX2_PRIVATE)
#define S FUTEX2_SIZE_U32
#define ANY 0xffffffffUL

static long fwait(void *w, unsigned long val, unsigned long mask, unsigned flags,
                  struct timespec *ts, int clk) {
    return syscall(NR_futex_wait, w, val, mask, flags, ts, clk);
}
static long fwake(void *w, unsigned long mask, int nr, unsigned flags) {
    return syscall(NR_futex_wake, w, mask, nr, flags);
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

/* A thread waiting on `word` (futex_wait with `mask`/`flags`, or classic FUTEX_WAIT_BITSET
 * when `classic_op` is set), with a 5 s deadline; its result is 0 or the errno. */
struct sleeper {
    pthread_t t;
    uint32_t *word;
    unsigned long mask;
    unsigned flags;
    int classic_op;
    long result;
};
static void *sleeper_main(void *arg) {
    struct sleeper *s = arg;
    struct timespec dl = in_ms(CLOCK_MONOTONIC, 5000);
    long r = s->classic_op
                 ? syscall(SYS_futex, s->word, s->classic_op, 0, &dl, NULL, (uint32_t)s->mask)
                 : fwait(s->word, 0, s->mask, s->flags, &dl, CLOCK_MONOTONIC);
    s->result = r == 0 ? 0 : errno;
    return NULL;
}
static void start(struct sleeper *s) { pthread_create(&s->t, NULL, sleeper_main, s); }
static long finish(struct sleeper *s) {
    pthread_join(s->t, NULL);
    return s->result;
}

static uint32_t word, other;
static volatile int handled;
static pid_t main_tid;
static void handler(int sig) {
    (void)sig;
    handled++;
}
/* After 100 ms signal main; if `then_wake`, after 100 ms more wake it with futex_wake. */
static void *poker(void *arg) {
    int then_wake = (int)(long)arg;
    usleep(100000);
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    if (then_wake) {
        usleep(100000);
        fwake(&word, ANY, 1, P);
    }
    return NULL;
}
/* One futex_wait on word == 0 with a poker thread; returns 0 or the errno. */
static long wait_poked(int then_wake, int timed) {
    handled = 0;
    pthread_t t;
    pthread_create(&t, NULL, poker, (void *)(long)then_wake);
    struct timespec dl = in_ms(CLOCK_MONOTONIC, 3000);
    long r = fwait(&word, 0, ANY, P, timed ? &dl : NULL, CLOCK_MONOTONIC);
    long e = r == 0 ? 0 : errno;
    pthread_join(t, NULL);
    return e;
}
static void set_handler(int flags) {
    struct sigaction sa = {.sa_handler = handler, .sa_flags = flags};
    sigaction(SIGUSR1, &sa, NULL);
}

int main(void) {
    alarm(20);
    main_tid = syscall(SYS_gettid);
    struct timespec zero = {0, 0};

    /* futex_wake argument checks. */
    EXPECT_EQ(fwake(&word, ANY, 1, P), 0);
    EXPECT_EQ(fwake(&word, ANY, 1, S), 0);
    EXPECT_ERR(fwake(&word, 0, 1, P), EINVAL);
    EXPECT_ERR(fwake(&word, 1UL << 32, 1, P), EINVAL);
    EXPECT_ERR(fwake(&word, ANY, 1, FUTEX2_SIZE_U8 | FUTEX2_PRIVATE), EINVAL);
    EXPECT_ERR(fwake(&word, ANY, 1, FUTEX2_SIZE_U64 | FUTEX2_PRIVATE), EINVAL);
    EXPECT_ERR(fwake(&word, ANY, 1, P | 0x10), EINVAL);
    EXPECT_ERR(fwake(&word, ANY, 1, P | 256), EINVAL);
    EXPECT_ERR(fwake((char *)&word + 2, ANY, 1, P), EINVAL);
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page, 4096);
    /* A private wake never touches the word; a shared one needs it mapped. */
    EXPECT_EQ(fwake(page, ANY, 1, P), 0);
    EXPECT_ERR(fwake(page, ANY, 1, S), EFAULT);
    EXPECT_ERR(fwake((void *)(1UL << 47), ANY, 1, P), EFAULT);

    /* futex_wait argument checks. */
    EXPECT_ERR(fwait(&word, 1, ANY, P, &zero, CLOCK_MONOTONIC), EAGAIN);
    EXPECT_ERR(fwait(&word, 0, ANY, P, &zero, CLOCK_MONOTONIC), ETIMEDOUT);
    EXPECT_ERR(fwait(&word, 1UL << 32, ANY, P, &zero, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(fwait(&word, 0, 1UL << 32, P, &zero, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(fwait(&word, 0, 0, P, &zero, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(fwait(&word, 0, ANY, FUTEX2_SIZE_U64, &zero, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(fwait(&word, 0, ANY, P, &zero, CLOCK_BOOTTIME), EINVAL);
    EXPECT_ERR(fwait(&word, 1, ANY, P, NULL, CLOCK_BOOTTIME), EAGAIN);
    struct timespec bad_ns = {0, 1000000000};
    EXPECT_ERR(fwait(&word, 0, ANY, P, &bad_ns, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(fwait(&word, 1, ANY, P, (void *)8, CLOCK_MONOTONIC), EFAULT);
    EXPECT_ERR(fwait((char *)&word + 1, 0, ANY, P, &zero, CLOCK_MONOTONIC), EINVAL);
    EXPECT_ERR(fwait(page, 0, ANY, P, &zero, CLOCK_MONOTONIC), EFAULT);
    EXPECT_ERR(fwait(page, 0, ANY, S, &zero, CLOCK_MONOTONIC), EFAULT);

    /* Timeouts. */
    struct timespec dl = in_ms(CLOCK_MONOTONIC, 50);
    EXPECT_ERR(fwait(&word, 0, ANY, P, &dl, CLOCK_MONOTONIC), ETIMEDOUT);
    CHECK(reached(CLOCK_MONOTONIC, &dl));
    dl = in_ms(CLOCK_REALTIME, 50);
    EXPECT_ERR(fwait(&word, 0, ANY, S, &dl, CLOCK_REALTIME), ETIMEDOUT);
    CHECK(reached(CLOCK_REALTIME, &dl));

    /* NUMA pairs. */
    static uint32_t pair[4] __attribute__((aligned(8)));
    pair[0] = 5;
    pair[1] = 0xffffffff;
    EXPECT_ERR(fwait(pair, 5, ANY, P | FUTEX2_NUMA, &zero, CLOCK_MONOTONIC), ETIMEDOUT);
    EXPECT_EQ(pair[1], 0);
    pair[1] = 0xffffffff;
    EXPECT_EQ(fwake(pair, ANY, 1, P | FUTEX2_NUMA | FUTEX2_MPOL), 0);
    EXPECT_EQ(pair[1], 0);
    pair[1] = 0xffffffff;
    EXPECT_EQ(fwake(pair, ANY, 1, P | FUTEX2_MPOL), 0);
    EXPECT_EQ(pair[1], 0xffffffff);
    pair[1] = 0x7fffffff;
    EXPECT_ERR(fwake(pair, ANY, 1, P | FUTEX2_NUMA), EINVAL);
    EXPECT_ERR(fwait(pair, 4, ANY, P | FUTEX2_NUMA, &zero, CLOCK_MONOTONIC), EINVAL);
    pair[1] = 0;
    EXPECT_ERR(fwait(pair, 4, ANY, P | FUTEX2_NUMA, &zero, CLOCK_MONOTONIC), EAGAIN);
    /* The pair is 8-byte aligned. */
    pair[3] = 0;
    EXPECT_ERR(fwake(pair + 1, ANY, 1, P | FUTEX2_NUMA), EINVAL);
    EXPECT_EQ(fwake(pair + 2, ANY, 1, P | FUTEX2_NUMA), 0);

    /* Masks: a wake takes only sleepers whose mask meets its own. */
    struct sleeper m1 = {.word = &word, .mask = 1, .flags = P};
    struct sleeper m2 = {.word = &word, .mask = 2, .flags = P};
    start(&m1);
    start(&m2);
    usleep(100000);
    EXPECT_EQ(fwake(&word, 4, INT_MAX, P), 0);
    EXPECT_EQ(fwake(&word, 2, INT_MAX, P), 1);
    EXPECT_EQ(finish(&m2), 0);
    EXPECT_EQ(fwake(&word, 3, INT_MAX, P), 1);
    EXPECT_EQ(finish(&m1), 0);

    /* Counts: 0 wakes no one, a negative count one. */
    struct sleeper n[3];
    for (int i = 0; i < 3; i++) {
        n[i] = (struct sleeper){.word = &word, .mask = ANY, .flags = P};
        start(&n[i]);
    }
    usleep(100000);
    EXPECT_EQ(fwake(&word, ANY, 0, P), 0);
    EXPECT_EQ(fwake(&word, ANY, -1, P), 1);
    EXPECT_EQ(fwake(&word, ANY, INT_MAX, P), 2);
    for (int i = 0; i < 3; i++) EXPECT_EQ(finish(&n[i]), 0);

    /* With the classic calls: a FUTEX_WAIT_BITSET sleeper and a futex_wake, and back. */
    struct sleeper c1 = {.word = &other, .mask = 4, .classic_op = FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG};
    start(&c1);
    usleep(100000);
    EXPECT_EQ(fwake(&other, 1, 1, P), 0);
    EXPECT_EQ(fwake(&other, 4, 1, S), 0);
    EXPECT_EQ(fwake(&other, 4, 1, P), 1);
    EXPECT_EQ(finish(&c1), 0);
    struct sleeper c2 = {.word = &other, .mask = 4, .flags = S};
    start(&c2);
    usleep(100000);
    EXPECT_EQ(syscall(SYS_futex, &other, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 4), 0);
    EXPECT_EQ(syscall(SYS_futex, &other, FUTEX_WAKE_BITSET, 1, NULL, NULL, 4), 1);
    EXPECT_EQ(finish(&c2), 0);

    /* Signals. */
    set_handler(0);
    EXPECT_EQ(wait_poked(0, 0), EINTR);
    EXPECT_EQ(handled, 1);
    EXPECT_EQ(wait_poked(0, 1), EINTR);
    EXPECT_EQ(handled, 1);
    set_handler(SA_RESTART);
    EXPECT_EQ(wait_poked(1, 0), 0);
    EXPECT_EQ(handled, 1);
    EXPECT_EQ(wait_poked(1, 1), 0);
    EXPECT_EQ(handled, 1);
    return t_done();
}
