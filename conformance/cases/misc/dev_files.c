// syscalls: openat, read, write, close
#include "harness.h"
#include <fcntl.h>

/* The basic character devices: /dev/zero reads zeros and swallows writes, /dev/null reads
 * EOF, /dev/full reads zeros and refuses writes, /dev/urandom reads random bytes. */
int main(void) {
    char buf[256];
    int z = open("/dev/zero", O_RDWR);
    memset(buf, 7, sizeof buf);
    EXPECT_EQ(read(z, buf, sizeof buf), 256);
    int zero = 1;
    for (unsigned i = 0; i < sizeof buf; i++) zero &= buf[i] == 0;
    CHECK(zero);
    EXPECT_EQ(write(z, buf, 10), 10);
    int n = open("/dev/null", O_RDWR);
    EXPECT_EQ(read(n, buf, sizeof buf), 0);
    EXPECT_EQ(write(n, buf, sizeof buf), 256);
    int f = open("/dev/full", O_RDWR);
    EXPECT_ERR(write(f, buf, 1), ENOSPC);
    memset(buf, 7, 16);
    EXPECT_EQ(read(f, buf, 16), 16);
    CHECK(buf[0] == 0 && buf[15] == 0);
    int u = open("/dev/urandom", O_RDONLY);
    unsigned char r1[32], r2[32];
    EXPECT_EQ(read(u, r1, 32), 32);
    EXPECT_EQ(read(u, r2, 32), 32);
    CHECK(memcmp(r1, r2, 32) != 0);
    close(z);
    close(n);
    close(f);
    close(u);
    return t_done();
}
