// syscalls: openat, read, write, fstat, fcntl, fchdir, newfstatat, close, mkdirat, fchmod, ioctl
/* O_PATH descriptors name a file without opening it for I/O: read/write/fchmod/ioctl are
 * EBADF, but fstat, fcntl(F_GETFL/F_GETFD), fchdir, *at lookups and close work. Other open
 * flags except O_DIRECTORY/O_NOFOLLOW/O_CLOEXEC are ignored. */
#include "harness.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

int main(void) {
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0755));
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d/f", O_CREAT | O_WRONLY, 0640));
    EXPECT_EQ(syscall(SYS_write, f, "abc", 3), 3);
    EXPECT_OK(syscall(SYS_close, f));
    int p = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d/f", O_PATH | O_RDWR | O_TRUNC | O_APPEND));
    char c;
    EXPECT_ERR(syscall(SYS_read, p, &c, 1), EBADF);
    EXPECT_ERR(syscall(SYS_write, p, "x", 1), EBADF);
    EXPECT_ERR(syscall(SYS_fchmod, p, 0600), EBADF);
    int n;
    EXPECT_ERR(syscall(SYS_ioctl, p, FIONREAD, &n), EBADF);
    struct stat st;
    EXPECT_OK(syscall(SYS_fstat, p, &st));
    /* O_TRUNC was ignored. */
    EXPECT_EQ(st.st_size, 3);
    EXPECT_EQ(st.st_mode & 07777, 0640);
    long fl = syscall(SYS_fcntl, p, F_GETFL);
    SAY("O_PATH set=%d accmode=%ld append=%d", !!(fl & O_PATH), fl & O_ACCMODE, !!(fl & O_APPEND));
    EXPECT_EQ(syscall(SYS_fcntl, p, F_GETFD), 0);
    EXPECT_OK(syscall(SYS_newfstatat, p, "", &st, AT_EMPTY_PATH));
    EXPECT_EQ(st.st_size, 3);
    /* A path descriptor on a directory works as a dirfd and for fchdir. */
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d", O_PATH | O_DIRECTORY));
    EXPECT_OK(syscall(SYS_newfstatat, d, "f", &st, 0));
    EXPECT_OK(syscall(SYS_fchdir, d));
    int g = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    EXPECT_EQ(syscall(SYS_read, g, &c, 1), 1);
    SAY("c=%c", c);
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "f", O_PATH | O_DIRECTORY), ENOTDIR);
    EXPECT_OK(syscall(SYS_close, g));
    EXPECT_OK(syscall(SYS_close, d));
    EXPECT_OK(syscall(SYS_close, p));
    return t_done();
}
