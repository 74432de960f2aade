// syscalls: socket, bind, listen, connect, accept, accept4, getsockname, getpeername, send, recv, fcntl
/* One process plays both sides: a unix stream connect completes at once while the listener
 * has room, and accept then hands out the server end, named after the listener. */
#include "harness.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

static void show(const char *what, int fd, int peer) {
    struct sockaddr_un a;
    memset(&a, 0x55, sizeof a);
    socklen_t len = sizeof a;
    int r = peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len);
    if (r < 0) { SAY("%s: %s", what, t_errname(errno)); return; }
    SAY("%s: len %d family %d path \"%s\"", what, (int)len, a.sun_family,
        len > 2 ? a.sun_path : "");
}

int main(void) {
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    strcpy(addr.sun_path, "srv.sock");
    int l = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(bind(l, (struct sockaddr *)&addr, sizeof addr));
    show("listener name", l, 0);
    EXPECT_OK(listen(l, 5));
    int v; socklen_t vl = sizeof v;
    EXPECT_OK(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    SAY("SO_ACCEPTCONN %d", v);

    int c = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(connect(c, (struct sockaddr *)&addr, sizeof addr));
    show("client name", c, 0);
    show("client peer", c, 1);

    struct sockaddr_un from;
    socklen_t flen = sizeof from;
    int s = EXPECT_OK(accept(l, (struct sockaddr *)&from, &flen));
    SAY("accepted peer len %d family %d", (int)flen, from.sun_family);
    show("server name", s, 0);
    show("server peer", s, 1);
    show("listener peer", l, 1);

    char buf[16] = {0};
    EXPECT_EQ(send(c, "ping", 4, 0), 4);
    EXPECT_EQ(recv(s, buf, sizeof buf, 0), 4);
    SAY("server got %s", buf);
    EXPECT_EQ(send(s, "pong", 4, 0), 4);
    EXPECT_EQ(recv(c, buf, sizeof buf, 0), 4);
    SAY("client got %s", buf);

    /* A bound client shows its name to the server. */
    struct sockaddr_un caddr = { .sun_family = AF_UNIX };
    strcpy(caddr.sun_path, "cli.sock");
    int c2 = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(bind(c2, (struct sockaddr *)&caddr, sizeof caddr));
    EXPECT_OK(connect(c2, (struct sockaddr *)&addr, sizeof addr));
    flen = sizeof from;
    int s2 = EXPECT_OK(accept4(l, (struct sockaddr *)&from, &flen, SOCK_NONBLOCK | SOCK_CLOEXEC));
    SAY("accepted peer len %d path %s", (int)flen, from.sun_path);
    SAY("accept4 O_NONBLOCK %d FD_CLOEXEC %ld", (fcntl(s2, F_GETFL) & O_NONBLOCK) != 0,
        (long)fcntl(s2, F_GETFD));
    EXPECT_ERR(recv(s2, buf, sizeof buf, 0), EAGAIN);
    /* A short address buffer gets the full length back. */
    int c3 = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    strcpy(caddr.sun_path, "c3.sock");
    EXPECT_OK(bind(c3, (struct sockaddr *)&caddr, sizeof caddr));
    EXPECT_OK(connect(c3, (struct sockaddr *)&addr, sizeof addr));
    struct sockaddr_un tiny;
    memset(&tiny, 0, sizeof tiny);
    flen = 4;
    int s3 = EXPECT_OK(accept(l, (struct sockaddr *)&tiny, &flen));
    SAY("short buffer: len %d, got \"%.2s\"", (int)flen, tiny.sun_path);
    /* A NULL address is fine too. */
    int c4 = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(connect(c4, (struct sockaddr *)&addr, sizeof addr));
    int s4 = EXPECT_OK(accept(l, NULL, NULL));
    EXPECT_EQ(send(c4, "z", 1, 0), 1);
    EXPECT_EQ(recv(s4, buf, 1, 0), 1);
    close(s); close(s2); close(s3); close(s4);
    close(c); close(c2); close(c3); close(c4); close(l);
    return t_done();
}
