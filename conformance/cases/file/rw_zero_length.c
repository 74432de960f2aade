// syscalls: openat, read, write, pread64, pwrite64, fstat, close
/* Zero-length reads and writes return 0, even with a NULL buffer, and change nothing. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "abc", 3), 3);
    EXPECT_EQ(syscall(SYS_write, fd, NULL, 0), 0);
    EXPECT_EQ(syscall(SYS_read, fd, NULL, 0), 0);
    EXPECT_EQ(syscall(SYS_pread64, fd, NULL, 0, 100), 0);
    EXPECT_EQ(syscall(SYS_pwrite64, fd, NULL, 0, 100), 0);
    /* A zero-length write past EOF does not extend the file. */
    struct stat st;
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_size, 3);
    /* Zero-length I/O still checks the descriptor. */
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_ERR(syscall(SYS_read, fd, NULL, 0), EBADF);
    EXPECT_ERR(syscall(SYS_write, fd, NULL, 0), EBADF);
    return t_done();
}
