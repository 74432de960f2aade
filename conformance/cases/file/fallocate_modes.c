// syscalls: openat, pwrite64, fallocate, fstat, pread64, close
/* fallocate: mode 0 extends the size, FALLOC_FL_KEEP_SIZE does not; PUNCH_HOLE (with
 * KEEP_SIZE) zeroes a range; zero length is EINVAL, a read-only descriptor EBADF. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    struct stat st;
    EXPECT_OK(syscall(SYS_fallocate, fd, 0, 0, 8192));
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_size, 8192);
    CHECK(st.st_blocks * 512 >= 8192);
    EXPECT_OK(syscall(SYS_fallocate, fd, FALLOC_FL_KEEP_SIZE, 8192, 8192));
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_size, 8192);
    static char data[8192];
    memset(data, 'a', sizeof data);
    EXPECT_EQ(syscall(SYS_pwrite64, fd, data, sizeof data, 0), 8192);
    EXPECT_OK(syscall(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 50));
    char buf[200];
    EXPECT_EQ(syscall(SYS_pread64, fd, buf, sizeof buf, 0), 200);
    int z = 0;
    for (int i = 0; i < 200; i++) z += buf[i] == 0;
    SAY("zeros=%d first=%c at150=%c", z, buf[0], buf[150]);
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_size, 8192);
    /* PUNCH_HOLE needs KEEP_SIZE. */
    EXPECT_ERR(syscall(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);
    EXPECT_ERR(syscall(SYS_fallocate, fd, 0, 0, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_fallocate, fd, 0, -1L, 10), EINVAL);
    int ro = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    EXPECT_ERR(syscall(SYS_fallocate, ro, 0, 0, 10), EBADF);
    EXPECT_OK(syscall(SYS_close, ro));
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
