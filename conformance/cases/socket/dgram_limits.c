// syscalls: socket, socketpair, bind, sendto, send, recv, setsockopt
/* A datagram larger than the send buffer is EMSGSIZE; a receiver queues at most
 * max_dgram_qlen + 1 datagrams from a sender it is not connected to (then EAGAIN), and
 * reading one makes room. */
#include "harness.h"
#include <sys/socket.h>
#include <sys/un.h>

static char big[300000];

int main(void) {
    struct sockaddr_un r = { .sun_family = AF_UNIX };
    strcpy(r.sun_path, "recv.sock");
    int rx = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_OK(bind(rx, (struct sockaddr *)&r, sizeof r));
    int tx = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    EXPECT_ERR(sendto(tx, big, sizeof big, 0, (struct sockaddr *)&r, sizeof r), EMSGSIZE);
    /* A large datagram below the limit goes through whole. */
    EXPECT_EQ(sendto(tx, big, 100000, 0, (struct sockaddr *)&r, sizeof r), 100000);
    EXPECT_EQ(recv(rx, big, sizeof big, 0), 100000);
    /* A smaller send buffer lowers the limit. */
    int v = 4096;
    EXPECT_OK(setsockopt(tx, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    EXPECT_ERR(sendto(tx, big, 8192, 0, (struct sockaddr *)&r, sizeof r), EMSGSIZE);
    EXPECT_EQ(sendto(tx, big, 8000, 0, (struct sockaddr *)&r, sizeof r), 8000);
    EXPECT_EQ(recv(rx, big, sizeof big, 0), 8000);
    v = 65536;
    EXPECT_OK(setsockopt(tx, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));

    int sent = 0;
    for (int i = 0; i < 11; i++) sent += sendto(tx, "d", 1, 0, (struct sockaddr *)&r, sizeof r) == 1;
    SAY("queued %d", sent);
    EXPECT_ERR(sendto(tx, "d", 1, 0, (struct sockaddr *)&r, sizeof r), EAGAIN);
    EXPECT_ERR(sendto(tx, "d", 1, MSG_DONTWAIT, (struct sockaddr *)&r, sizeof r), EAGAIN);
    char b;
    EXPECT_EQ(recv(rx, &b, 1, 0), 1);
    EXPECT_EQ(sendto(tx, "d", 1, 0, (struct sockaddr *)&r, sizeof r), 1);
    for (int i = 0; i < 11; i++) recv(rx, &b, 1, 0);
    EXPECT_ERR(recv(rx, &b, 1, MSG_DONTWAIT), EAGAIN);

    /* Sockets connected to each other are not held to the queue limit. */
    int sv[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    sent = 0;
    for (int i = 0; i < 20; i++) sent += send(sv[0], "p", 1, MSG_DONTWAIT) == 1;
    SAY("socketpair queued %d", sent);
    close(rx); close(tx); close(sv[0]); close(sv[1]);
    return t_done();
}
