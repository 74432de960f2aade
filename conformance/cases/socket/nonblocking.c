// syscalls: socketpair, fcntl, ioctl, recv, send, accept, connect
/* Non-blocking sockets (SOCK_NONBLOCK, O_NONBLOCK via fcntl, FIONBIO) and MSG_DONTWAIT
 * give EAGAIN instead of waiting; a non-blocking stream send queues what fits. */
#include "harness.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

int main(void) {
    int sv[2];
    char buf[8];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    SAY("O_NONBLOCK %d", (fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0);
    EXPECT_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN);
    EXPECT_ERR(read(sv[0], buf, sizeof buf), EAGAIN);
    EXPECT_OK(fcntl(sv[0], F_SETFL, 0));
    /* Blocking again, but MSG_DONTWAIT still does not wait. */
    EXPECT_ERR(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    int on = 1;
    EXPECT_OK(ioctl(sv[0], FIONBIO, &on));
    EXPECT_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN);

    /* Fill the pipe: the first send queues part, later ones EAGAIN. */
    int v = 8192;
    EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    static char big[1 << 18];
    long n = send(sv[1], big, sizeof big, 0);
    SAY("first send partial: %d", n > 0 && n < (long)sizeof big);
    EXPECT_ERR(send(sv[1], big, sizeof big, 0), EAGAIN);
    EXPECT_ERR(write(sv[1], big, 1), EAGAIN);
    /* Reading everything makes room again. */
    long total = 0, r;
    static char sink[1 << 18];
    while ((r = recv(sv[0], sink, sizeof sink, 0)) > 0) total += r;
    SAY("drained all: %d", total == n);
    EXPECT_EQ(send(sv[1], "y", 1, 0), 1);
    int q = -1;
    EXPECT_OK(ioctl(sv[0], FIONREAD, &q));
    SAY("FIONREAD %d", q);
    return t_done();
}
