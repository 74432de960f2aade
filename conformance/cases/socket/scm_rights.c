// syscalls: socketpair, sendmsg, recvmsg, pipe2, fcntl, read, write, close
/* SCM_RIGHTS passes open files: the receiver gets new descriptors for the same open file
 * descriptions (MSG_CMSG_CLOEXEC marks them close-on-exec); the sender may close its own. */
#include "harness.h"
#include <fcntl.h>
#include <sys/socket.h>

static int send_fds(int s, const int *fds, int n, const char *data) {
    char ctl[CMSG_SPACE(sizeof(int) * 4)];
    memset(ctl, 0, sizeof ctl);
    struct iovec iov = { (void *)data, strlen(data) };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                        .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    return sendmsg(s, &m, 0);
}

/* Receives one message; returns its byte count and stores up to 4 fds in out. */
static int recv_fds(int s, int *out, int *nfds, int flags, int *mflags) {
    char ctl[CMSG_SPACE(sizeof(int) * 4)];
    char data[64];
    struct iovec iov = { data, sizeof data };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                        .msg_controllen = sizeof ctl };
    int r = recvmsg(s, &m, flags);
    *nfds = 0;
    *mflags = m.msg_flags;
    if (r < 0) return r;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        SAY("cmsg level %d type %d len %d", c->cmsg_level, c->cmsg_type, (int)c->cmsg_len);
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            memcpy(out + *nfds, CMSG_DATA(c), n * sizeof(int));
            *nfds += n;
        }
    }
    SAY("controllen used %d", (int)m.msg_controllen);
    return r;
}

int main(void) {
    int sv[2], p[2], got[4], n, mf;
    char buf[32];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_OK(pipe2(p, 0));
    SAY("pipe fds %d %d", p[0], p[1]);
    EXPECT_EQ(send_fds(sv[0], &p[0], 1, "fd"), 2);
    /* The sender's copy can go: the description travels in the message. */
    EXPECT_OK(close(p[0]));
    EXPECT_EQ(recv_fds(sv[1], got, &n, 0, &mf), 2);
    SAY("received %d fd(s), first %d", n, got[0]);
    SAY("FD_CLOEXEC %ld", (long)fcntl(got[0], F_GETFD));
    EXPECT_EQ(write(p[1], "through", 7), 7);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(read(got[0], buf, sizeof buf), 7);
    SAY("read %s", buf);
    SAY("flags same: %d", fcntl(got[0], F_GETFL) == (O_RDONLY | (fcntl(got[0], F_GETFL) & ~O_ACCMODE)));

    /* Several at once, with MSG_CMSG_CLOEXEC. */
    int many[3] = { p[1], got[0], 1 };
    EXPECT_EQ(send_fds(sv[1], many, 3, "three"), 5);
    EXPECT_EQ(recv_fds(sv[0], got, &n, MSG_CMSG_CLOEXEC, &mf), 5);
    SAY("received %d fd(s): %d %d %d", n, got[0], got[1], got[2]);
    SAY("msg_flags has MSG_CMSG_CLOEXEC %d", (mf & MSG_CMSG_CLOEXEC) != 0);
    for (int i = 0; i < n; i++) SAY("fd %d FD_CLOEXEC %ld", got[i], (long)fcntl(got[i], F_GETFD));
    /* The write end passed through works. */
    EXPECT_EQ(write(got[0], "again", 5), 5);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(read(got[1], buf, sizeof buf), 5);
    SAY("read %s", buf);

    /* A datagram socketpair passes a socket end itself. */
    int dv[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv));
    EXPECT_EQ(send_fds(dv[0], &sv[0], 1, "sock"), 4);
    EXPECT_EQ(recv_fds(dv[1], got, &n, 0, &mf), 4);
    EXPECT_EQ(send(got[0], "via passed socket", 17, 0), 17);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 17);
    SAY("read %s", buf);
    return t_done();
}
