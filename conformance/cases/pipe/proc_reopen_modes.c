// syscalls: pipe2, openat, read, write, fcntl, poll, close
/* Reopening a pipe through /proc/self/fd/N makes a new end of the mode asked for; unlike a
 * named FIFO it never waits for a partner and never refuses a writer without readers. The
 * new end counts as a reader or writer on its own: the end whose link was opened can close
 * and its role goes with it. O_RDWR gives an end that both reads and writes; O_DIRECT at
 * open is EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>

static int link_of(char *path, size_t len, int fd) {
    return snprintf(path, len, "/proc/self/fd/%d", fd);
}

int main(void) {
    alarm(10);
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    char path[64], buf[16];

    /* A write end reopened from the read end's link: the read end closes, no reader is left. */
    EXPECT_OK(pipe2(p, 0));
    link_of(path, sizeof path, p[0]);
    int w2 = EXPECT_OK(open(path, O_WRONLY));
    EXPECT_OK(close(p[0]));
    EXPECT_ERR(write(p[1], "x", 1), EPIPE);
    EXPECT_ERR(write(w2, "x", 1), EPIPE);
    /* A read end from the write end's link, without waiting (writers exist). */
    link_of(path, sizeof path, p[1]);
    int r2 = EXPECT_OK(open(path, O_RDONLY));
    EXPECT_EQ(write(p[1], "a", 1), 1);
    EXPECT_EQ(write(w2, "b", 1), 1);
    EXPECT_EQ(read(r2, buf, sizeof buf), 2);
    EXPECT_OK(close(p[1]));
    EXPECT_OK(close(w2));
    /* No writer left, and a blocking read-only reopen still does not wait. */
    link_of(path, sizeof path, r2);
    int r3 = EXPECT_OK(open(path, O_RDONLY));
    EXPECT_EQ(read(r3, buf, sizeof buf), 0);
    /* Nor does a non-blocking write-only reopen refuse: readers exist here, and then not. */
    int w3 = EXPECT_OK(open(path, O_WRONLY | O_NONBLOCK));
    EXPECT_OK(close(w3));
    EXPECT_OK(close(r3));
    int w4 = EXPECT_OK(open(path, O_WRONLY | O_NONBLOCK));
    EXPECT_OK(close(r2));
    EXPECT_ERR(write(w4, "x", 1), EPIPE);
    link_of(path, sizeof path, w4);
    int w5 = EXPECT_OK(open(path, O_WRONLY | O_NONBLOCK));
    EXPECT_OK(close(w5));
    EXPECT_OK(close(w4));

    /* O_RDWR: one end that reads and writes, and polls as both. */
    EXPECT_OK(pipe2(p, O_NONBLOCK));
    link_of(path, sizeof path, p[0]);
    int rw = EXPECT_OK(open(path, O_RDWR | O_NONBLOCK));
    EXPECT_EQ(fcntl(rw, F_GETFL) & O_ACCMODE, O_RDWR);
    struct pollfd pf = {.fd = rw, .events = POLLIN | POLLOUT};
    EXPECT_EQ(poll(&pf, 1, 0), 1);
    SAY("revents empty = %#x", pf.revents);
    EXPECT_EQ(write(rw, "hi", 2), 2);
    EXPECT_EQ(poll(&pf, 1, 0), 1);
    SAY("revents with data = %#x", pf.revents);
    EXPECT_EQ(read(rw, buf, sizeof buf), 2);
    /* It keeps the pipe writable after the original write end closes. */
    EXPECT_OK(close(p[1]));
    EXPECT_ERR(read(p[0], buf, sizeof buf), EAGAIN);
    EXPECT_OK(close(rw));
    EXPECT_EQ(read(p[0], buf, sizeof buf), 0);

    EXPECT_ERR(open(path, O_WRONLY | O_DIRECT), EINVAL);
    EXPECT_ERR(open(path, O_RDONLY | O_DIRECTORY), ENOTDIR);
    return t_done();
}
