// syscalls: openat, write, sendfile, lseek, pread64, close
/* sendfile copies between files: without an offset pointer it advances the input offset,
 * with one it updates *offset and leaves the file position alone; short at EOF; an O_APPEND
 * output is EINVAL, a write-only input EBADF. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int in = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "in", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, in, "0123456789", 10), 10);
    EXPECT_EQ(syscall(SYS_lseek, in, 2, SEEK_SET), 2);
    int out = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "out", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_sendfile, out, in, NULL, 3), 3);
    EXPECT_EQ(syscall(SYS_lseek, in, 0, SEEK_CUR), 5);
    EXPECT_EQ(syscall(SYS_lseek, out, 0, SEEK_CUR), 3);
    long off = 7;
    EXPECT_EQ(syscall(SYS_sendfile, out, in, &off, 100), 3);
    EXPECT_EQ(off, 10);
    EXPECT_EQ(syscall(SYS_lseek, in, 0, SEEK_CUR), 5);
    EXPECT_EQ(syscall(SYS_sendfile, out, in, &off, 100), 0);
    char buf[16] = {0};
    EXPECT_EQ(syscall(SYS_pread64, out, buf, sizeof buf, 0), 6);
    SAY("out: %s", buf);
    EXPECT_EQ(syscall(SYS_sendfile, out, in, NULL, 0), 0);
    off = -1;
    EXPECT_ERR(syscall(SYS_sendfile, out, in, &off, 1), EINVAL);
    EXPECT_ERR(syscall(SYS_sendfile, out, in, (void *)1, 1), EFAULT);
    int app = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "out", O_WRONLY | O_APPEND));
    EXPECT_ERR(syscall(SYS_sendfile, app, in, NULL, 1), EINVAL);
    int wo = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "in", O_WRONLY));
    EXPECT_ERR(syscall(SYS_sendfile, out, wo, NULL, 1), EBADF);
    EXPECT_ERR(syscall(SYS_sendfile, 99, in, NULL, 1), EBADF);
    EXPECT_OK(syscall(SYS_close, in));
    EXPECT_OK(syscall(SYS_close, out));
    return t_done();
}
