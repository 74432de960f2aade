// syscalls: openat, pwritev, preadv, lseek, close
/* preadv/pwritev take an explicit offset (split low/high by the ABI) and keep the file
 * position. */
#include "harness.h"
#include <fcntl.h>
#include <sys/uio.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    struct iovec w[2] = {{"12345", 5}, {"6789", 4}};
    EXPECT_EQ(syscall(SYS_pwritev, fd, w, 2, 3, 0), 9);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 0);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_END), 12);
    char a[4] = {0}, b[8] = {0};
    struct iovec r[2] = {{a, 4}, {b, 8}};
    EXPECT_EQ(syscall(SYS_preadv, fd, r, 2, 5, 0), 7);
    SAY("a=%.4s b=%.3s", a, b);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 12);
    EXPECT_ERR(syscall(SYS_preadv, fd, r, 2, -1L, -1L), EINVAL);
    /* On 64-bit the low register carries the whole offset; the high one is ignored. */
    EXPECT_EQ(syscall(SYS_preadv, fd, r, 2, (1L << 32) + 5, 0), 0);
    EXPECT_EQ(syscall(SYS_preadv, fd, r, 2, 5, 1), 7);
    struct iovec big = {"z", 1};
    EXPECT_EQ(syscall(SYS_pwritev, fd, &big, 1, 1L << 32, 0), 1);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_END), (1L << 32) + 1);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
