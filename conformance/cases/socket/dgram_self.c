// syscalls: socket, bind, sendto, recvfrom, recvmsg, ioctl
/* A datagram socket sends to its own name: boundaries are kept, a short buffer truncates
 * (MSG_TRUNC in msg_flags; as a flag it returns the real length), MSG_PEEK leaves the
 * datagram queued, and recvfrom reports the sender. */
#include "harness.h"
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(void) {
    struct sockaddr_un me = { .sun_family = AF_UNIX }, from;
    strcpy(me.sun_path, "self.sock");
    int s = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_OK(bind(s, (struct sockaddr *)&me, sizeof me));
    EXPECT_EQ(sendto(s, "first", 5, 0, (struct sockaddr *)&me, sizeof me), 5);
    EXPECT_EQ(sendto(s, "second!", 7, 0, (struct sockaddr *)&me, sizeof me), 7);
    EXPECT_EQ(sendto(s, "", 0, 0, (struct sockaddr *)&me, sizeof me), 0);
    EXPECT_EQ(sendto(s, "fourth", 6, 0, (struct sockaddr *)&me, sizeof me), 6);
    int n = -1;
    EXPECT_OK(ioctl(s, FIONREAD, &n));
    SAY("FIONREAD %d", n);

    char buf[32];
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recv(s, buf, 3, MSG_PEEK), 3);
    SAY("peeked %s", buf);
    memset(buf, 0, sizeof buf);
    socklen_t flen = sizeof from;
    EXPECT_EQ(recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 5);
    SAY("got %s from len %d path %s", buf, (int)flen, from.sun_path);

    /* Truncation: recvmsg reports MSG_TRUNC; the rest of the datagram is gone. */
    struct iovec iov = { buf, 4 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recvmsg(s, &m, 0), 4);
    SAY("got %s flags MSG_TRUNC=%d", buf, (m.msg_flags & MSG_TRUNC) != 0);
    /* The empty datagram is a datagram. */
    EXPECT_EQ(recv(s, buf, sizeof buf, 0), 0);
    /* MSG_TRUNC as a flag returns the full length. */
    EXPECT_EQ(recv(s, buf, 2, MSG_TRUNC), 6);
    EXPECT_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    EXPECT_OK(ioctl(s, FIONREAD, &n));
    SAY("FIONREAD %d", n);

    /* An unnamed sender: recvfrom reports no address at all. */
    int u = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_EQ(sendto(u, "anon", 4, 0, (struct sockaddr *)&me, sizeof me), 4);
    flen = sizeof from;
    EXPECT_EQ(recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), 4);
    SAY("unnamed sender: addrlen %d", (int)flen);
    /* An unconnected datagram socket needs a destination. */
    EXPECT_ERR(send(u, "x", 1, 0), ENOTCONN);
    EXPECT_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&me, 1), EINVAL);
    strcpy(me.sun_path, "nobody.sock");
    EXPECT_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&me, sizeof me), ENOENT);
    close(s); close(u);
    return t_done();
}
