// syscalls: openat, write, fstat, close
/* O_TRUNC empties a regular file on open (Linux does so even with O_RDONLY); creating with
 * O_TRUNC is fine. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static long fsize(int fd) {
    struct stat st;
    return syscall(SYS_fstat, fd, &st) < 0 ? -1 : st.st_size;
}

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_TRUNC | O_WRONLY, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "contents", 8), 8);
    EXPECT_OK(syscall(SYS_close, fd));
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDWR));
    EXPECT_EQ(fsize(fd), 8);
    int t = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_WRONLY | O_TRUNC));
    EXPECT_EQ(fsize(fd), 0);
    EXPECT_EQ(syscall(SYS_write, fd, "again", 5), 5);
    EXPECT_OK(syscall(SYS_close, t));
    t = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY | O_TRUNC));
    EXPECT_EQ(fsize(t), 0);
    EXPECT_OK(syscall(SYS_close, t));
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
