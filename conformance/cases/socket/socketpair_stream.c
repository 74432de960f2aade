// syscalls: socketpair, write, read, sendto, recvfrom, fstat, getsockopt, close
/* A stream socketpair carries bytes both ways, merges writes, and reports its type,
 * domain and protocol; fstat sees a socket. */
#include "harness.h"
#include <sys/socket.h>
#include <sys/stat.h>

int main(void) {
    int sv[2];
    char buf[64];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    SAY("fds: %d %d", sv[0], sv[1]);
    EXPECT_EQ(write(sv[0], "hello ", 6), 6);
    EXPECT_EQ(send(sv[0], "world", 5, 0), 5);
    /* Two writes read back as one stream. */
    EXPECT_EQ(read(sv[1], buf, 3), 3);
    EXPECT_EQ(recv(sv[1], buf + 3, sizeof buf - 3, 0), 8);
    SAY("got: %.11s", buf);
    EXPECT_EQ(write(sv[1], "back", 4), 4);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(read(sv[0], buf, sizeof buf), 4);
    SAY("got: %s", buf);
    /* A zero-length read returns at once, even with nothing queued. */
    EXPECT_EQ(read(sv[0], buf, 0), 0);

    struct stat st;
    EXPECT_OK(fstat(sv[0], &st));
    CHECK(S_ISSOCK(st.st_mode));
    SAY("mode: %o", st.st_mode & 07777);
    SAY("size: %ld", (long)st.st_size);

    int v = -1;
    socklen_t len = sizeof v;
    EXPECT_OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len));
    SAY("SO_TYPE %d len %d", v, (int)len);
    EXPECT_OK(getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &len));
    SAY("SO_DOMAIN %d", v);
    EXPECT_OK(getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &len));
    SAY("SO_PROTOCOL %d", v);
    EXPECT_OK(getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
    SAY("SO_ACCEPTCONN %d", v);

    /* Each end names the other as an unnamed peer: the family alone. */
    struct sockaddr_un { sa_family_t f; char p[108]; } a;
    len = sizeof a;
    EXPECT_OK(getpeername(sv[0], (struct sockaddr *)&a, &len));
    SAY("peer len %d family %d", (int)len, a.f);
    len = sizeof a;
    EXPECT_OK(getsockname(sv[1], (struct sockaddr *)&a, &len));
    SAY("name len %d family %d", (int)len, a.f);

    EXPECT_OK(close(sv[0]));
    /* The peer is gone: end of file. */
    EXPECT_EQ(read(sv[1], buf, sizeof buf), 0);
    EXPECT_OK(close(sv[1]));
    return t_done();
}
