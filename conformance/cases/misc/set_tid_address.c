// syscalls: set_tid_address, gettid
#include "harness.h"

/* set_tid_address returns the caller's thread id. */
int main(void) {
    static int slot;
    long r = syscall(SYS_set_tid_address, &slot);
    CHECK(r > 0);
    CHECK(r == syscall(SYS_gettid));
    /* Any pointer is accepted; it is only used at thread exit. */
    CHECK(syscall(SYS_set_tid_address, (void *)8) == r);
    CHECK(syscall(SYS_set_tid_address, NULL) == r);
    EXPECT_EQ(r == syscall(SYS_getpid), 1);
    return t_done();
}
