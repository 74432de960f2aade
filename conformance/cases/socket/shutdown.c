// syscalls: socketpair, shutdown, send, recv, read, write
/* shutdown(SHUT_WR) gives the peer end of file after the queued data and makes further
 * sends EPIPE; SHUT_RD makes reads return 0 once the queue is empty; each side keeps the
 * other direction. Unix sockets never say ENOTCONN here. */
#include "harness.h"
#include <signal.h>
#include <sys/socket.h>

int main(void) {
    int sv[2];
    char buf[16];
    signal(SIGPIPE, SIG_IGN);
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_EQ(send(sv[0], "tail", 4, 0), 4);
    EXPECT_OK(shutdown(sv[0], SHUT_WR));
    EXPECT_ERR(send(sv[0], "x", 1, 0), EPIPE);
    EXPECT_ERR(write(sv[0], "x", 1), EPIPE);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 4);
    SAY("got %s", buf);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 0);
    EXPECT_EQ(read(sv[1], buf, sizeof buf), 0);
    /* The other direction is open. */
    EXPECT_EQ(send(sv[1], "back", 4, 0), 4);
    EXPECT_EQ(recv(sv[0], buf, sizeof buf, 0), 4);
    /* Shutting down twice is fine. */
    EXPECT_OK(shutdown(sv[0], SHUT_WR));

    int p[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, p));
    EXPECT_EQ(send(p[1], "queued", 6, 0), 6);
    EXPECT_OK(shutdown(p[0], SHUT_RD));
    /* Queued data is still read, then end of file. */
    EXPECT_EQ(recv(p[0], buf, sizeof buf, 0), 6);
    EXPECT_EQ(recv(p[0], buf, sizeof buf, 0), 0);
    /* The peer can no longer send to it. */
    EXPECT_ERR(send(p[1], "x", 1, 0), EPIPE);
    EXPECT_OK(shutdown(p[0], SHUT_RDWR));
    EXPECT_ERR(send(p[0], "x", 1, 0), EPIPE);
    EXPECT_ERR(shutdown(p[0], 3), EINVAL);
    EXPECT_ERR(shutdown(p[0], -1), EINVAL);

    /* Unconnected sockets shut down without complaint. */
    int u = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(shutdown(u, SHUT_RDWR));
    /* Datagram sockets: SHUT_RD means reads see end of file once blocking would start. */
    int d[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));
    EXPECT_EQ(send(d[0], "dg", 2, 0), 2);
    EXPECT_OK(shutdown(d[1], SHUT_RD));
    EXPECT_EQ(recv(d[1], buf, sizeof buf, 0), 2);
    EXPECT_EQ(recv(d[1], buf, sizeof buf, 0), 0);
    EXPECT_ERR(recv(d[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    EXPECT_ERR(send(d[0], "dg", 2, 0), EPIPE);
    EXPECT_OK(shutdown(d[0], SHUT_WR));
    EXPECT_ERR(send(d[0], "dg", 2, 0), EPIPE);
    return t_done();
}
