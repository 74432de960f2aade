// syscalls: socket, bind, connect, send, sendto, recv, getpeername, close
/* connect on a datagram socket sets its default destination and makes it accept datagrams
 * from that peer only; AF_UNSPEC undoes it; a peer that went away is ECONNREFUSED once. */
#include "harness.h"
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t mk(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return sizeof *a;
}

int main(void) {
    struct sockaddr_un aa, ab, got;
    int a = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    int b = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    int c = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_OK(bind(a, (struct sockaddr *)&aa, mk(&aa, "a")));
    EXPECT_OK(bind(b, (struct sockaddr *)&ab, mk(&ab, "b")));
    socklen_t len = sizeof got;
    EXPECT_ERR(getpeername(a, (struct sockaddr *)&got, &len), ENOTCONN);
    EXPECT_OK(connect(a, (struct sockaddr *)&ab, sizeof ab));
    len = sizeof got;
    EXPECT_OK(getpeername(a, (struct sockaddr *)&got, &len));
    SAY("peer %s", got.sun_path);
    EXPECT_EQ(send(a, "to b", 4, 0), 4);
    char buf[16] = {0};
    EXPECT_EQ(recv(b, buf, sizeof buf, 0), 4);
    SAY("b got %s", buf);
    /* b connects to a: now b takes datagrams from a only. */
    EXPECT_OK(connect(b, (struct sockaddr *)&aa, sizeof aa));
    EXPECT_ERR(sendto(c, "x", 1, 0, (struct sockaddr *)&ab, sizeof ab), EPERM);
    EXPECT_ERR(connect(c, (struct sockaddr *)&ab, sizeof ab), EPERM);
    /* An explicit destination still works on a connected socket. */
    EXPECT_EQ(sendto(a, "expl", 4, 0, (struct sockaddr *)&ab, sizeof ab), 4);
    EXPECT_EQ(recv(b, buf, sizeof buf, 0), 4);
    /* Disconnect b with AF_UNSPEC: c may send again. */
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    EXPECT_OK(connect(b, &unspec, sizeof unspec));
    len = sizeof got;
    EXPECT_ERR(getpeername(b, (struct sockaddr *)&got, &len), ENOTCONN);
    EXPECT_EQ(sendto(c, "c", 1, 0, (struct sockaddr *)&ab, sizeof ab), 1);
    EXPECT_EQ(recv(b, buf, sizeof buf, 0), 1);
    EXPECT_ERR(connect(b, &unspec, 1), EINVAL);
    /* The peer goes away: the next send is refused and the socket is unconnected. */
    close(b);
    EXPECT_ERR(send(a, "x", 1, 0), ECONNREFUSED);
    EXPECT_ERR(send(a, "x", 1, 0), ENOTCONN);
    /* Its node is still there, but nobody is behind it. */
    EXPECT_ERR(sendto(a, "x", 1, 0, (struct sockaddr *)&ab, sizeof ab), ECONNREFUSED);
    EXPECT_ERR(connect(a, (struct sockaddr *)&ab, sizeof ab), ECONNREFUSED);
    /* Connecting to a stream socket's name is a type mismatch. */
    int st = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(bind(st, (struct sockaddr *)&got, mk(&got, "stream")));
    EXPECT_ERR(connect(c, (struct sockaddr *)&got, sizeof got), EPROTOTYPE);
    EXPECT_ERR(sendto(c, "x", 1, 0, (struct sockaddr *)&got, sizeof got), EPROTOTYPE);
    close(a); close(c); close(st);
    return t_done();
}
