// syscalls: openat, write, pipe2, splice, read, pread64, lseek, close
/* splice moves data between a file and a pipe (one side must be a pipe), and between two
 * pipes; file offsets come from the pointer (updated) or the file position. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, f, "spliced data", 12), 12);
    int p[2], q[2];
    EXPECT_OK(syscall(SYS_pipe2, p, 0));
    EXPECT_OK(syscall(SYS_pipe2, q, 0));
    long off = 0;
    EXPECT_EQ(syscall(SYS_splice, f, &off, p[1], NULL, 7, 0), 7);
    EXPECT_EQ(off, 7);
    EXPECT_EQ(syscall(SYS_lseek, f, 0, SEEK_CUR), 12);
    char buf[32] = {0};
    off = 100;
    EXPECT_EQ(syscall(SYS_splice, p[0], NULL, f, &off, 7, 0), 7);
    EXPECT_EQ(off, 107);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(syscall(SYS_pread64, f, buf, 7, 100), 7);
    SAY("file copy: %s", buf);
    /* Neither end a pipe, or both offsets on pipes: EINVAL / ESPIPE. */
    EXPECT_ERR(syscall(SYS_splice, f, NULL, f, NULL, 1, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_splice, p[0], &off, q[1], NULL, 1, 0), ESPIPE);
    EXPECT_ERR(syscall(SYS_splice, p[0], NULL, p[1], NULL, 1, 0), EINVAL);
    /* pipe to pipe, then back into the file at its own position. */
    EXPECT_EQ(syscall(SYS_write, p[1], "xyz", 3), 3);
    EXPECT_EQ(syscall(SYS_splice, p[0], NULL, q[1], NULL, 10, 0), 3);
    EXPECT_EQ(syscall(SYS_lseek, f, 0, SEEK_SET), 0);
    EXPECT_EQ(syscall(SYS_splice, q[0], NULL, f, NULL, 3, 0), 3);
    EXPECT_EQ(syscall(SYS_lseek, f, 0, SEEK_CUR), 3);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(syscall(SYS_pread64, f, buf, 12, 0), 12);
    SAY("file now: %s", buf);
    EXPECT_EQ(syscall(SYS_splice, f, NULL, p[1], NULL, 0, 0), 0);
    EXPECT_ERR(syscall(SYS_splice, f, NULL, p[1], NULL, 1, 0x100), EINVAL);
    EXPECT_ERR(syscall(SYS_splice, 99, NULL, p[1], NULL, 1, 0), EBADF);
    /* An empty pipe with SPLICE_F_NONBLOCK: EAGAIN. */
    EXPECT_ERR(syscall(SYS_splice, p[0], NULL, f, NULL, 1, 2), EAGAIN);
    EXPECT_OK(syscall(SYS_close, f));
    return t_done();
}
