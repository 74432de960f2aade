// syscalls: socket, socketpair, getsockopt, getsockname, listen, fcntl, pipe2, close
/* socket and socketpair check flags, family, type and protocol in Linux's order; socket
 * calls on non-sockets are ENOTSOCK, on closed descriptors EBADF. */
#include "harness.h"
#include <fcntl.h>
#include <sys/socket.h>

int main(void) {
    int sv[2];
    EXPECT_ERR(socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
    EXPECT_ERR(socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
    EXPECT_ERR(socket(46, SOCK_STREAM, 0), EAFNOSUPPORT);
    EXPECT_ERR(socket(1000, SOCK_STREAM, 0), EAFNOSUPPORT);
    EXPECT_ERR(socket(AF_UNIX, 12, 0), EINVAL);
    EXPECT_ERR(socket(AF_UNIX, 15, 0), EINVAL);
    EXPECT_ERR(socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
    EXPECT_ERR(socket(AF_UNIX, SOCK_PACKET, 0), ESOCKTNOSUPPORT);
    EXPECT_ERR(socket(AF_UNIX, 0, 0), ESOCKTNOSUPPORT);
    EXPECT_ERR(socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
    /* The protocol is checked before the type. */
    EXPECT_ERR(socket(AF_UNIX, SOCK_RDM, 2), EPROTONOSUPPORT);
    EXPECT_ERR(socketpair(AF_UNIX, SOCK_STREAM | 0x100000, 0, sv), EINVAL);
    EXPECT_ERR(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, (int *)8), EFAULT);

    /* Protocol PF_UNIX is accepted; SOCK_RAW is a datagram socket. */
    int s = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, PF_UNIX));
    close(s);
    s = EXPECT_OK(socket(AF_UNIX, SOCK_RAW, 0));
    int v;
    socklen_t len = sizeof v;
    EXPECT_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len));
    SAY("SOCK_RAW gives type %d", v);
    close(s);

    s = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    SAY("O_NONBLOCK: %d", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    SAY("FD_CLOEXEC: %ld", (long)fcntl(s, F_GETFD));
    SAY("access: %d", fcntl(s, F_GETFL) & O_ACCMODE);
    close(s);

    int p[2];
    EXPECT_OK(pipe2(p, 0));
    struct sockaddr sa;
    len = sizeof sa;
    EXPECT_ERR(getsockname(p[0], &sa, &len), ENOTSOCK);
    EXPECT_ERR(listen(p[0], 1), ENOTSOCK);
    EXPECT_ERR(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK);
    EXPECT_ERR(send(p[1], "x", 1, 0), ENOTSOCK);
    EXPECT_ERR(shutdown(p[0], SHUT_RD), ENOTSOCK);
    EXPECT_ERR(listen(99, 1), EBADF);
    EXPECT_ERR(recv(99, &v, 1, 0), EBADF);
    return t_done();
}
