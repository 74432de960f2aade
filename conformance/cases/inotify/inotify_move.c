// syscalls: inotify_init1, inotify_add_watch, rename, renameat2
/* Renames: within one watched directory and across two, moved-from and moved-to share one
 * non-zero cookie (a new one per rename); the moved inode's own watch hears IN_MOVE_SELF and
 * keeps following it; a replaced watched file loses its watch; a watched directory moved by
 * its parent keeps its watch; RENAME_EXCHANGE reports two moves. */
#include "harness.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/stat.h>

static uint32_t cookies[16];
static int ncookies;

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
            SAY("  wd=%d %s%s%s%s", e->wd, mname(e->mask), e->len ? " " : "", e->len ? e->name : "", e->cookie ? " (cookie)" : "");
            if (e->cookie && ncookies < 16) cookies[ncookies++] = e->cookie;
            p += sizeof *e + e->len;
        }
    }
}

/* Whether the cookies seen since the last call pair up: equal within a pair, non-zero, and
 * different from the previous pair. */
static void pairs(const char *what) {
    int ok = ncookies % 2 == 0 && ncookies > 0;
    for (int i = 0; ok && i < ncookies; i += 2) {
        ok = cookies[i] != 0 && cookies[i] == cookies[i + 1];
        if (i >= 2 && cookies[i] == cookies[i - 2]) ok = 0;
    }
    SAY("%s: %d cookies, paired and distinct: %s", what, ncookies, ok ? "yes" : "no");
    ncookies = 0;
}

int main(void) {
    int fd = EXPECT_OK(inotify_init1(IN_NONBLOCK));
    EXPECT_OK(mkdir("a", 0755));
    EXPECT_OK(mkdir("b", 0755));
    EXPECT_OK(mkdir("top", 0755));
    EXPECT_OK(mkdir("top/w", 0755));
    int mask = IN_ALL_EVENTS & ~(IN_OPEN | IN_CLOSE | IN_ACCESS);
    EXPECT_EQ(inotify_add_watch(fd, "a", mask), 1);
    EXPECT_EQ(inotify_add_watch(fd, "b", mask), 2);
    EXPECT_OK(close(EXPECT_OK(open("a/x", O_CREAT | O_WRONLY, 0644))));
    drain(fd, "create");

    EXPECT_OK(rename("a/x", "a/y"));
    drain(fd, "rename within a");
    EXPECT_OK(rename("a/y", "b/z"));
    drain(fd, "rename from a to b");
    pairs("two renames");

    EXPECT_EQ(inotify_add_watch(fd, "b/z", mask), 3);
    EXPECT_OK(rename("b/z", "a/w"));
    drain(fd, "rename of a watched file");
    pairs("third rename");
    int f = EXPECT_OK(open("a/w", O_WRONLY));
    EXPECT_EQ(write(f, "1", 1), 1);
    EXPECT_OK(close(f));
    drain(fd, "write to it under its new name");

    /* Replacing a watched file: its link count drops and its watch ends. */
    EXPECT_OK(close(EXPECT_OK(open("b/new", O_CREAT | O_WRONLY, 0644))));
    drain(fd, "create b/new");
    EXPECT_OK(rename("b/new", "a/w"));
    drain(fd, "rename over the watched file");
    pairs("replacing rename");

    /* Exchange (where renameat2 is available). */
    EXPECT_OK(close(EXPECT_OK(open("b/q", O_CREAT | O_WRONLY, 0644))));
    EXPECT_OK(mkdir("a/p", 0755));
    drain(fd, "create b/q, mkdir a/p");
    long r = syscall(SYS_renameat2, AT_FDCWD, "a/p", AT_FDCWD, "b/q", 2 /* RENAME_EXCHANGE */);
    SAY("renameat2 exchange: %s", r == 0 ? "ok" : t_errname(errno));
    drain(fd, "exchange a/p with b/q");
    pairs("exchange");

    /* The watched directory itself moves: its parent reports the move, it keeps its watch. */
    EXPECT_EQ(inotify_add_watch(fd, "top", mask), 4);
    EXPECT_EQ(inotify_add_watch(fd, "top/w", mask), 5);
    EXPECT_OK(rename("top/w", "top/v"));
    drain(fd, "rename of a watched directory inside a watched directory");
    pairs("directory rename");
    EXPECT_OK(rename("top", "top2"));
    drain(fd, "rename of the watched parent (its own parent is not watched)");
    EXPECT_OK(close(EXPECT_OK(open("top2/v/inside", O_CREAT | O_WRONLY, 0644))));
    EXPECT_OK(rmdir("a/p") == 0 ? 0 : rmdir("b/q"));
    drain(fd, "create inside the moved directory");
    return t_done();
}
