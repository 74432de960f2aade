// syscalls: openat, pwritev2, preadv2, lseek, close
/* preadv2/pwritev2: offset -1 means "use and advance the file position"; RWF_APPEND writes
 * at the end; unknown flags are EOPNOTSUPP; other negative offsets are EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <sys/uio.h>

#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    struct iovec w = {"abcdef", 6};
    EXPECT_EQ(syscall(SYS_pwritev2, fd, &w, 1, -1L, 0, 0), 6);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 6);
    EXPECT_EQ(syscall(SYS_pwritev2, fd, &w, 1, 0, 0, 0), 6);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 6);
    EXPECT_EQ(syscall(SYS_lseek, fd, 2, SEEK_SET), 2);
    struct iovec z = {"XY", 2};
    EXPECT_EQ(syscall(SYS_pwritev2, fd, &z, 1, 0, 0, RWF_APPEND), 2);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_END), 8);
    char buf[16] = {0};
    struct iovec r = {buf, 3};
    EXPECT_EQ(syscall(SYS_lseek, fd, 1, SEEK_SET), 1);
    EXPECT_EQ(syscall(SYS_preadv2, fd, &r, 1, -1L, 0, 0), 3);
    SAY("cur read: %.3s", buf);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 4);
    r.iov_len = sizeof buf;
    EXPECT_EQ(syscall(SYS_preadv2, fd, &r, 1, 0, 0, 0), 8);
    SAY("all: %.8s", buf);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 4);
    EXPECT_ERR(syscall(SYS_preadv2, fd, &r, 1, 0, 0, 0x40000000), EOPNOTSUPP);
    EXPECT_ERR(syscall(SYS_preadv2, fd, &r, 1, -2L, -1L, 0), EINVAL);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
