// syscalls: creat, write, read, lseek, fstat, umask, close
/* creat(path, mode) is open(O_CREAT|O_WRONLY|O_TRUNC): write-only, truncating, mode masked
 * by the umask. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    syscall(SYS_umask, 022);
    int fd = EXPECT_OK(syscall(SYS_creat, "f", 0666));
    EXPECT_EQ(syscall(SYS_write, fd, "12345", 5), 5);
    char c;
    EXPECT_ERR(syscall(SYS_read, fd, &c, 1), EBADF);
    struct stat st;
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_mode, S_IFREG | 0644);
    EXPECT_OK(syscall(SYS_close, fd));
    fd = EXPECT_OK(syscall(SYS_creat, "f", 0600));
    EXPECT_OK(syscall(SYS_fstat, fd, &st));
    EXPECT_EQ(st.st_size, 0);
    /* An existing file keeps its mode. */
    EXPECT_EQ(st.st_mode, S_IFREG | 0644);
    EXPECT_EQ(syscall(SYS_lseek, fd, 0, SEEK_CUR), 0);
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_ERR(syscall(SYS_creat, "missing/f", 0644), ENOENT);
    return t_done();
}
