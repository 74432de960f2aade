// syscalls: socketpair, readv, writev, sendmsg, recvmsg, recv, ioctl
/* Stream data through the vectored calls: writev/sendmsg gather, readv/recvmsg scatter;
 * MSG_PEEK leaves data queued; MSG_WAITALL gathers the whole request; FIONREAD counts. */
#include "harness.h"
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

int main(void) {
    int sv[2], n;
    char a[4], b[8], buf[32];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct iovec out[3] = { { "one ", 4 }, { "two ", 4 }, { "three", 5 } };
    EXPECT_EQ(writev(sv[0], out, 3), 13);
    EXPECT_OK(ioctl(sv[1], FIONREAD, &n));
    SAY("FIONREAD %d", n);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recv(sv[1], buf, 7, MSG_PEEK), 7);
    SAY("peek %s", buf);
    struct iovec in[2] = { { a, sizeof a }, { b, sizeof b } };
    EXPECT_EQ(readv(sv[1], in, 2), 12);
    SAY("readv %.4s|%.8s", a, b);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 1);

    struct msghdr m = { .msg_iov = out, .msg_iovlen = 3 };
    EXPECT_EQ(sendmsg(sv[0], &m, 0), 13);
    struct msghdr r = { .msg_iov = in, .msg_iovlen = 2 };
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    EXPECT_EQ(recvmsg(sv[1], &r, 0), 12);
    SAY("recvmsg %.4s|%.8s flags %d", a, b, r.msg_flags);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 1);

    /* MSG_WAITALL with everything already queued across several writes. */
    EXPECT_EQ(send(sv[0], "abc", 3, 0), 3);
    EXPECT_EQ(send(sv[0], "def", 3, 0), 3);
    EXPECT_EQ(send(sv[0], "ghi", 3, 0), 3);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recv(sv[1], buf, 8, MSG_WAITALL), 8);
    SAY("waitall %s", buf);
    /* MSG_WAITALL stops at end of file. */
    EXPECT_OK(shutdown(sv[0], SHUT_WR));
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, MSG_WAITALL), 1);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, MSG_WAITALL), 0);

    /* Too many iovecs. */
    static struct iovec many[1025];
    for (int i = 0; i < 1025; i++) many[i] = (struct iovec){ buf, 1 };
    struct msghdr big = { .msg_iov = many, .msg_iovlen = 1025 };
    EXPECT_ERR(sendmsg(sv[1], &big, 0), EMSGSIZE);
    EXPECT_ERR(recvmsg(sv[1], &big, 0), EMSGSIZE);
    EXPECT_ERR(writev(sv[1], many, 1025), EINVAL);
    /* An address on a connected stream is EISCONN. */
    struct sockaddr_un { sa_family_t f; char p[108]; } to = { AF_UNIX, "x" };
    EXPECT_ERR(sendto(sv[1], "x", 1, 0, (struct sockaddr *)&to, sizeof to), EISCONN);
    int u = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERR(sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof to), EOPNOTSUPP);
    EXPECT_ERR(send(u, "x", 1, 0), ENOTCONN);
    EXPECT_ERR(recv(u, buf, 1, 0), EINVAL);
    return t_done();
}
