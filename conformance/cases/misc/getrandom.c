// syscalls: getrandom
#include "harness.h"

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

/* getrandom fills the buffer (two draws differ), honours its flags, checks its arguments. */
int main(void) {
    unsigned char a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    EXPECT_EQ(syscall(SYS_getrandom, a, sizeof a, 0), 64);
    EXPECT_EQ(syscall(SYS_getrandom, b, sizeof b, GRND_NONBLOCK), 64);
    CHECK(memcmp(a, b, sizeof a) != 0);
    int nonzero = 0;
    for (unsigned i = 0; i < sizeof a; i++) nonzero += a[i] != 0;
    CHECK(nonzero > 32);
    EXPECT_EQ(syscall(SYS_getrandom, a, 0, 0), 0);
    EXPECT_EQ(syscall(SYS_getrandom, a, 16, GRND_RANDOM | GRND_NONBLOCK), 16);
    EXPECT_EQ(syscall(SYS_getrandom, a, 16, GRND_INSECURE), 16);
    EXPECT_ERR(syscall(SYS_getrandom, a, 16, 8), EINVAL);
    EXPECT_ERR(syscall(SYS_getrandom, a, 16, GRND_INSECURE | GRND_RANDOM), EINVAL);
    EXPECT_ERR(syscall(SYS_getrandom, (void *)8, 16, 0), EFAULT);
    /* A large request is served (possibly in part: at least the first page's worth). */
    static unsigned char big[1 << 20];
    long n = syscall(SYS_getrandom, big, sizeof big, 0);
    CHECK(n >= 4096 && n <= (long)sizeof big);
    return t_done();
}
