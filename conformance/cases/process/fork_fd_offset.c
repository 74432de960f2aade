// syscalls: clone, fork, openat, write, lseek, pread64, close, wait4
/* A forked child shares open file descriptions with its parent: the child's writes move the
 * shared offset, and closing the fd in the child leaves the parent's open. */
#include "harness.h"
#include <fcntl.h>
#include <sys/wait.h>

int main(void) {
    syscall(SYS_alarm, 5);
    int fd = openat(AT_FDCWD, "shared.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(write(fd, "abc", 3), 3);
    pid_t pid = fork();
    if (pid == 0) {
        int ok = write(fd, "def", 3) == 3;
        close(fd);
        _exit(ok ? 0 : 1);
    }
    if (!CHECK(pid > 0)) return t_done();
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 6);
    EXPECT_EQ(write(fd, "ghi", 3), 3);
    char buf[16] = {0};
    EXPECT_EQ(pread(fd, buf, sizeof buf - 1, 0), 9);
    SAY("file = %s", buf);
    EXPECT_EQ(close(fd), 0);
    return t_done();
}
