// syscalls: socketpair, setsockopt, getsockopt, sendmsg, recvmsg, getpid, getuid, getgid
/* With SO_PASSCRED the receiver gets SCM_CREDENTIALS (the sender's pid, uid, gid) with
 * every message; a sender may state its own; SO_PEERCRED names the peer. */
#include "harness.h"
#include <sys/socket.h>

static int recv_creds(int s, struct ucred *uc, char *data, size_t dlen) {
    char ctl[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec iov = { data, dlen };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
    memset(data, 0, dlen);
    int r = recvmsg(s, &m, 0);
    if (r < 0) return r;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    SAY("cmsg: %s", c && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof *uc) ? "SCM_CREDENTIALS" : "none");
    if (c) memcpy(uc, CMSG_DATA(c), sizeof *uc);
    return r;
}

static int send_creds(int s, struct ucred uc, const char *data) {
    char ctl[CMSG_SPACE(sizeof uc)];
    struct iovec iov = { (void *)data, strlen(data) };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof uc);
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
    return sendmsg(s, &m, 0);
}

int main(void) {
    int sv[2], on = 1, v;
    socklen_t len;
    char buf[16];
    struct ucred uc;
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    len = sizeof uc;
    EXPECT_OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &len));
    SAY("SO_PEERCRED len %d: pid is mine %d, uid is mine %d, gid is mine %d", (int)len,
        uc.pid == getpid(), uc.uid == geteuid(), uc.gid == getegid());
    len = sizeof v;
    EXPECT_OK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &len));
    SAY("SO_PASSCRED %d", v);
    EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    EXPECT_OK(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &len));
    SAY("SO_PASSCRED %d", v);

    EXPECT_EQ(send(sv[0], "plain", 5, 0), 5);
    memset(&uc, 0, sizeof uc);
    EXPECT_EQ(recv_creds(sv[1], &uc, buf, sizeof buf), 5);
    SAY("creds: pid is mine %d, uid is mine %d, gid is mine %d", uc.pid == getpid(),
        uc.uid == getuid(), uc.gid == getgid());

    /* Explicit credentials naming ourselves. */
    struct ucred mine = { getpid(), getuid(), getgid() };
    EXPECT_EQ(send_creds(sv[0], mine, "explicit"), 8);
    EXPECT_EQ(recv_creds(sv[1], &uc, buf, sizeof buf), 8);
    SAY("creds: pid is mine %d", uc.pid == getpid());
    /* Invalid ids are refused. */
    struct ucred badid = { getpid(), (uid_t)-1, getgid() };
    EXPECT_ERR(send_creds(sv[0], badid, "x"), EINVAL);
    /* A malformed credentials header. */
    char ctl[CMSG_SPACE(16)];
    struct iovec iov = { "x", 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(16);
    EXPECT_ERR(sendmsg(sv[0], &m, 0), EINVAL);

    /* A datagram pair: credentials ride on each datagram too. */
    int dv[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv));
    EXPECT_OK(setsockopt(dv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    EXPECT_EQ(send(dv[0], "dg", 2, 0), 2);
    EXPECT_EQ(recv_creds(dv[1], &uc, buf, sizeof buf), 2);
    SAY("creds: pid is mine %d", uc.pid == getpid());
    /* Without a control buffer the credentials are cut: MSG_CTRUNC. */
    EXPECT_EQ(send(dv[0], "dg", 2, 0), 2);
    struct iovec riov = { buf, sizeof buf };
    struct msghdr rm = { .msg_iov = &riov, .msg_iovlen = 1 };
    EXPECT_EQ(recvmsg(dv[1], &rm, 0), 2);
    SAY("MSG_CTRUNC %d", (rm.msg_flags & MSG_CTRUNC) != 0);

    /* An unconnected socket has no peer credentials: pid 0, ids -1. */
    int u = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    len = sizeof uc;
    EXPECT_OK(getsockopt(u, SOL_SOCKET, SO_PEERCRED, &uc, &len));
    SAY("unconnected: pid %d uid %d gid %d", uc.pid, (int)uc.uid, (int)uc.gid);
    /* SO_PEERCRED is read-only. */
    EXPECT_ERR(setsockopt(u, SOL_SOCKET, SO_PEERCRED, &uc, sizeof uc), ENOPROTOOPT);
    return t_done();
}
