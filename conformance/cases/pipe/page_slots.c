// syscalls: pipe2, write, writev, read, tee, fcntl, close
/* A pipe's capacity is counted in page slots, not bytes: a write first tops up the last page
 * with the sub-page remainder of its length (if that fits whole), then takes a fresh page
 * per 4 KiB, so 1 byte followed by a 65536-byte write leaves room for only 15 pages. An
 * O_DIRECT write still tops up a plain page (no packet then); pages copied by tee are never
 * topped up. A read into a bad buffer is EFAULT and leaves the data queued. F_SETPIPE_SZ
 * takes a 32-bit size. */
#include "harness.h"
#include <fcntl.h>
#include <sys/uio.h>

static char big[70000];

int main(void) {
    alarm(10);
    int p[2], q[2];
    char buf[128];
    EXPECT_OK(pipe2(p, O_NONBLOCK));
    EXPECT_EQ(write(p[1], big, 1), 1);
    EXPECT_EQ(write(p[1], big, 65536), 61440);
    EXPECT_EQ(read(p[0], big, sizeof big), 61441);

    EXPECT_EQ(write(p[1], big, 100), 100);
    /* 904 bytes join the first page, 4096 take a second one. */
    EXPECT_EQ(write(p[1], big, 5000), 5000);
    /* The last page is full: 14 fresh pages. */
    EXPECT_EQ(write(p[1], big, sizeof big), 14 * 4096);
    EXPECT_EQ(read(p[0], big, sizeof big), 100 + 5000 + 14 * 4096);

    /* Vectored writes count their whole length. */
    struct iovec iv[3] = {{"ab", 2}, {"cd", 2}, {"ef", 2}};
    EXPECT_EQ(writev(p[1], iv, 3), 6);
    EXPECT_EQ(read(p[0], buf, 3), 3);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 3);

    /* Packets written after plain data merge into its page. */
    EXPECT_EQ(write(p[1], "ab", 2), 2);
    EXPECT_OK(fcntl(p[1], F_SETFL, O_DIRECT | O_NONBLOCK));
    EXPECT_EQ(write(p[1], "cd", 2), 2);
    EXPECT_EQ(write(p[1], "ef", 2), 2);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 6);
    EXPECT_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));

    /* A read that faults takes nothing. */
    EXPECT_EQ(write(p[1], "hello", 5), 5);
    EXPECT_ERR(read(p[0], (void *)8, 5), EFAULT);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 5);

    /* tee's copy fills a one-page pipe: a 1-byte write finds no room. */
    EXPECT_OK(pipe2(q, O_NONBLOCK));
    EXPECT_EQ(write(p[1], "12", 2), 2);
    EXPECT_EQ(tee(p[0], q[1], 100, 0), 2);
    EXPECT_EQ(fcntl(q[1], F_SETPIPE_SZ, 4096), 4096);
    EXPECT_ERR(write(q[1], "3", 1), EAGAIN);
    EXPECT_EQ(fcntl(q[1], F_SETPIPE_SZ, 8192), 8192);
    EXPECT_EQ(write(q[1], "3", 1), 1);
    EXPECT_EQ(read(q[0], buf, sizeof buf), 3);

    /* Only the low 32 bits of the size count. */
    EXPECT_EQ(fcntl(p[0], F_SETPIPE_SZ, 0x100000000L + 8192), 8192);
    return t_done();
}
