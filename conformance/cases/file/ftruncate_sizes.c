// syscalls: openat, write, ftruncate, fstat, pread64, lseek, mkdirat, close
/* ftruncate grows with zeros and shrinks (the offset stays put); a negative length or a
 * descriptor not open for writing is EINVAL; a directory is EINVAL too. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "abcdefgh", 8), 8);
    struct stat st;
    EXPECT_OK(syscall(SYS_ftruncate, fd, 3));
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_size, 3);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 8);
    EXPECT_OK(syscall(SYS_ftruncate, fd, 6));
    char buf[8];
    memset(buf, 'x', sizeof buf);
    EXPECT_EQ(syscall(SYS_pread64, fd, buf, 8, 0), 6);
    SAY("%.3s %d %d %d", buf, buf[3], buf[4], buf[5]);
    EXPECT_OK(syscall(SYS_ftruncate, fd, 0));
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_size, 0);
    EXPECT_ERR(syscall(SYS_ftruncate, fd, -1L), EINVAL);
    int ro = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    EXPECT_ERR(syscall(SYS_ftruncate, ro, 1), EINVAL);
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0755));
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d", O_RDONLY | O_DIRECTORY));
    EXPECT_ERR(syscall(SYS_ftruncate, d, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_ftruncate, 99, 0), EBADF);
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_OK(syscall(SYS_close, ro));
    EXPECT_OK(syscall(SYS_close, d));
    return t_done();
}
