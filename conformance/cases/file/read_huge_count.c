// syscalls: openat, write, lseek, read, close
/* A count far larger than the buffer is fine as long as the data fits (only what is read
 * is copied), but a count that runs past the end of user space is EFAULT up front. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "short", 5), 5);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    static char buf[64];
    EXPECT_EQ(syscall(SYS_read, fd, buf, 1 << 20), 5);
    SAY("got: %.5s", buf);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    EXPECT_ERR(syscall(SYS_read, fd, buf, (size_t)1 << 62), EFAULT);
    EXPECT_ERR(syscall(SYS_read, fd, buf, (size_t)-1), EFAULT);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 0);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
