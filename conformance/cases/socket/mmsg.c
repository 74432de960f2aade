// syscalls: socketpair, sendmmsg, recvmmsg
/* sendmmsg and recvmmsg move several datagrams per call and fill in each msg_len;
 * MSG_WAITFORONE stops waiting after the first. (Raw calls for the error paths.) */
#include "harness.h"
#include <sys/socket.h>
#include <time.h>

int main(void) {
    int sv[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    struct iovec out[3] = { { "a", 1 }, { "bb", 2 }, { "ccc", 3 } };
    struct mmsghdr mo[3];
    memset(mo, 0, sizeof mo);
    for (int i = 0; i < 3; i++) { mo[i].msg_hdr.msg_iov = &out[i]; mo[i].msg_hdr.msg_iovlen = 1; }
    EXPECT_EQ(sendmmsg(sv[0], mo, 3, 0), 3);
    for (int i = 0; i < 3; i++) SAY("sent[%d] %u", i, mo[i].msg_len);

    char bufs[4][8];
    struct iovec in[4];
    struct mmsghdr mi[4];
    memset(mi, 0, sizeof mi);
    memset(bufs, 0, sizeof bufs);
    for (int i = 0; i < 4; i++) {
        in[i] = (struct iovec){ bufs[i], sizeof bufs[i] };
        mi[i].msg_hdr.msg_iov = &in[i];
        mi[i].msg_hdr.msg_iovlen = 1;
    }
    /* Only three are there: MSG_WAITFORONE returns them without waiting for a fourth. */
    EXPECT_EQ(recvmmsg(sv[1], mi, 4, MSG_WAITFORONE, NULL), 3);
    for (int i = 0; i < 3; i++) SAY("got[%d] %u %s", i, mi[i].msg_len, bufs[i]);
    EXPECT_ERR(recvmmsg(sv[1], mi, 4, MSG_DONTWAIT, NULL), EAGAIN);
    /* vlen 0 does nothing. */
    EXPECT_EQ(sendmmsg(sv[0], mo, 0, 0), 0);
    /* An error on the first message is reported; on a later one, the count so far. */
    EXPECT_ERR(syscall(SYS_sendmmsg, sv[0], (struct mmsghdr *)8, 1, 0), EFAULT);
    mo[1].msg_hdr.msg_iov = (struct iovec *)8;
    EXPECT_EQ(syscall(SYS_sendmmsg, sv[0], mo, 3, 0), 1);
    EXPECT_EQ(recvmmsg(sv[1], mi, 4, MSG_DONTWAIT, NULL), 1);
    /* A timeout is checked between datagrams. */
    EXPECT_EQ(sendmmsg(sv[0], mo, 1, 0), 1);
    struct timespec ts = { 5, 0 };
    EXPECT_EQ(recvmmsg(sv[1], mi, 1, 0, &ts), 1);
    SAY("timeout left positive: %d", ts.tv_sec > 0 || ts.tv_nsec > 0);
    ts.tv_nsec = 2000000000;
    EXPECT_ERR(syscall(SYS_recvmmsg, sv[1], mi, 1, MSG_DONTWAIT, &ts), EINVAL);
    return t_done();
}
