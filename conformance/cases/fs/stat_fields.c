// syscalls: umask, openat, write, mkdirat, symlinkat, stat, lstat, fstat, close
/* stat/lstat/fstat fields that are deterministic: type and permission bits, size, link
 * counts, blocks covering the size, and the same inode through every call. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    syscall(SYS_umask, 022);
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0666));
    static char data[10000];
    memset(data, 'x', sizeof data);
    EXPECT_EQ(syscall(SYS_write, fd, data, sizeof data), 10000);
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0777));
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d/sub", 0777));
    EXPECT_OK(syscall(SYS_symlinkat, "f", AT_FDCWD, "l"));
    struct stat a, b, c, d, l;
    EXPECT_OK(syscall(SYS_stat, "f", &a));
    EXPECT_OK(syscall(SYS_fstat, fd, &b));
    EXPECT_OK(syscall(SYS_stat, "l", &c));
    EXPECT_OK(syscall(SYS_lstat, "l", &l));
    EXPECT_OK(syscall(SYS_stat, "d", &d));
    SAY("file mode=%o size=%ld nlink=%ld", a.st_mode, (long)a.st_size, (long)a.st_nlink);
    CHECK(a.st_blocks * 512 >= a.st_size);
    CHECK(a.st_blksize > 0);
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    CHECK(a.st_ino == c.st_ino);
    CHECK(l.st_ino != a.st_ino);
    SAY("link mode=%o size=%ld", l.st_mode & S_IFMT, (long)l.st_size);
    SAY("dir mode=%o nlink=%ld", d.st_mode, (long)d.st_nlink);
    CHECK(a.st_uid == 0 && a.st_gid == 0);
    CHECK(a.st_mtime > 0 && a.st_ctime > 0);
    EXPECT_ERR(syscall(SYS_stat, "missing", &a), ENOENT);
    EXPECT_ERR(syscall(SYS_lstat, "f/x", &a), ENOTDIR);
    EXPECT_ERR(syscall(SYS_stat, "f", (void *)1), EFAULT);
    EXPECT_ERR(syscall(SYS_fstat, 99, &a), EBADF);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
