// syscalls: futex, clock_gettime
/* FUTEX_WAIT's timeout is relative (CLOCK_MONOTONIC): a 50 ms wait that nobody wakes returns
 * ETIMEDOUT after at least 50 ms; a zero timeout times out at once; a malformed timespec
 * (negative seconds, nanoseconds out of range) is EINVAL even when the value would not match,
 * and an unreadable one EFAULT. */
#include "harness.h"
#include <stdint.h>
#include <time.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)

static long futex(uint32_t *uaddr, int op, uint32_t val, void *timeout) {
    return syscall(SYS_futex, uaddr, op, val, timeout, NULL, 0);
}
static long ms_since(const struct timespec *a) {
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(void) {
    alarm(10);
    static uint32_t word;
    struct timespec t0, ts = {0, 50 * 1000000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, &ts), ETIMEDOUT);
    long ms = ms_since(&t0);
    CHECK(ms >= 50 && ms < 2000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EXPECT_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0, &ts), ETIMEDOUT);
    CHECK(ms_since(&t0) >= 50);

    struct timespec zero = {0, 0};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, &zero), ETIMEDOUT);
    CHECK(ms_since(&t0) < 1000);

    struct timespec neg = {-1, 0}, big = {0, 1000000000}, negns = {0, -1};
    EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, &neg), EINVAL);
    EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, &big), EINVAL);
    EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, &negns), EINVAL);
    EXPECT_ERR(futex(&word, FUTEX_WAIT, 1, &big), EINVAL);
    EXPECT_ERR(futex(&word, FUTEX_WAIT, 0, (void *)8), EFAULT);
    return t_done();
}
