// syscalls: socket, bind, listen, connect, accept, accept4
/* listen(fd, N) lets N+1 connections wait; a non-blocking connect past that is EAGAIN.
 * listen and accept refuse what they cannot do. */
#include "harness.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(void) {
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    strcpy(addr.sun_path, "backlog.sock");
    int l = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    /* Listening needs a name. */
    EXPECT_ERR(listen(l, 1), EINVAL);
    EXPECT_OK(bind(l, (struct sockaddr *)&addr, sizeof addr));
    EXPECT_ERR(accept(l, NULL, NULL), EINVAL);
    EXPECT_OK(listen(l, 1));
    int c[4];
    for (int i = 0; i < 4; i++) c[i] = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    EXPECT_OK(connect(c[0], (struct sockaddr *)&addr, sizeof addr));
    EXPECT_OK(connect(c[1], (struct sockaddr *)&addr, sizeof addr));
    EXPECT_ERR(connect(c[2], (struct sockaddr *)&addr, sizeof addr), EAGAIN);
    /* Already connected, but the full backlog is checked first. */
    EXPECT_ERR(connect(c[0], (struct sockaddr *)&addr, sizeof addr), EAGAIN);
    int s0 = EXPECT_OK(accept(l, NULL, NULL));
    EXPECT_ERR(connect(c[0], (struct sockaddr *)&addr, sizeof addr), EISCONN);
    EXPECT_OK(connect(c[2], (struct sockaddr *)&addr, sizeof addr));
    /* Raising the backlog makes room at once. */
    EXPECT_OK(listen(l, 3));
    EXPECT_OK(connect(c[3], (struct sockaddr *)&addr, sizeof addr));
    int s1 = EXPECT_OK(accept(l, NULL, NULL));
    int s2 = EXPECT_OK(accept(l, NULL, NULL));
    int s3 = EXPECT_OK(accept(l, NULL, NULL));
    fcntl(l, F_SETFL, O_NONBLOCK);
    EXPECT_ERR(accept(l, NULL, NULL), EAGAIN);
    /* (The raw call: musl's wrapper retries a failed accept4 as accept.) */
    EXPECT_ERR(syscall(SYS_accept4, l, NULL, NULL, 0x1234), EINVAL);
    /* Connections come out in order. */
    EXPECT_EQ(send(c[1], "1", 1, 0), 1);
    char b = 0;
    EXPECT_EQ(recv(s1, &b, 1, MSG_DONTWAIT), 1);
    SAY("second accepted talks to c1: %c", b);
    /* A listener cannot connect, a connected socket cannot listen. */
    EXPECT_ERR(connect(l, (struct sockaddr *)&addr, sizeof addr), EINVAL);
    EXPECT_ERR(listen(s0, 1), EINVAL);
    /* Datagram sockets neither listen nor accept. */
    int d = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_ERR(listen(d, 1), EOPNOTSUPP);
    EXPECT_ERR(accept(d, NULL, NULL), EOPNOTSUPP);
    close(s0); close(s1); close(s2); close(s3); close(d);
    for (int i = 0; i < 4; i++) close(c[i]);
    close(l);
    return t_done();
}
