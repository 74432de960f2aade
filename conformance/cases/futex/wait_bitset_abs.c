// syscalls: futex, clock_gettime
/* FUTEX_WAIT_BITSET takes an absolute deadline: on CLOCK_MONOTONIC by default, on
 * CLOCK_REALTIME with FUTEX_CLOCK_REALTIME. A deadline 50 ms ahead times out no earlier than
 * it; one in the past times out at once. FUTEX_CLOCK_REALTIME with an operation that takes no
 * timeout (FUTEX_WAKE) is ENOSYS. */
#include "harness.h"
#include <stdint.h>
#include <time.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_WAIT_BITSET 9
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)

static long wait_until(uint32_t *w, int op, const struct timespec *dl) {
    return syscall(SYS_futex, w, op, *w, dl, NULL, FUTEX_BITSET_MATCH_ANY);
}
static struct timespec in_ms(clockid_t c, long ms) {
    struct timespec t;
    clock_gettime(c, &t);
    t.tv_nsec += ms * 1000000;
    while (t.tv_nsec >= 1000000000) t.tv_sec++, t.tv_nsec -= 1000000000;
    while (t.tv_nsec < 0) t.tv_sec--, t.tv_nsec += 1000000000;
    return t;
}
/* Whether clock c has reached dl. */
static int reached(clockid_t c, const struct timespec *dl) {
    struct timespec n;
    clock_gettime(c, &n);
    return n.tv_sec > dl->tv_sec || (n.tv_sec == dl->tv_sec && n.tv_nsec >= dl->tv_nsec);
}

int main(void) {
    alarm(10);
    static uint32_t word = 3;
    struct timespec dl = in_ms(CLOCK_MONOTONIC, 50);
    EXPECT_ERR(wait_until(&word, FUTEX_WAIT_BITSET, &dl), ETIMEDOUT);
    CHECK(reached(CLOCK_MONOTONIC, &dl));
    dl = in_ms(CLOCK_MONOTONIC, 50);
    EXPECT_ERR(wait_until(&word, FUTEX_WAIT_BITSET_PRIVATE, &dl), ETIMEDOUT);
    CHECK(reached(CLOCK_MONOTONIC, &dl));
    /* 1 ns after the clock's origin is past on any machine (a fresh machine's monotonic
     * clock may be under a second, so "now - 1 s" could be negative, which is EINVAL). */
    struct timespec early = {0, 1};
    EXPECT_ERR(wait_until(&word, FUTEX_WAIT_BITSET, &early), ETIMEDOUT);
    struct timespec neg = {-1, 0};
    EXPECT_ERR(wait_until(&word, FUTEX_WAIT_BITSET, &neg), EINVAL);

    dl = in_ms(CLOCK_REALTIME, 50);
    EXPECT_ERR(wait_until(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, &dl), ETIMEDOUT);
    CHECK(reached(CLOCK_REALTIME, &dl));
    dl = in_ms(CLOCK_REALTIME, -1000);
    EXPECT_ERR(wait_until(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME | FUTEX_PRIVATE_FLAG, &dl),
               ETIMEDOUT);
    /* A realtime deadline read as monotonic would be decades away: this must not hang. */
    dl = in_ms(CLOCK_REALTIME, -1000);
    EXPECT_ERR(wait_until(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, &dl), ETIMEDOUT);

    EXPECT_ERR(syscall(SYS_futex, &word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0),
               ENOSYS);
    EXPECT_ERR(syscall(SYS_futex, &word, FUTEX_REQUEUE | FUTEX_CLOCK_REALTIME, 1, NULL, &word, 0),
               ENOSYS);
    return t_done();
}
