// syscalls: socketpair, socket, bind, listen, connect, accept, poll, shutdown, close
/* What poll reports for unix sockets: writable when connected, readable with data, a
 * listener readable with a pending connection; shutdown and close show up as POLLRDHUP,
 * POLLHUP and (after unread data was lost) POLLERR. */
#define _GNU_SOURCE
#include "harness.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

static void show(const char *what, int fd) {
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0 };
    int n = poll(&p, 1, 0);
    char s[128] = "";
    if (p.revents & POLLIN) strcat(s, " IN");
    if (p.revents & POLLOUT) strcat(s, " OUT");
    if (p.revents & POLLRDHUP) strcat(s, " RDHUP");
    if (p.revents & POLLHUP) strcat(s, " HUP");
    if (p.revents & POLLERR) strcat(s, " ERR");
    if (p.revents & POLLPRI) strcat(s, " PRI");
    SAY("%s: %d%s", what, n, s);
}

int main(void) {
    int sv[2];
    char buf[8];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    show("idle pair", sv[0]);
    EXPECT_EQ(send(sv[1], "x", 1, 0), 1);
    show("with data", sv[0]);
    EXPECT_EQ(recv(sv[0], buf, sizeof buf, 0), 1);
    EXPECT_OK(shutdown(sv[1], SHUT_WR));
    show("peer shut writing", sv[0]);
    show("after own SHUT_WR", sv[1]);
    EXPECT_OK(shutdown(sv[0], SHUT_WR));
    show("both shut", sv[0]);
    close(sv[0]); close(sv[1]);

    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_EQ(send(sv[1], "lost", 4, 0), 4);
    close(sv[0]);
    show("peer closed with unread data", sv[1]);
    close(sv[1]);

    int u = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    show("fresh stream socket", u);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(a.sun_path, "p.sock");
    EXPECT_OK(bind(u, (struct sockaddr *)&a, sizeof a));
    EXPECT_OK(listen(u, 1));
    show("idle listener", u);
    int c = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    show("listener with a connection", u);
    show("connected client", c);
    int s = EXPECT_OK(accept(u, NULL, NULL));
    show("listener after accept", u);
    show("accepted", s);

    int d = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    show("fresh datagram socket", d);
    int q = EXPECT_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    show("fresh seqpacket socket", q);
    int dv[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv));
    EXPECT_EQ(send(dv[0], "d", 1, 0), 1);
    show("datagram with data", dv[1]);
    EXPECT_OK(shutdown(dv[1], SHUT_RD));
    show("datagram SHUT_RD", dv[1]);
    return t_done();
}
