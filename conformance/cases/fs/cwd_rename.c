// syscalls: getcwd, chdir, rename, rmdir, readlink, openat
/* The working directory is the directory itself: after it or its parent is renamed, getcwd
 * and /proc/self/cwd show the new path and relative paths resolve inside it; once it is
 * removed, getcwd is ENOENT, /proc/self/cwd shows where it was with " (deleted)", and nothing
 * can be created in it. Run in the scratch directory and on a tmpfs (/dev/shm). */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static char base[4096];

/* The raw getcwd (libc wrappers differ on errors) equals base + suffix. */
static int cwd_is(const char *suffix) {
    char buf[4096], want[4096];
    if (syscall(SYS_getcwd, buf, sizeof buf) < 0) return 0;
    snprintf(want, sizeof want, "%s%s", base, suffix);
    return strcmp(buf, want) == 0;
}

static int proc_cwd_is(const char *suffix) {
    char buf[4096], want[4096];
    long n = readlink("/proc/self/cwd", buf, sizeof buf - 1);
    if (n < 0) return 0;
    buf[n] = 0;
    snprintf(want, sizeof want, "%s%s", base, suffix);
    return strcmp(buf, want) == 0;
}

static void scenario(const char *where) {
    char path[4200], buf[4096];
    struct stat st;
    SAY("-- %s", where);
    CHECK(getcwd(base, sizeof base) != NULL);
    EXPECT_OK(mkdir("a", 0755));
    EXPECT_OK(chdir("a"));
    CHECK(cwd_is("/a"));
    /* Rename the cwd itself, by a path relative to it. */
    EXPECT_OK(rename("../a", "../b"));
    CHECK(cwd_is("/b"));
    CHECK(proc_cwd_is("/b"));
    EXPECT_OK(mkdir("c", 0755));
    EXPECT_OK(chdir("c"));
    /* Rename an ancestor, by absolute path. */
    snprintf(path, sizeof path, "%s/b", base);
    snprintf(buf, sizeof buf, "%s/renamed", base);
    EXPECT_OK(rename(path, buf));
    CHECK(cwd_is("/renamed/c"));
    CHECK(proc_cwd_is("/renamed/c"));
    /* Relative paths start from the directory itself. */
    int fd = EXPECT_OK(open("file", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(close(fd));
    snprintf(path, sizeof path, "%s/renamed/c/file", base);
    EXPECT_OK(stat(path, &st));
    EXPECT_OK(unlink("file"));
    EXPECT_OK(stat("../c", &st));
    EXPECT_OK(stat("../../renamed", &st));
    /* Moved once more, then removed while it is the cwd. */
    snprintf(path, sizeof path, "%s/renamed", base);
    snprintf(buf, sizeof buf, "%s/last", base);
    EXPECT_OK(rename(path, buf));
    EXPECT_OK(rmdir("../c"));
    EXPECT_ERR(syscall(SYS_getcwd, buf, sizeof buf), ENOENT);
    CHECK(proc_cwd_is("/last/c (deleted)"));
    EXPECT_ERR(open("x", O_CREAT | O_WRONLY, 0644), ENOENT);
    EXPECT_ERR(mkdir("d", 0755), ENOENT);
    EXPECT_OK(stat(".", &st));
    EXPECT_EQ(st.st_nlink, 0);
    EXPECT_OK(chdir(base));
    EXPECT_OK(rmdir("last"));
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
