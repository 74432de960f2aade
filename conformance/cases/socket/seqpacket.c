// syscalls: socketpair, socket, bind, listen, connect, accept, sendmsg, recvmsg, send, recv
/* SOCK_SEQPACKET: connected, record boundaries kept, short reads truncate with MSG_TRUNC,
 * end of file once the peer is gone. */
#include "harness.h"
#include <sys/socket.h>
#include <sys/un.h>

int main(void) {
    int sv[2];
    char buf[32];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    EXPECT_EQ(send(sv[0], "one", 3, 0), 3);
    EXPECT_EQ(send(sv[0], "two!", 4, 0), 4);
    EXPECT_EQ(send(sv[0], "three", 5, 0), 5);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 3);
    SAY("record %s", buf);
    struct iovec iov = { buf, 2 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recvmsg(sv[1], &m, 0), 2);
    SAY("record %s, MSG_TRUNC %d", buf, (m.msg_flags & MSG_TRUNC) != 0);
    EXPECT_EQ(recv(sv[1], buf, 1, MSG_TRUNC), 5);
    /* A zero-length record. */
    EXPECT_EQ(send(sv[1], "", 0, 0), 0);
    EXPECT_EQ(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), 0);
    EXPECT_ERR(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    /* Addresses are ignored on a connected seqpacket socket. */
    struct sockaddr_un bogus = { .sun_family = AF_UNIX };
    strcpy(bogus.sun_path, "nowhere");
    EXPECT_EQ(sendto(sv[0], "x", 1, 0, (struct sockaddr *)&bogus, sizeof bogus), 1);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 1);
    /* The peer closes: end of file, and sends fail with EPIPE (no SIGPIPE for seqpacket). */
    close(sv[0]);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 0);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), 0);
    EXPECT_ERR(send(sv[1], "x", 1, 0), EPIPE);
    close(sv[1]);

    /* Unconnected: ENOTCONN both ways. */
    int u = EXPECT_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    EXPECT_ERR(send(u, "x", 1, 0), ENOTCONN);
    EXPECT_ERR(recv(u, buf, 1, MSG_DONTWAIT), ENOTCONN);
    /* listen/connect/accept as for streams. */
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(a.sun_path, "seq.sock");
    int l = EXPECT_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    EXPECT_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    EXPECT_OK(listen(l, 1));
    EXPECT_OK(connect(u, (struct sockaddr *)&a, sizeof a));
    int s = EXPECT_OK(accept(l, NULL, NULL));
    EXPECT_EQ(send(u, "rec", 3, 0), 3);
    EXPECT_EQ(send(u, "ord", 3, 0), 3);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recv(s, buf, sizeof buf, 0), 3);
    SAY("accepted end got %s", buf);
    int v;
    socklen_t vl = sizeof v;
    EXPECT_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl));
    SAY("SO_TYPE %d", v);
    close(u); close(s); close(l);
    return t_done();
}
