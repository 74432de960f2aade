// syscalls: openat, renameat, newfstatat, readlink, close
/* A directory descriptor names the directory itself: after the directory moves to another
 * parent, openat through it still finds its entries, `..` through it is the new parent (not
 * the old one), and /proc/self/fd/N shows the new path. O_PATH descriptors behave the same.
 * Scratch directory and tmpfs (/dev/shm). */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static char base[4096];

static int fd_link_is(int fd, const char *suffix) {
    char link[64], buf[4096], want[4200];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    long n = readlink(link, buf, sizeof buf - 1);
    if (n < 0) return 0;
    buf[n] = 0;
    snprintf(want, sizeof want, "%s%s", base, suffix);
    return strcmp(buf, want) == 0;
}

static void scenario(const char *where) {
    struct stat st, st2;
    SAY("-- %s", where);
    CHECK(getcwd(base, sizeof base) != NULL);
    EXPECT_OK(mkdir("old", 0755));
    EXPECT_OK(mkdir("new", 0755));
    EXPECT_OK(mkdir("old/d", 0755));
    EXPECT_OK(close(EXPECT_OK(open("old/only-old", O_CREAT | O_WRONLY, 0644))));
    EXPECT_OK(close(EXPECT_OK(open("new/only-new", O_CREAT | O_WRONLY, 0644))));
    int d = EXPECT_OK(openat(AT_FDCWD, "old/d", O_RDONLY | O_DIRECTORY));
    int p = EXPECT_OK(openat(AT_FDCWD, "old/d", O_PATH | O_DIRECTORY));
    int f = EXPECT_OK(openat(d, "inside", O_CREAT | O_WRONLY, 0644));
    EXPECT_EQ(write(f, "data", 4), 4);
    EXPECT_OK(close(f));
    CHECK(fd_link_is(d, "/old/d"));

    EXPECT_OK(renameat(AT_FDCWD, "old/d", AT_FDCWD, "new/d"));
    CHECK(fd_link_is(d, "/new/d"));
    CHECK(fd_link_is(p, "/new/d"));
    for (int i = 0; i < 2; i++) {
        int dir = i ? p : d;
        SAY("through the %s descriptor", i ? "O_PATH" : "O_RDONLY");
        f = EXPECT_OK(openat(dir, "inside", O_RDONLY));
        char buf[8] = {0};
        EXPECT_EQ(read(f, buf, sizeof buf), 4);
        SAY("read: %s", buf);
        EXPECT_OK(close(f));
        EXPECT_OK(fstatat(dir, "../only-new", &st, 0));
        EXPECT_ERR(fstatat(dir, "../only-old", &st, 0), ENOENT);
        EXPECT_OK(fstatat(dir, "..", &st, 0));
        EXPECT_OK(stat("new", &st2));
        CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
        EXPECT_OK(fstatat(dir, "../../new/d/inside", &st, 0));
        EXPECT_OK(fstatat(dir, "../d/../../old/only-old", &st, 0));
    }
    /* Move it again, back under old, then into itself's former sibling's child. */
    EXPECT_OK(renameat(AT_FDCWD, "new/d", AT_FDCWD, "old/e"));
    EXPECT_OK(fstatat(d, "../only-old", &st, 0));
    EXPECT_ERR(fstatat(d, "../only-new", &st, 0), ENOENT);
    CHECK(fd_link_is(d, "/old/e"));
    f = EXPECT_OK(openat(d, "../../new/made-through-d", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(close(f));
    EXPECT_OK(stat("new/made-through-d", &st));

    EXPECT_OK(close(p));
    EXPECT_OK(close(d));
    EXPECT_OK(unlink("old/e/inside"));
    EXPECT_OK(rmdir("old/e"));
    EXPECT_OK(unlink("old/only-old"));
    EXPECT_OK(unlink("new/only-new"));
    EXPECT_OK(unlink("new/made-through-d"));
    EXPECT_OK(rmdir("old"));
    EXPECT_OK(rmdir("new"));
}

int main(void) {
    int home = EXPECT_OK(open(".", O_RDONLY | O_DIRECTORY));
    scenario("scratch");
    char tmp[] = "/dev/shm/sbx-case-XXXXXX";
    if (CHECK(mkdtemp(tmp) != NULL)) {
        EXPECT_OK(chdir(tmp));
        scenario("tmpfs");
        EXPECT_OK(fchdir(home));
        EXPECT_OK(rmdir(tmp));
    }
    return t_done();
}
