// syscalls: openat, fcntl, write, lseek, close
/* F_GETFL reports the access mode and status flags (O_LARGEFILE is implied on 64-bit);
 * F_SETFL changes O_APPEND/O_NONBLOCK but not the access mode or creation flags;
 * F_GETFD/F_SETFD handle FD_CLOEXEC only. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_EXCL | O_WRONLY | O_TRUNC, 0644));
    long fl = syscall(SYS_fcntl, fd, F_GETFL);
    SAY("accmode=%ld append=%d nonblock=%d creat=%d excl=%d trunc=%d", fl & O_ACCMODE,
        !!(fl & O_APPEND), !!(fl & O_NONBLOCK), !!(fl & O_CREAT), !!(fl & O_EXCL), !!(fl & O_TRUNC));
    EXPECT_OK(syscall(SYS_fcntl, fd, F_SETFL, O_RDWR | O_APPEND | O_NONBLOCK | O_CREAT));
    fl = syscall(SYS_fcntl, fd, F_GETFL);
    SAY("accmode=%ld append=%d nonblock=%d creat=%d", fl & O_ACCMODE, !!(fl & O_APPEND),
        !!(fl & O_NONBLOCK), !!(fl & O_CREAT));
    EXPECT_EQ(syscall(SYS_write, fd, "ab", 2), 2);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    EXPECT_EQ(syscall(SYS_write, fd, "cd", 2), 2);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 4);
    EXPECT_OK(syscall(SYS_fcntl, fd, F_SETFL, 0));
    fl = syscall(SYS_fcntl, fd, F_GETFL);
    SAY("append=%d nonblock=%d", !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
    EXPECT_EQ(syscall(SYS_fcntl, fd, F_GETFD), 0);
    EXPECT_OK(syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC));
    EXPECT_EQ(syscall(SYS_fcntl, fd, F_GETFD), FD_CLOEXEC);
    /* Only bit 0 is meaningful. */
    EXPECT_OK(syscall(SYS_fcntl, fd, F_SETFD, 0xfe));
    EXPECT_EQ(syscall(SYS_fcntl, fd, F_GETFD), 0);
    int rd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY | O_CLOEXEC));
    EXPECT_EQ(syscall(SYS_fcntl, rd, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(syscall(SYS_fcntl, rd, F_GETFL) & O_ACCMODE, O_RDONLY);
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_OK(syscall(SYS_close, rd));
    return t_done();
}
