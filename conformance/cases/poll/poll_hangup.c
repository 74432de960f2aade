// syscalls: poll, pipe2, close, write, read
/* Hang-ups and errors on pipes: POLLHUP on the read end once every writer is gone (with POLLIN
 * while data remains), POLLERR on the write end once every reader is gone (Linux also keeps
 * POLLOUT there); both are reported even when not asked for. */
#include "harness.h"
#include <poll.h>
#include <signal.h>

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    EXPECT_EQ(write(p[1], "ab", 2), 2);
    EXPECT_OK(close(p[1]));
    struct pollfd f = {.fd = p[0], .events = POLLIN};
    EXPECT_EQ(poll(&f, 1, 0), 1);
    EXPECT_EQ(f.revents, POLLIN | POLLHUP);
    f.events = 0;
    EXPECT_EQ(poll(&f, 1, 0), 1);
    EXPECT_EQ(f.revents, POLLHUP);
    char buf[4];
    EXPECT_EQ(read(p[0], buf, 4), 2);
    f.events = POLLIN;
    EXPECT_EQ(poll(&f, 1, 1000), 1);
    EXPECT_EQ(f.revents, POLLHUP);
    EXPECT_EQ(read(p[0], buf, 4), 0);
    EXPECT_OK(close(p[0]));

    EXPECT_OK(pipe2(p, 0));
    EXPECT_OK(close(p[0]));
    f.fd = p[1];
    f.events = POLLOUT;
    EXPECT_EQ(poll(&f, 1, 0), 1);
    EXPECT_EQ(f.revents, POLLOUT | POLLERR);
    f.events = POLLIN;
    EXPECT_EQ(poll(&f, 1, -1), 1);
    EXPECT_EQ(f.revents, POLLERR);
    EXPECT_ERR(write(p[1], "x", 1), EPIPE);
    EXPECT_OK(close(p[1]));

    /* A blocking poll wakes when the other end closes. Both ends in one process: the write
     * end is closed through a dup first, so the description stays open until the last close. */
    EXPECT_OK(pipe2(p, 0));
    int w2 = EXPECT_OK(dup(p[1]));
    EXPECT_OK(close(p[1]));
    f.fd = p[0];
    f.events = POLLIN;
    EXPECT_EQ(poll(&f, 1, 0), 0);
    EXPECT_OK(close(w2));
    EXPECT_EQ(poll(&f, 1, -1), 1);
    EXPECT_EQ(f.revents, POLLHUP);
    return t_done();
}
