// syscalls: prctl, setresuid, capget
#include "harness.h"
#include <sys/prctl.h>

struct cap_header { unsigned version; int pid; };
struct cap_data { unsigned effective, permitted, inheritable; };

/* PR_SET_KEEPCAPS: with it, dropping every root id keeps the permitted capabilities (the
 * effective set is still cleared); the flag reads back and is validated. */
int main(void) {
    EXPECT_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
    EXPECT_ERR(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
    EXPECT_EQ(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
    EXPECT_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
    EXPECT_EQ(syscall(SYS_setresuid, 1000, 1000, 1000), 0);
    struct cap_header h = {0x20080522, 0};
    struct cap_data d[2];
    EXPECT_EQ(syscall(SYS_capget, &h, d), 0);
    SAY("effective = %u", d[0].effective);
    CHECK(d[0].permitted & (1u << 7));
    return t_done();
}
