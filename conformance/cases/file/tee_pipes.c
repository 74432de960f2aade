// syscalls: pipe2, write, tee, read, openat, close
/* tee duplicates up to len bytes from one pipe into another without consuming them; both
 * ends must be pipes (EINVAL otherwise); an empty pipe with SPLICE_F_NONBLOCK is EAGAIN. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int p[2], q[2];
    EXPECT_OK(syscall(SYS_pipe2, p, 0));
    EXPECT_OK(syscall(SYS_pipe2, q, 0));
    EXPECT_EQ(syscall(SYS_write, p[1], "teed data", 9), 9);
    EXPECT_EQ(syscall(SYS_tee, p[0], q[1], 4, 0), 4);
    char buf[32] = {0};
    EXPECT_EQ(syscall(SYS_read, q[0], buf, sizeof buf), 4);
    SAY("copy: %s", buf);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(syscall(SYS_read, p[0], buf, sizeof buf), 9);
    SAY("original: %s", buf);
    EXPECT_ERR(syscall(SYS_tee, p[0], q[1], 4, 2), EAGAIN);
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_ERR(syscall(SYS_tee, f, q[1], 1, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_tee, p[0], f, 1, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_tee, p[0], p[1], 1, 0), EINVAL);
    EXPECT_EQ(syscall(SYS_tee, p[0], q[1], 0, 0), 0);
    EXPECT_OK(syscall(SYS_close, f));
    return t_done();
}
