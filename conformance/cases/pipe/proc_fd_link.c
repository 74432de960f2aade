// syscalls: pipe2, readlink, newfstatat, openat, read, write, close
/* /proc/self/fd/N of a pipe is a symlink whose text is "pipe:[INODE]" with the pipe's inode
 * number; stat through it (following) reports the FIFO itself. Opening the link reopens the
 * same pipe: a write through a fresh O_WRONLY open of the read end's link arrives at the read
 * end. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    alarm(10);
    int p[2];
    EXPECT_OK(pipe2(p, O_NONBLOCK)); /* a failed reopen must not leave the read hanging */
    struct stat st;
    EXPECT_OK(fstat(p[0], &st));
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (!CHECK(n > 0)) return t_done();
    link[n] = 0;
    SAY("prefix = %.6s", link);
    char want[64];
    snprintf(want, sizeof want, "pipe:[%llu]", (unsigned long long)st.st_ino);
    EXPECT_EQ(strcmp(link, want), 0);
    struct stat ls, fs;
    EXPECT_OK(lstat(path, &ls));
    CHECK(S_ISLNK(ls.st_mode));
    EXPECT_OK(stat(path, &fs));
    CHECK(S_ISFIFO(fs.st_mode));
    EXPECT_EQ(fs.st_ino == st.st_ino, 1);

    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    EXPECT_EQ(strcmp(link, want), 0);

    /* Reopen the read end's link for writing: a new write end of the same pipe. */
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    int w2 = EXPECT_OK(open(path, O_WRONLY));
    EXPECT_EQ(fcntl(w2, F_GETFL) & O_ACCMODE, O_WRONLY);
    EXPECT_EQ(write(w2, "via proc", 8), 8);
    char buf[16] = {0};
    EXPECT_EQ(read(p[0], buf, sizeof buf), 8);
    SAY("read: %s", buf);
    return t_done();
}
