// syscalls: pipe2, fcntl, read, write, close
/* Non-blocking pipes: reading an empty pipe with a writer is EAGAIN; writing to a full pipe is
 * EAGAIN; a large write to a pipe with room writes what fits and returns the short count;
 * O_NONBLOCK can be switched on and off with F_SETFL and applies per open file description. */
#include "harness.h"
#include <fcntl.h>
#include <signal.h>

static char big[100000];

int main(void) {
    alarm(10);
    int p[2];
    char buf[8];
    EXPECT_OK(pipe2(p, 0));
    EXPECT_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    EXPECT_ERR(read(p[0], buf, sizeof buf), EAGAIN);
    EXPECT_EQ(write(p[1], "ab", 2), 2);
    EXPECT_EQ(read(p[0], buf, sizeof buf), 2);
    EXPECT_ERR(read(p[0], buf, sizeof buf), EAGAIN);
    /* A zero-length read is 0 even on an empty pipe. */
    EXPECT_EQ(read(p[0], buf, 0), 0);
    EXPECT_OK(fcntl(p[0], F_SETFL, 0));
    EXPECT_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);

    /* A big non-blocking write fills the pipe and returns the short count. */
    EXPECT_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
    memset(big, 'x', sizeof big);
    EXPECT_EQ(write(p[1], big, sizeof big), 65536);
    EXPECT_ERR(write(p[1], "y", 1), EAGAIN);
    EXPECT_ERR(write(p[1], big, 4096), EAGAIN);
    EXPECT_ERR(write(p[1], big, sizeof big), EAGAIN);
    /* A zero-length write to a full pipe succeeds: nothing to wait for. */
    EXPECT_EQ(write(p[1], big, 0), 0);
    /* Draining one page makes room for exactly that much. */
    EXPECT_EQ(read(p[0], big, 4096), 4096);
    EXPECT_EQ(write(p[1], big, sizeof big), 4096);
    EXPECT_ERR(write(p[1], big, 1), EAGAIN);
    return t_done();
}
