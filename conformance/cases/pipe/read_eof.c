// syscalls: pipe2, read, readv, write, close, dup
/* read on a pipe whose every write end is closed returns 0 (end of file) once the buffered
 * data is consumed, and keeps returning 0; while any write end (a dup) is still open there is
 * no end of file. */
#include "harness.h"
#include <fcntl.h>
#include <sys/uio.h>

int main(void) {
    int p[2];
    char buf[16];
    EXPECT_OK(pipe2(p, 0));
    EXPECT_OK(close(p[1]));
    EXPECT_EQ(read(p[0], buf, sizeof buf), 0);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 0);
    struct iovec iov = {buf, sizeof buf};
    EXPECT_EQ(readv(p[0], &iov, 1), 0);
    EXPECT_OK(close(p[0]));

    /* Buffered data is still delivered after the writer is gone, then EOF. */
    EXPECT_OK(pipe2(p, 0));
    EXPECT_EQ(write(p[1], "hello", 5), 5);
    EXPECT_OK(close(p[1]));
    EXPECT_EQ(read(p[0], buf, 3), 3);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 2);
    EXPECT_EQ(memcmp(buf, "lo", 2), 0);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 0);
    EXPECT_OK(close(p[0]));

    /* A dup of the write end keeps the pipe "written": a non-blocking read is EAGAIN, not EOF. */
    EXPECT_OK(pipe2(p, O_NONBLOCK));
    int w2 = EXPECT_OK(dup(p[1]));
    EXPECT_OK(close(p[1]));
    EXPECT_ERR(read(p[0], buf, sizeof buf), EAGAIN);
    EXPECT_OK(close(w2));
    EXPECT_EQ(read(p[0], buf, sizeof buf), 0);
    /* A zero-length read is 0 either way. */
    EXPECT_EQ(read(p[0], buf, 0), 0);
    return t_done();
}
