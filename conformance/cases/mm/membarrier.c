// syscalls: membarrier
#include "harness.h"

#define MEMBARRIER_CMD_QUERY 0
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED (1 << 3)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED (1 << 4)

/* membarrier: QUERY lists the private expedited commands; using one before registering is
 * EPERM, after registering it succeeds; bad flags are EINVAL. */
int main(void) {
    long mask = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    CHECK(mask >= 0);
    CHECK(mask & MEMBARRIER_CMD_PRIVATE_EXPEDITED);
    CHECK(mask & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED);
    EXPECT_ERR(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), EPERM);
    EXPECT_EQ(syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0), 0);
    EXPECT_EQ(syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), 0);
    EXPECT_ERR(syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 1, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_membarrier, 1 << 30, 0, 0), EINVAL);
    return t_done();
}
