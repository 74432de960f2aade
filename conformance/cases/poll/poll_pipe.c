// syscalls: poll, pipe2, write, read
/* poll on a pipe: nothing to read at first, readable once written, always writable while it has
 * room; revents holds only what was asked for (plus errors/hang-ups), and the normal-data
 * aliases POLLRDNORM/POLLWRNORM are reported when asked. */
#include "harness.h"
#include <fcntl.h>
#include <poll.h>

int main(void) {
    int p[2];
    EXPECT_OK(pipe2(p, 0));
    struct pollfd f[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};

    EXPECT_EQ(poll(f, 1, 0), 0);
    EXPECT_EQ(f[0].revents, 0);
    EXPECT_EQ(poll(f, 2, 0), 1);
    EXPECT_EQ(f[0].revents, 0);
    EXPECT_EQ(f[1].revents, POLLOUT);

    EXPECT_EQ(write(p[1], "xyz", 3), 3);
    EXPECT_EQ(poll(f, 2, 0), 2);
    EXPECT_EQ(f[0].revents, POLLIN);
    EXPECT_EQ(f[1].revents, POLLOUT);

    /* Asking for everything on each end. */
    f[0].events = POLLIN | POLLRDNORM | POLLOUT | POLLPRI;
    f[1].events = POLLIN | POLLOUT | POLLWRNORM | POLLPRI;
    EXPECT_EQ(poll(f, 2, 0), 2);
    EXPECT_EQ(f[0].revents, POLLIN | POLLRDNORM);
    EXPECT_EQ(f[1].revents, POLLOUT | POLLWRNORM);

    /* events = 0: nothing reported for a healthy pipe. */
    f[0].events = 0;
    f[1].events = 0;
    EXPECT_EQ(poll(f, 2, 0), 0);
    EXPECT_EQ(f[0].revents | f[1].revents, 0);

    /* Stale revents are overwritten. */
    f[0].events = POLLIN;
    f[0].revents = 0x7fff;
    char buf[8];
    EXPECT_EQ(read(p[0], buf, sizeof buf), 3);
    EXPECT_EQ(poll(f, 1, 0), 0);
    EXPECT_EQ(f[0].revents, 0);

    /* Fill the pipe: the write end is no longer writable, and a read of a little does not
     * make it writable again until a page's worth of room is back. */
    EXPECT_OK(fcntl(p[1], F_SETFL, O_NONBLOCK));
    static char big[1 << 16];
    long total = 0, n;
    while ((n = write(p[1], big, sizeof big)) > 0) total += n;
    SAY("filled %ld bytes", total);
    f[1].events = POLLOUT;
    EXPECT_EQ(poll(&f[1], 1, 0), 0);
    EXPECT_EQ(read(p[0], buf, 1), 1);
    EXPECT_EQ(poll(&f[1], 1, 0), 0);
    EXPECT_EQ(read(p[0], big, 4096), 4096);
    EXPECT_EQ(poll(&f[1], 1, 0), 1);
    EXPECT_EQ(f[1].revents, POLLOUT);
    return t_done();
}
