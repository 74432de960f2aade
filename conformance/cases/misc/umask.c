// syscalls: umask, openat, mkdir, fstat, stat, close
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

/* umask returns the previous mask, keeps only the permission bits, and is applied to new
 * files and directories. */
int main(void) {
    syscall(SYS_umask, 022);
    EXPECT_EQ(syscall(SYS_umask, 077), 022);
    int fd = open("f", O_WRONLY | O_CREAT | O_EXCL, 0666);
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0);
    SAY("file mode %o", st.st_mode & 07777);
    close(fd);
    EXPECT_EQ(mkdir("d", 0777), 0);
    EXPECT_EQ(stat("d", &st), 0);
    SAY("dir mode %o", st.st_mode & 07777);
    EXPECT_EQ(syscall(SYS_umask, 0170777), 077);
    EXPECT_EQ(syscall(SYS_umask, 0), 0777);
    fd = open("g", O_WRONLY | O_CREAT | O_EXCL, 0666);
    EXPECT_EQ(fstat(fd, &st), 0);
    SAY("mask 0 file mode %o", st.st_mode & 07777);
    close(fd);
    return t_done();
}
