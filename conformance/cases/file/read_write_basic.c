// syscalls: openat, write, lseek, read, close
/* A file written through one descriptor reads back byte for byte; reads stop at EOF. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "hello, world", 12), 12);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 12);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    char buf[32] = {0};
    EXPECT_EQ(syscall(SYS_read, fd, buf, 5), 5);
    SAY("first: %s", buf);
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(syscall(SYS_read, fd, buf, sizeof buf), 7);
    SAY("rest: %s", buf);
    EXPECT_EQ(syscall(SYS_read, fd, buf, sizeof buf), 0);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
