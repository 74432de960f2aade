// syscalls: pipe2, dup, dup2, dup3, fcntl, write, read, close
/* Duplicated pipe ends: a dup shares the open file description (O_NONBLOCK set through one is
 * seen through the other) but not FD_CLOEXEC; dup2 onto itself is a no-op, dup3 onto itself
 * is EINVAL; dup2 over the other end closes it; the pipe reaches EOF only when the last write
 * end (of all the dups) is closed. */
#include "harness.h"
#include <fcntl.h>

/* Status flags without O_LARGEFILE (pipe2's own case checks that exactly). */
#define FL(fd) (fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK))

int main(void) {
    int p[2];
    char buf[8];
    EXPECT_OK(pipe2(p, O_CLOEXEC));
    int r2 = EXPECT_OK(dup(p[0]));
    EXPECT_EQ(fcntl(r2, F_GETFD), 0);
    EXPECT_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    EXPECT_EQ(FL(r2), O_RDONLY | O_NONBLOCK);
    EXPECT_ERR(read(r2, buf, 1), EAGAIN);
    EXPECT_EQ(write(p[1], "hi", 2), 2);
    EXPECT_EQ(read(r2, buf, 1), 1);
    EXPECT_EQ(read(p[0], buf, 1), 1);

    EXPECT_EQ(dup2(p[1], p[1]), p[1]);
    EXPECT_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    EXPECT_ERR(syscall(SYS_dup3, p[1], p[1], 0), EINVAL);
    EXPECT_ERR(syscall(SYS_dup3, p[1], p[1], O_CLOEXEC), EINVAL);
    EXPECT_ERR(syscall(SYS_dup3, p[1], 40, O_NONBLOCK), EINVAL);
    EXPECT_EQ(syscall(SYS_dup3, p[1], 40, O_CLOEXEC), 40);
    EXPECT_EQ(fcntl(40, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(FL(40), O_WRONLY);
    EXPECT_EQ(dup2(p[1], 41), 41);
    EXPECT_EQ(fcntl(41, F_GETFD), 0);

    /* Three write ends now: p[1], 40, 41. Closing two keeps the pipe open. */
    EXPECT_OK(close(p[1]));
    EXPECT_OK(close(40));
    EXPECT_ERR(read(p[0], buf, 1), EAGAIN);
    EXPECT_EQ(write(41, "z", 1), 1);
    EXPECT_EQ(read(p[0], buf, 8), 1);
    /* dup2 of the read end over the last write end closes that write end: EOF. */
    EXPECT_EQ(dup2(p[0], 41), 41);
    EXPECT_EQ(FL(41), O_RDONLY | O_NONBLOCK);
    EXPECT_EQ(read(p[0], buf, 1), 0);
    EXPECT_EQ(read(41, buf, 1), 0);
    EXPECT_ERR(write(41, "z", 1), EBADF);
    EXPECT_ERR(read(40, buf, 1), EBADF);
    return t_done();
}
