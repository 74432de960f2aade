// syscalls: socketpair, send, recv, sendmsg, recvmsg, getsockname, getpeername, accept
/* Bad guest pointers are EFAULT, and a stream receive into a bad buffer consumes nothing.
 * (Raw calls where musl's wrappers would copy the msghdr themselves.) */
#include "harness.h"
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(void) {
    int sv[2];
    char buf[16];
    void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_ERR(send(sv[0], hole, 4, 0), EFAULT);
    EXPECT_ERR(send(sv[0], (void *)-4096L, 4, 0), EFAULT);
    EXPECT_EQ(send(sv[0], "kept", 4, 0), 4);
    EXPECT_ERR(recv(sv[1], hole, sizeof buf, 0), EFAULT);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(recv(sv[1], buf, sizeof buf, 0), 4);
    SAY("still there: %s", buf);
    EXPECT_ERR(syscall(SYS_sendmsg, sv[0], hole, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_recvmsg, sv[1], hole, 0), EFAULT);
    struct iovec iov = { hole, 4 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    EXPECT_ERR(syscall(SYS_sendmsg, sv[0], &m, 0), EFAULT);
    /* A control buffer that cannot be read. */
    iov.iov_base = "x";
    iov.iov_len = 1;
    m.msg_control = hole;
    m.msg_controllen = 64;
    EXPECT_ERR(syscall(SYS_sendmsg, sv[0], &m, 0), EFAULT);
    m.msg_controllen = 1 << 30;
    EXPECT_ERR(syscall(SYS_sendmsg, sv[0], &m, 0), ENOBUFS);
    m.msg_control = NULL;
    m.msg_controllen = 0;
    m.msg_name = hole;
    m.msg_namelen = -1;
    EXPECT_ERR(syscall(SYS_sendmsg, sv[0], &m, 0), EINVAL);
    struct sockaddr_un a;
    socklen_t len = sizeof a;
    EXPECT_ERR(getsockname(sv[0], hole, &len), EFAULT);
    EXPECT_ERR(getsockname(sv[0], (struct sockaddr *)&a, hole), EFAULT);
    EXPECT_ERR(getpeername(sv[0], (struct sockaddr *)&a, NULL), EFAULT);
    len = -1;
    EXPECT_ERR(getsockname(sv[0], (struct sockaddr *)&a, &len), EINVAL);
    /* A zero-length buffer is not even looked at. */
    len = 0;
    EXPECT_OK(getsockname(sv[0], hole, &len));
    SAY("len %d", (int)len);
    return t_done();
}
