// syscalls: openat, write, lseek, read, fstat, close
/* Seeking past EOF and writing extends the file; the gap reads back as zeros. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(syscall(SYS_write, fd, "head", 4), 4);
    EXPECT_EQ(syscall(SYS_lseek, fd, 10000, SEEK_SET), 10000);
    struct stat st;
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_size, 4);
    EXPECT_EQ(syscall(SYS_write, fd, "tail", 4), 4);
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_size, 10004);
    static char buf[10004];
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_SET), 0);
    EXPECT_EQ(syscall(SYS_read, fd, buf, sizeof buf), 10004);
    int zeros = 0;
    for (int i = 4; i < 10000; i++) zeros += buf[i] == 0;
    EXPECT_EQ(zeros, 9996);
    SAY("ends: %.4s %.4s", buf, buf + 10000);
    EXPECT_OK(syscall(SYS_close, fd));
    return t_done();
}
