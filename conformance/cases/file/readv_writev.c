// syscalls: openat, writev, readv, lseek, close
/* writev gathers buffers in order, readv scatters in order and short-fills at EOF; empty
 * iovecs are skipped; a bad count is EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <sys/uio.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    struct iovec w[4] = {{"ab", 2}, {NULL, 0}, {"cde", 3}, {"fghij", 5}};
    EXPECT_EQ(syscall(SYS_writev, fd, w, 4), 10);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    char a[3] = {0}, b[1] = {0}, c[20] = {0};
    struct iovec r[3] = {{a, 3}, {b, 1}, {c, 20}};
    EXPECT_EQ(syscall(SYS_readv, fd, r, 3), 10);
    SAY("a=%.3s b=%.1s c=%s", a, b, c);
    EXPECT_EQ(syscall(SYS_readv, fd, r, 3), 0);
    EXPECT_EQ(syscall(SYS_writev, fd, w, 0), 0);
    EXPECT_ERR(syscall(SYS_writev, fd, w, -1), EINVAL);
    EXPECT_ERR(syscall(SYS_readv, fd, r, 1025), EINVAL);
    /* A negative length is EINVAL, even behind valid ones. */
    struct iovec neg[2] = {{a, 1}, {b, (size_t)-1}};
    EXPECT_ERR(syscall(SYS_readv, fd, neg, 2), EINVAL);
    /* 1024 iovecs is the maximum. */
    static struct iovec many[1024];
    static char one[1024];
    for (int i = 0; i < 1024; i++) many[i] = (struct iovec){&one[i], 1};
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    EXPECT_EQ(syscall(SYS_readv, fd, many, 1024), 10);
    SAY("one=%.10s", one);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
