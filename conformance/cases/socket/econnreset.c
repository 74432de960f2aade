// syscalls: socketpair, send, recv, close, getsockopt
/* Closing a stream socket with unread data resets the peer: its next read is ECONNRESET
 * (reported once, then end of file), SO_ERROR shows it, and sends are EPIPE. A clean close
 * only gives end of file. */
#include "harness.h"
#include <sys/socket.h>

int main(void) {
    int sv[2], v;
    socklen_t len = sizeof v;
    char buf[16];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_EQ(send(sv[1], "unread", 6, 0), 6);
    EXPECT_EQ(send(sv[0], "for you", 7, 0), 7);
    EXPECT_OK(close(sv[0]));
    /* Data queued for the survivor comes first. */
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 7);
    EXPECT_ERR(recv(sv[1], buf, sizeof buf, 0), ECONNRESET);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 0);
    EXPECT_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
    close(sv[1]);

    /* SO_ERROR reads and clears the pending error. */
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_EQ(send(sv[1], "unread", 6, 0), 6);
    EXPECT_OK(close(sv[0]));
    EXPECT_OK(getsockopt(sv[1], SOL_SOCKET, SO_ERROR, &v, &len));
    SAY("SO_ERROR %s", v ? t_errname(v) : "0");
    EXPECT_OK(getsockopt(sv[1], SOL_SOCKET, SO_ERROR, &v, &len));
    SAY("SO_ERROR %s", v ? t_errname(v) : "0");
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 0);
    close(sv[1]);

    /* Seqpacket: the error comes before queued records, and sends see it too. */
    EXPECT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    EXPECT_EQ(send(sv[1], "unread", 6, 0), 6);
    EXPECT_EQ(send(sv[0], "rec", 3, 0), 3);
    EXPECT_OK(close(sv[0]));
    EXPECT_ERR(send(sv[1], "x", 1, 0), ECONNRESET);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 3);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 0);
    close(sv[1]);

    /* A clean close: no error. */
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_OK(close(sv[0]));
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 0);
    EXPECT_OK(getsockopt(sv[1], SOL_SOCKET, SO_ERROR, &v, &len));
    SAY("SO_ERROR %d", v);
    return t_done();
}
