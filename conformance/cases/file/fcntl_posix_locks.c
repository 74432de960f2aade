// syscalls: openat, fcntl, close
/* POSIX record locks (F_SETLK/F_GETLK): a process never conflicts with itself, so F_GETLK
 * reports F_UNLCK; the lock type must match the access mode (EBADF); bad types or whence
 * are EINVAL. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int rw = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    int ro = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    int wo = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_WRONLY));
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    EXPECT_OK(syscall(SYS_fcntl, rw, F_SETLK, &l));
    /* Our own lock never conflicts, even through another open of the file. */
    l.l_type = F_WRLCK;
    EXPECT_OK(syscall(SYS_fcntl, wo, F_SETLK, &l));
    struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    EXPECT_OK(syscall(SYS_fcntl, ro, F_GETLK, &q));
    EXPECT_EQ(q.l_type, F_UNLCK);
    l.l_type = F_WRLCK;
    EXPECT_ERR(syscall(SYS_fcntl, ro, F_SETLK, &l), EBADF);
    l.l_type = F_RDLCK;
    EXPECT_ERR(syscall(SYS_fcntl, wo, F_SETLK, &l), EBADF);
    EXPECT_OK(syscall(SYS_fcntl, ro, F_SETLK, &l));
    l.l_type = 7;
    EXPECT_ERR(syscall(SYS_fcntl, rw, F_SETLK, &l), EINVAL);
    l.l_type = F_RDLCK;
    l.l_whence = 9;
    EXPECT_ERR(syscall(SYS_fcntl, rw, F_SETLK, &l), EINVAL);
    l.l_whence = SEEK_SET;
    l.l_start = -5;
    EXPECT_ERR(syscall(SYS_fcntl, rw, F_SETLK, &l), EINVAL);
    l.l_start = 0;
    l.l_type = F_UNLCK;
    EXPECT_OK(syscall(SYS_fcntl, rw, F_SETLK, &l));
    EXPECT_OK(syscall(SYS_fcntl, rw, F_SETLKW, &l));
    EXPECT_ERR(syscall(SYS_fcntl, rw, F_SETLK, (void *)1), EFAULT);
    EXPECT_OK(syscall(SYS_close, rw));
    EXPECT_OK(syscall(SYS_close, ro));
    EXPECT_OK(syscall(SYS_close, wo));
    return t_done();
}
