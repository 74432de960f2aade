// syscalls: inotify_init1, inotify_add_watch, inotify_rm_watch, read
/* Events in a watched directory carry the child's name: create, open, modify, access, close
 * (write and nowrite), attribute changes, links, removal; a watch on a file sees its own
 * events too, and its removal ends with IN_DELETE_SELF then IN_IGNORED. */
#include "harness.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <dirent.h>

static const char *mname(uint32_t m) {
    static char b[256];
    static const struct { uint32_t bit; const char *n; } names[] = {
        {IN_ACCESS, "ACCESS"}, {IN_MODIFY, "MODIFY"}, {IN_ATTRIB, "ATTRIB"},
        {IN_CLOSE_WRITE, "CLOSE_WRITE"}, {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"}, {IN_OPEN, "OPEN"},
        {IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"}, {IN_CREATE, "CREATE"},
        {IN_DELETE, "DELETE"}, {IN_DELETE_SELF, "DELETE_SELF"}, {IN_MOVE_SELF, "MOVE_SELF"},
        {IN_Q_OVERFLOW, "Q_OVERFLOW"}, {IN_IGNORED, "IGNORED"}, {IN_ISDIR, "ISDIR"}};
    b[0] = 0;
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (m & names[i].bit) { if (b[0]) strcat(b, "|"); strcat(b, names[i].n); }
    return b;
}

/* Prints every queued event. */
static void drain(int fd, const char *what) {
    char buf[4096] __attribute__((aligned(8)));
    SAY("%s:", what);
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) { if (errno != EAGAIN) T_FAIL("read: %s", t_errname(errno)); break; }
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)p;
            if (e->len % 16) T_FAIL("len %u not a multiple of 16", e->len);
            SAY("  wd=%d %s%s%s", e->wd, mname(e->mask), e->len ? " " : "", e->len ? e->name : "");
            p += sizeof *e + e->len;
        }
    }
}

int main(void) {
    int fd = EXPECT_OK(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    EXPECT_OK(mkdir("d", 0755));
    EXPECT_EQ(inotify_add_watch(fd, "d", IN_ALL_EVENTS), 1);

    int f = EXPECT_OK(open("d/f", O_CREAT | O_WRONLY, 0644));
    EXPECT_EQ(write(f, "hello", 5), 5);
    EXPECT_EQ(write(f, "hello", 5), 5);
    EXPECT_OK(close(f));
    drain(fd, "create, two writes, close");

    char c[8];
    f = EXPECT_OK(open("d/f", O_RDONLY));
    EXPECT_EQ(read(f, c, 3), 3);
    EXPECT_EQ(read(f, c, 8), 7);
    EXPECT_EQ(read(f, c, 8), 0);
    EXPECT_OK(close(f));
    drain(fd, "open, read to the end, close");

    f = EXPECT_OK(open("d/f", O_RDWR | O_TRUNC));
    int f2 = EXPECT_OK(dup(f));
    EXPECT_OK(close(f));
    drain(fd, "O_TRUNC open, one of two descriptors closed");
    EXPECT_OK(close(f2));
    drain(fd, "last descriptor closed");

    EXPECT_OK(chmod("d/f", 0600));
    EXPECT_OK(truncate("d/f", 3));
    struct timespec ts[2] = {{1, 0}, {2, 0}};
    EXPECT_OK(utimensat(AT_FDCWD, "d/f", ts, 0));
    ts[1].tv_nsec = UTIME_OMIT;
    EXPECT_OK(utimensat(AT_FDCWD, "d/f", ts, 0));
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_nsec = 0;
    EXPECT_OK(utimensat(AT_FDCWD, "d/f", ts, 0));
    EXPECT_OK(chown("d/f", getuid(), -1));
    drain(fd, "chmod, truncate, utimensat (both, atime, mtime), chown");

    EXPECT_OK(mkdir("d/sub", 0755));
    DIR *dir = opendir("d/sub");
    CHECK(dir != NULL);
    while (readdir(dir)) {}
    closedir(dir);
    EXPECT_OK(symlink("f", "d/ln"));
    EXPECT_OK(link("d/f", "d/hard"));
    EXPECT_OK(mknod("d/fifo", S_IFIFO | 0644, 0));
    drain(fd, "mkdir, opendir/readdir/closedir, symlink, link, mknod");

    /* A second watch on the file itself: both the directory and the file hear of it. */
    EXPECT_EQ(inotify_add_watch(fd, "d/f", IN_ALL_EVENTS), 2);
    EXPECT_EQ(inotify_add_watch(fd, "d/hard", IN_ALL_EVENTS), 2);
    f = EXPECT_OK(open("d/hard", O_WRONLY | O_APPEND));
    EXPECT_EQ(write(f, "x", 1), 1);
    EXPECT_OK(close(f));
    drain(fd, "write through a second name of a watched file");

    EXPECT_OK(unlink("d/hard"));
    drain(fd, "unlink of one of two names");
    EXPECT_OK(unlink("d/f"));
    drain(fd, "unlink of the last name");
    EXPECT_OK(unlink("d/ln"));
    EXPECT_OK(unlink("d/fifo"));
    EXPECT_EQ(inotify_add_watch(fd, "d/sub", IN_ALL_EVENTS), 3);
    EXPECT_OK(rmdir("d/sub"));
    drain(fd, "unlink, unlink, rmdir of a watched directory");
    EXPECT_OK(rmdir("d"));
    drain(fd, "rmdir of the watched directory");
    EXPECT_ERR(inotify_rm_watch(fd, 1), EINVAL);
    return t_done();
}
