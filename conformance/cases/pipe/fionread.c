// syscalls: pipe2, ioctl, write, read, close
/* FIONREAD on a pipe is the number of bytes queued, on either end; it follows writes and
 * partial reads, counts a full pipe as 65536, and stays readable after the writer closes. */
#include "harness.h"
#include <fcntl.h>
#include <sys/ioctl.h>

int main(void) {
    int p[2], n = -1;
    char buf[65536];
    EXPECT_OK(pipe2(p, O_NONBLOCK));
    EXPECT_OK(ioctl(p[0], FIONREAD, &n));
    EXPECT_EQ(n, 0);
    EXPECT_EQ(write(p[1], "hello", 5), 5);
    EXPECT_EQ(write(p[1], "world", 5), 5);
    EXPECT_OK(ioctl(p[0], FIONREAD, &n));
    EXPECT_EQ(n, 10);
    EXPECT_OK(ioctl(p[1], FIONREAD, &n));
    EXPECT_EQ(n, 10);
    EXPECT_EQ(read(p[0], buf, 3), 3);
    EXPECT_OK(ioctl(p[0], FIONREAD, &n));
    EXPECT_EQ(n, 7);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 7);
    memset(buf, 0, sizeof buf);
    while (write(p[1], buf, 4096) > 0) {}
    EXPECT_OK(ioctl(p[0], FIONREAD, &n));
    EXPECT_EQ(n, 65536);
    EXPECT_OK(close(p[1]));
    EXPECT_EQ(read(p[0], buf, 60000), 60000);
    EXPECT_OK(ioctl(p[0], FIONREAD, &n));
    EXPECT_EQ(n, 5536);
    EXPECT_ERR(ioctl(p[0], FIONREAD, NULL), EFAULT);
    EXPECT_ERR(ioctl(p[0], FIONREAD, (void *)-4096L), EFAULT);
    /* Other terminal requests are not for pipes. */
    EXPECT_ERR(ioctl(p[0], TIOCGPGRP, &n), ENOTTY);
    return t_done();
}
