// syscalls: openat, mkdirat, symlinkat, fstat, close
/* O_NOFOLLOW: a symlink as the last component is ELOOP (symlinks earlier in the path are
 * still followed); with O_PATH it opens the link itself. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0755));
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d/f", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_OK(syscall(SYS_symlinkat, "d/f", AT_FDCWD, "flink"));
    EXPECT_OK(syscall(SYS_symlinkat, "d", AT_FDCWD, "dlink"));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "flink", O_RDONLY | O_NOFOLLOW), ELOOP);
    /* With O_DIRECTORY the unfollowed link is "not a directory". */
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "dlink", O_RDONLY | O_NOFOLLOW | O_DIRECTORY), ENOTDIR);
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "dlink/f", O_RDONLY | O_NOFOLLOW));
    EXPECT_OK(syscall(SYS_close, fd));
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "flink", O_PATH | O_NOFOLLOW));
    struct stat st;
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    CHECK(S_ISLNK(st.st_mode));
    EXPECT_EQ(st.st_size, 3);
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_ERR(syscall(SYS_openat, AT_FDCWD, "flink", O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY, 0644), EEXIST);
    return t_done();
}
