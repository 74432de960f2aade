// syscalls: mknodat, openat, read, write, close, newfstatat, fork, wait4, unlinkat
/* Named pipes: mkfifo makes an S_IFIFO node (EEXIST if the name exists); a non-blocking
 * read-only open succeeds with no writer (and reads 0), a non-blocking write-only open with no
 * reader is ENXIO; with a reader present it succeeds. A blocking read-only open waits for a
 * writer (here from a child), and O_RDWR never waits. Data flows between separately opened
 * ends. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

int main(void) {
    alarm(10);
    EXPECT_OK(mkfifo("ff", 0600));
    EXPECT_ERR(mkfifo("ff", 0600), EEXIST);
    struct stat st;
    EXPECT_OK(stat("ff", &st));
    CHECK(S_ISFIFO(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600);
    EXPECT_EQ(st.st_size, 0);

    EXPECT_ERR(open("ff", O_WRONLY | O_NONBLOCK), ENXIO);
    int r = EXPECT_OK(open("ff", O_RDONLY | O_NONBLOCK));
    char buf[16];
    EXPECT_EQ(read(r, buf, sizeof buf), 0);
    int w = EXPECT_OK(open("ff", O_WRONLY | O_NONBLOCK));
    EXPECT_EQ(fcntl(w, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_WRONLY | O_NONBLOCK);
    EXPECT_EQ(write(w, "fifo", 4), 4);
    EXPECT_EQ(read(r, buf, sizeof buf), 4);
    EXPECT_ERR(read(r, buf, sizeof buf), EAGAIN);
    EXPECT_OK(close(w));
    EXPECT_EQ(read(r, buf, sizeof buf), 0);
    EXPECT_OK(close(r));

    /* O_RDWR opens at once, alone. */
    int rw = EXPECT_OK(open("ff", O_RDWR));
    EXPECT_EQ(write(rw, "self", 4), 4);
    EXPECT_EQ(read(rw, buf, sizeof buf), 4);
    EXPECT_OK(close(rw));

    /* A blocking reader open waits for the writer's open. */
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100000);
        int fd = open("ff", O_WRONLY);
        write(fd, "late", 4);
        _exit(fd >= 0 ? 0 : 1);
    }
    r = EXPECT_OK(open("ff", O_RDONLY));
    ssize_t n = 0, k;
    while ((k = read(r, buf + n, sizeof buf - n)) > 0) n += k;
    EXPECT_EQ(n, 4);
    EXPECT_EQ(memcmp(buf, "late", 4), 0);
    int status;
    EXPECT_EQ(waitpid(pid, &status, 0) == pid, 1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_OK(close(r));
    /* A FIFO is not seekable either. */
    rw = EXPECT_OK(open("ff", O_RDWR));
    EXPECT_ERR(lseek(rw, 0, SEEK_SET), ESPIPE);
    EXPECT_OK(unlink("ff"));
    return t_done();
}
