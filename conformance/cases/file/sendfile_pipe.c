// syscalls: openat, write, pipe2, sendfile, read, close
/* sendfile from a file into a pipe works; a pipe or a directory cannot be the source. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int in = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "in", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, in, "through a pipe", 14), 14);
    int p[2];
    EXPECT_OK(syscall(SYS_pipe2, p, 0));
    long off = 0;
    EXPECT_EQ(syscall(SYS_sendfile, p[1], in, &off, 14), 14);
    char buf[32] = {0};
    EXPECT_EQ(syscall(SYS_read, p[0], buf, sizeof buf), 14);
    SAY("pipe got: %s", buf);
    EXPECT_EQ(syscall(SYS_write, p[1], "back", 4), 4);
    int out = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "out", O_CREAT | O_RDWR, 0644));
    EXPECT_ERR(syscall(SYS_sendfile, out, p[0], NULL, 4), EINVAL);
    EXPECT_ERR(syscall(SYS_sendfile, out, p[0], &off, 4), ESPIPE);
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, ".", O_RDONLY | O_DIRECTORY));
    EXPECT_ERR(syscall(SYS_sendfile, out, d, NULL, 4), EINVAL);
    /* The pipe still holds what was written. */
    memset(buf, 0, sizeof buf);
    EXPECT_EQ(syscall(SYS_read, p[0], buf, sizeof buf), 4);
    SAY("pipe still has: %s", buf);
    EXPECT_OK(syscall(SYS_close, in));
    EXPECT_OK(syscall(SYS_close, out));
    return t_done();
}
