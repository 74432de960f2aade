// syscalls: setfsuid, setfsgid, mkdir, chmod, openat, fstat, close, setresuid
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

/* setfsuid/setfsgid return the previous value (a query with -1), and new files are owned by
 * the filesystem ids. */
int main(void) {
    /* Other users must be able to reach a directory they may write to. */
    EXPECT_EQ(chmod(".", 0755), 0);
    EXPECT_EQ(mkdir("d", 0777), 0);
    EXPECT_EQ(chmod("d", 0777), 0);
    EXPECT_EQ(syscall(SYS_setfsuid, 1234), 0);
    EXPECT_EQ(syscall(SYS_setfsuid, -1), 1234);
    EXPECT_EQ(syscall(SYS_setfsgid, 4321), 0);
    EXPECT_EQ(syscall(SYS_setfsgid, -1), 4321);
    int fd = open("d/owned", O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (CHECK(fd >= 0)) {
        struct stat st;
        EXPECT_EQ(fstat(fd, &st), 0);
        SAY("owner %u:%u", st.st_uid, st.st_gid);
        close(fd);
    }
    EXPECT_EQ(syscall(SYS_setfsuid, 0), 1234);
    EXPECT_EQ(syscall(SYS_setfsgid, 0), 4321);
    /* Changing the effective id resets the filesystem id. */
    EXPECT_EQ(syscall(SYS_setresuid, -1, 500, -1), 0);
    EXPECT_EQ(syscall(SYS_setfsuid, -1), 500);
    /* Unprivileged: the fs id may only become one of the other ids; otherwise it stays. */
    EXPECT_EQ(syscall(SYS_setfsuid, 999), 500);
    EXPECT_EQ(syscall(SYS_setfsuid, -1), 500);
    EXPECT_EQ(syscall(SYS_setfsuid, 0), 500);
    EXPECT_EQ(syscall(SYS_setfsuid, -1), 0);
    return t_done();
}
