// syscalls: poll, pipe2, close, open
/* Which entries poll looks at: a negative fd is skipped (revents 0), a closed or O_PATH fd
 * gives POLLNVAL whatever was asked, and the result counts entries, not events. Regular files
 * and /dev/null are always ready. */
#include "harness.h"
#include <fcntl.h>
#include <poll.h>

int main(void) {
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    EXPECT_EQ(write(p[1], "a", 1), 1);
    int closed = EXPECT_OK(dup(p[0]));
    EXPECT_OK(close(closed));
    int path = EXPECT_OK(open(".", O_PATH));
    struct pollfd f[5] = {
        {.fd = -1, .events = POLLIN},
        {.fd = closed, .events = 0},
        {.fd = p[0], .events = POLLIN | POLLOUT},
        {.fd = -closed, .events = POLLIN},
        {.fd = path, .events = POLLIN},
    };
    f[0].revents = f[3].revents = 99;
    EXPECT_EQ(poll(f, 5, 0), 3);
    EXPECT_EQ(f[0].revents, 0);
    EXPECT_EQ(f[1].revents, POLLNVAL);
    EXPECT_EQ(f[2].revents, POLLIN);
    EXPECT_EQ(f[3].revents, 0);
    EXPECT_EQ(f[4].revents, POLLNVAL);
    /* A negative fd only: nothing to wait for but the timeout. */
    EXPECT_EQ(poll(f, 1, 10), 0);
    /* The same descriptor twice counts twice. */
    struct pollfd twice[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[0], .events = POLLIN}};
    EXPECT_EQ(poll(twice, 2, 0), 2);

    int reg = EXPECT_OK(open("file", O_CREAT | O_RDWR, 0600));
    int null = EXPECT_OK(open("/dev/null", O_RDWR));
    struct pollfd g[2] = {{.fd = reg, .events = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLPRI},
                          {.fd = null, .events = POLLIN | POLLOUT}};
    EXPECT_EQ(poll(g, 2, -1), 2);
    EXPECT_EQ(g[0].revents, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
    EXPECT_EQ(g[1].revents, POLLIN | POLLOUT);
    /* No fds at all: a plain sleep. */
    EXPECT_EQ(poll(NULL, 0, 1), 0);
    return t_done();
}
