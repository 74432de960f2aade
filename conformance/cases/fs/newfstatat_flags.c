// syscalls: openat, mkdirat, symlinkat, newfstatat, close
/* newfstatat: relative to a dirfd, AT_SYMLINK_NOFOLLOW stats the link, AT_EMPTY_PATH the
 * descriptor itself; an empty path without it is ENOENT; unknown flags are EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0755));
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d/f", O_CREAT | O_WRONLY, 0600));
    EXPECT_EQ(syscall(SYS_write, f, "12345", 5), 5);
    EXPECT_OK(syscall(SYS_symlinkat, "f", AT_FDCWD, "d/l"));
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d", O_RDONLY | O_DIRECTORY));
    struct stat st;
    EXPECT_OK(syscall(SYS_newfstatat, d, "f", &st, 0));
    SAY("f: mode=%o size=%ld", st.st_mode, (long)st.st_size);
    EXPECT_OK(syscall(SYS_newfstatat, d, "l", &st, 0));
    SAY("l followed: mode=%o", st.st_mode);
    EXPECT_OK(syscall(SYS_newfstatat, d, "l", &st, AT_SYMLINK_NOFOLLOW));
    SAY("l itself: type=%o size=%ld", st.st_mode & S_IFMT, (long)st.st_size);
    EXPECT_OK(syscall(SYS_newfstatat, f, "", &st, AT_EMPTY_PATH));
    SAY("fd itself: size=%ld", (long)st.st_size);
    EXPECT_OK(syscall(SYS_newfstatat, AT_FDCWD, "", &st, AT_EMPTY_PATH));
    SAY("cwd: type=%o", st.st_mode & S_IFMT);
    EXPECT_ERR(syscall(SYS_newfstatat, f, "", &st, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_newfstatat, d, "f", &st, 0x4), EINVAL);
    EXPECT_ERR(syscall(SYS_newfstatat, f, "x", &st, 0), ENOTDIR);
    EXPECT_ERR(syscall(SYS_newfstatat, 99, "x", &st, 0), EBADF);
    EXPECT_OK(syscall(SYS_newfstatat, 99, "/", &st, 0));
    EXPECT_OK(syscall(SYS_close, f));
    EXPECT_OK(syscall(SYS_close, d));
    return t_done();
}
