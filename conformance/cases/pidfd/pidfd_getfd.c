// syscalls: pidfd_open, pidfd_getfd, pipe2, fcntl, read, write, lseek
/* pidfd_getfd duplicates another process's descriptor into the caller: the same open file
 * description (shared offset and status flags), always close-on-exec. Bad flags,
 * descriptors, and a process that has exited give Linux's errors. */
#include "harness.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

static int pidfd_open(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static int getfd(int pidfd, int fd, unsigned flags) {
    return syscall(SYS_pidfd_getfd, pidfd, fd, flags);
}

int main(void) {
    syscall(SYS_alarm, 10);
    int ready[2], done[2];
    EXPECT_OK(pipe(ready));
    EXPECT_OK(pipe(done));
    pid_t pid = fork();
    if (pid == 0) {
        /* A file of its own at fd 20, offset 3. */
        int f = open("getfd.txt", O_RDWR | O_CREAT | O_TRUNC, 0600);
        write(f, "abcdef", 6);
        lseek(f, 3, SEEK_SET);
        dup2(f, 20);
        close(f);
        write(ready[1], "r", 1);
        char c;
        read(done[0], &c, 1);
        /* The parent's read moved the shared offset. */
        SAY("child offset after parent's read: %ld", (long)lseek(20, 0, SEEK_CUR));
        fflush(stdout);
        _exit(0);
    }
    char c;
    read(ready[0], &c, 1);
    int fd = EXPECT_OK(pidfd_open(pid, 0));
    int got = EXPECT_OK(getfd(fd, 20, 0));
    EXPECT_EQ(fcntl(got, F_GETFD), FD_CLOEXEC);
    char buf[8] = {0};
    EXPECT_EQ(read(got, buf, 2), 2);
    SAY("read through the copy: %s", buf);
    EXPECT_ERR(getfd(fd, 21, 0), EBADF);
    EXPECT_ERR(getfd(fd, 20, 1), EINVAL);
    EXPECT_ERR(getfd(ready[0], 20, 0), EBADF);
    EXPECT_ERR(getfd(99, 20, 0), EBADF);
    /* Our own descriptors, through a pidfd of ourselves. */
    int me = EXPECT_OK(pidfd_open(getpid(), 0));
    int again = EXPECT_OK(getfd(me, got, 0));
    EXPECT_EQ(lseek(again, 0, SEEK_CUR), 5);
    write(done[1], "d", 1);
    int status = -1;
    waitpid(pid, &status, WNOHANG | __WALL) == 0 ? waitpid(pid, &status, 0) : 0;
    SAY("child exit: %d", WEXITSTATUS(status));
    EXPECT_ERR(getfd(fd, 20, 0), ESRCH);
    unlink("getfd.txt");
    return t_done();
}
