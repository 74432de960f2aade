// syscalls: openat, write, copy_file_range, lseek, pread64, mkdirat, close
/* copy_file_range: with NULL offsets it uses and advances both file positions, with
 * pointers it updates them instead; nonzero flags are EINVAL; overlapping ranges of one
 * file are EINVAL; a directory is EISDIR; O_APPEND output is EBADF. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int in = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "in", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, in, "abcdefghij", 10), 10);
    EXPECT_EQ(syscall(SYS_lseek, in, 0, SEEK_SET), 0);
    int out = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "out", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_copy_file_range, in, NULL, out, NULL, 4, 0), 4);
    EXPECT_EQ(syscall(SYS_lseek, in, 0, SEEK_CUR), 4);
    EXPECT_EQ(syscall(SYS_lseek, out, 0, SEEK_CUR), 4);
    long ioff = 8, ooff = 10;
    EXPECT_EQ(syscall(SYS_copy_file_range, in, &ioff, out, &ooff, 100, 0), 2);
    EXPECT_EQ(ioff, 10);
    EXPECT_EQ(ooff, 12);
    EXPECT_EQ(syscall(SYS_lseek, in, 0, SEEK_CUR), 4);
    EXPECT_EQ(syscall(SYS_copy_file_range, in, &ioff, out, &ooff, 100, 0), 0);
    char buf[16];
    memset(buf, '.', sizeof buf);
    EXPECT_EQ(syscall(SYS_pread64, out, buf, sizeof buf, 0), 12);
    for (int i = 0; i < 12; i++) if (!buf[i]) buf[i] = '0';
    SAY("out: %.12s", buf);
    EXPECT_ERR(syscall(SYS_copy_file_range, in, NULL, out, NULL, 1, 1), EINVAL);
    long a = 0, b = 2;
    EXPECT_ERR(syscall(SYS_copy_file_range, in, &a, in, &b, 4, 0), EINVAL);
    a = 0, b = 5;
    EXPECT_EQ(syscall(SYS_copy_file_range, in, &a, in, &b, 5, 0), 5);
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0755));
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d", O_RDONLY));
    EXPECT_ERR(syscall(SYS_copy_file_range, d, NULL, out, NULL, 1, 0), EISDIR);
    int app = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "out", O_WRONLY | O_APPEND));
    EXPECT_ERR(syscall(SYS_copy_file_range, in, NULL, app, NULL, 1, 0), EBADF);
    EXPECT_OK(syscall(SYS_close, in));
    EXPECT_OK(syscall(SYS_close, out));
    return t_done();
}
