// syscalls: inotify_init1, inotify_add_watch, rename, unlink, rmdir
/* The same events on a tmpfs (/dev/shm) as on the working directory's filesystem: child
 * events with names, a watched directory moved and then removed, a watched file replaced. */
#include "harness.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/stat.h>

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
    char base[] = "/dev/shm/inotify-XXXXXX";
    if (!mkdtemp(base)) { SAY("no /dev/shm: %s", t_errname(errno)); return 0; }
    if (chdir(base) != 0) { T_FAIL("chdir: %s", t_errname(errno)); return t_done(); }
    int fd = EXPECT_OK(inotify_init1(IN_NONBLOCK));
    EXPECT_EQ(inotify_add_watch(fd, ".", IN_ALL_EVENTS & ~(IN_ACCESS | IN_OPEN | IN_CLOSE_NOWRITE)), 1);
    EXPECT_OK(mkdir("d", 0755));
    EXPECT_EQ(inotify_add_watch(fd, "d", IN_ALL_EVENTS), 2);
    int f = EXPECT_OK(open("d/f", O_CREAT | O_RDWR, 0644));
    EXPECT_EQ(write(f, "abc", 3), 3);
    EXPECT_OK(fchmod(f, 0600));
    EXPECT_OK(ftruncate(f, 1));
    EXPECT_OK(close(f));
    drain(fd, "create, write, fchmod, ftruncate, close");
    EXPECT_OK(rename("d", "e"));
    EXPECT_OK(close(EXPECT_OK(open("e/g", O_CREAT | O_WRONLY, 0644))));
    drain(fd, "rename of the watched directory, create inside");
    EXPECT_EQ(inotify_add_watch(fd, "e/g", IN_ALL_EVENTS), 3);
    EXPECT_OK(rename("e/f", "e/g"));
    drain(fd, "rename over a watched file");
    EXPECT_OK(unlink("e/g"));
    EXPECT_OK(rmdir("e"));
    drain(fd, "unlink, rmdir of the watched directory");
    EXPECT_OK(chdir("/"));
    EXPECT_OK(rmdir(base));
    drain(fd, "rmdir of the watched base directory");
    return t_done();
}
