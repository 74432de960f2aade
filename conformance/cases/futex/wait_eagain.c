// syscalls: futex
/* FUTEX_WAIT returns EAGAIN at once when the word does not hold the expected value (private
 * and shared forms, FUTEX_WAIT_BITSET too); a bitset of 0 is EINVAL for both wait and wake
 * (checked before the value); waking a word nobody waits on wakes 0. */
#include "harness.h"
#include <stdint.h>

/* <linux/futex.h> is not in musl's headers. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)

static long futex(uint32_t *uaddr, int op, uint32_t val, void *timeout, uint32_t *uaddr2,
                  uint32_t val3) {
    return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

int main(void) {
    alarm(10);
    static uint32_t word = 7;
    EXPECT_ERR(futex(&word, FUTEX_WAIT, 6, NULL, NULL, 0), EAGAIN);
    EXPECT_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 8, NULL, NULL, 0), EAGAIN);
    EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET, 0, NULL, NULL, FUTEX_BITSET_MATCH_ANY), EAGAIN);
    EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 1), EAGAIN);
    EXPECT_ERR(futex(&word, FUTEX_WAIT_BITSET, 7, NULL, NULL, 0), EINVAL);
    EXPECT_ERR(futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0), EINVAL);
    /* The comparison is of the whole 32-bit word. */
    word = 0x80000001u;
    EXPECT_ERR(futex(&word, FUTEX_WAIT, 1, NULL, NULL, 0), EAGAIN);
    EXPECT_EQ(futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0), 0);
    EXPECT_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 100, NULL, NULL, 0), 0);
    EXPECT_EQ(futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 4), 0);
    return t_done();
}
