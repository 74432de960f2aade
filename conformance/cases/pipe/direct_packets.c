// syscalls: pipe2, fcntl, write, read, close
/* pipe2(O_DIRECT) makes a packet pipe: every write is one packet, a read returns at most one
 * packet and drops what does not fit in its buffer; writes larger than PIPE_BUF are split into
 * PIPE_BUF-sized packets. O_DIRECT shows in the write end's F_GETFL and can be turned off with F_SETFL. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    alarm(10);
    int p[2];
    char buf[8192];
    EXPECT_OK(pipe2(p, O_DIRECT | O_NONBLOCK));
    /* Only the write end carries O_DIRECT: packets are made by writes. */
    EXPECT_EQ(fcntl(p[0], F_GETFL) & O_DIRECT, 0);
    EXPECT_EQ(fcntl(p[1], F_GETFL) & O_DIRECT, O_DIRECT);
    EXPECT_EQ(write(p[1], "one", 3), 3);
    EXPECT_EQ(write(p[1], "two!", 4), 4);
    EXPECT_EQ(write(p[1], "three", 5), 5);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 3);
    EXPECT_EQ(memcmp(buf, "one", 3), 0);
    /* A short buffer takes the head of the packet; the rest is discarded. */
    EXPECT_EQ(read(p[0], buf, 2), 2);
    EXPECT_EQ(memcmp(buf, "tw", 2), 0);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 5);
    EXPECT_EQ(memcmp(buf, "three", 5), 0);
    EXPECT_ERR(read(p[0], buf, sizeof buf), EAGAIN);

    /* 6000 bytes become a 4096-byte packet and a 1904-byte packet. */
    memset(buf, 'z', sizeof buf);
    EXPECT_EQ(write(p[1], buf, 6000), 6000);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 4096);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 1904);

    /* Capacity counts packets: 16 one-byte packets fill the pipe. */
    int n = 0;
    while (write(p[1], "x", 1) == 1) n++;
    int e = errno;
    EXPECT_EQ(e, EAGAIN);
    EXPECT_EQ(n, 16);
    while (read(p[0], buf, sizeof buf) > 0) {}

    /* Without O_DIRECT the writes merge into a byte stream again. */
    EXPECT_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
    EXPECT_EQ(fcntl(p[1], F_GETFL) & O_DIRECT, 0);
    EXPECT_EQ(write(p[1], "ab", 2), 2);
    EXPECT_EQ(write(p[1], "cd", 2), 2);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 4);
    return t_done();
}
