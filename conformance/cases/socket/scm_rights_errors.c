// syscalls: socketpair, sendmsg, recvmsg, recv, pipe2, fcntl
/* Control data is checked before anything is sent: a bad descriptor is EBADF, a malformed
 * header or unknown SOL_SOCKET type EINVAL. A control buffer too small for the files sets
 * MSG_CTRUNC and the files that did not fit are closed; without one, all are. */
#include "harness.h"
#include <fcntl.h>
#include <sys/socket.h>

static char ctl[256];

static int send_ctl(int s, int level, int type, size_t cmsg_len, const int *fds, int n, size_t controllen) {
    memset(ctl, 0, sizeof ctl);
    struct iovec iov = { "m", 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = controllen };
    struct cmsghdr *c = (struct cmsghdr *)ctl;
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = cmsg_len;
    if (n) memcpy(CMSG_DATA(c), fds, n * sizeof(int));
    return sendmsg(s, &m, 0);
}

static int recv_ctl(int s, size_t controllen, int use_ctl) {
    char data[8];
    memset(ctl, 0, sizeof ctl);
    struct iovec iov = { data, sizeof data };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = use_ctl ? ctl : NULL,
                        .msg_controllen = controllen };
    int r = recvmsg(s, &m, 0);
    if (r < 0) return r;
    SAY("got %d byte(s), MSG_CTRUNC %d, controllen %d", r, (m.msg_flags & MSG_CTRUNC) != 0,
        (int)m.msg_controllen);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (c) SAY("cmsg len %d", (int)c->cmsg_len);
    return r;
}

int main(void) {
    int sv[2], p[2];
    char b;
    EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    EXPECT_OK(pipe2(p, 0));
    int bad = 99;
    EXPECT_ERR(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4), &bad, 1, CMSG_SPACE(4)), EBADF);
    int neg = -1;
    EXPECT_ERR(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4), &neg, 1, CMSG_SPACE(4)), EBADF);
    EXPECT_ERR(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, 8, p, 1, CMSG_SPACE(4)), EINVAL);
    EXPECT_ERR(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, CMSG_SPACE(4) + 8, p, 1, CMSG_SPACE(4)), EINVAL);
    EXPECT_ERR(send_ctl(sv[0], SOL_SOCKET, 77, CMSG_LEN(4), p, 1, CMSG_SPACE(4)), EINVAL);
    /* Other levels are skipped; an empty SCM_RIGHTS is fine; a short buffer has no header. */
    EXPECT_EQ(send_ctl(sv[0], 6, 1, CMSG_LEN(4), p, 1, CMSG_SPACE(4)), 1);
    EXPECT_EQ(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(0), p, 0, CMSG_SPACE(0)), 1);
    EXPECT_EQ(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4), p, 1, 8), 1);
    for (int i = 0; i < 3; i++) EXPECT_EQ(recv(sv[1], &b, 1, 0), 1);
    /* Nothing was queued by the failures. */
    EXPECT_ERR(recv(sv[1], &b, 1, MSG_DONTWAIT), EAGAIN);

    /* Two files, room for one. */
    int two[2] = { p[0], p[1] };
    EXPECT_EQ(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(8), two, 2, CMSG_SPACE(8)), 1);
    EXPECT_EQ(recv_ctl(sv[1], CMSG_LEN(4), 1), 1);
    SAY("fd %d open %d", p[1] + 1, fcntl(p[1] + 1, F_GETFD) >= 0);
    SAY("fd %d open %d", p[1] + 2, fcntl(p[1] + 2, F_GETFD) >= 0);
    close(p[1] + 1);
    /* Room for the header only. */
    EXPECT_EQ(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4), p, 1, CMSG_SPACE(4)), 1);
    EXPECT_EQ(recv_ctl(sv[1], sizeof(struct cmsghdr), 1), 1);
    /* No control buffer at all. */
    EXPECT_EQ(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4), p, 1, CMSG_SPACE(4)), 1);
    EXPECT_EQ(recv_ctl(sv[1], 0, 0), 1);
    SAY("fd %d open %d", p[1] + 1, fcntl(p[1] + 1, F_GETFD) >= 0);
    /* read() drops passed files too. */
    EXPECT_EQ(send_ctl(sv[0], SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4), p, 1, CMSG_SPACE(4)), 1);
    EXPECT_EQ(read(sv[1], &b, 1), 1);
    SAY("fd %d open %d", p[1] + 1, fcntl(p[1] + 1, F_GETFD) >= 0);

    /* On a stream, a read ends with the chunk that carried files. */
    int st[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, st));
    EXPECT_EQ(send(st[0], "ab", 2, 0), 2);
    EXPECT_EQ(send_ctl(st[0], SOL_SOCKET, SCM_RIGHTS, CMSG_LEN(4), p, 1, CMSG_SPACE(4)), 1);
    EXPECT_EQ(send(st[0], "cd", 2, 0), 2);
    EXPECT_EQ(recv_ctl(st[1], sizeof ctl, 1), 3);
    EXPECT_EQ(recv_ctl(st[1], sizeof ctl, 1), 2);
    return t_done();
}
