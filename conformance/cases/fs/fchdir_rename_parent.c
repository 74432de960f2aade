// syscalls: fchdir, getcwd, rename, openat, readlink
/* fchdir makes the directory behind a descriptor the cwd; renaming its parent afterwards
 * moves the cwd along: getcwd, /proc/self/cwd and /proc/self/fd/N show the new path, and
 * relative creates land in the moved directory. Scratch directory and tmpfs (/dev/shm). */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static char base[4096];

static int link_is(const char *link, const char *suffix) {
    char buf[4096], want[4096];
    long n = readlink(link, buf, sizeof buf - 1);
    if (n < 0) return 0;
    buf[n] = 0;
    snprintf(want, sizeof want, "%s%s", base, suffix);
    return strcmp(buf, want) == 0;
}

static void scenario(const char *where) {
    char cwd[4096], want[4200], from[4200], to[4200], fdlink[64];
    struct stat st, st2;
    SAY("-- %s", where);
    CHECK(getcwd(base, sizeof base) != NULL);
    EXPECT_OK(mkdir("p", 0755));
    EXPECT_OK(mkdir("p/c", 0755));
    int d = EXPECT_OK(open("p/c", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(fchdir(d));
    snprintf(from, sizeof from, "%s/p", base);
    snprintf(to, sizeof to, "%s/q", base);
    EXPECT_OK(rename(from, to));
    CHECK(syscall(SYS_getcwd, cwd, sizeof cwd) > 0);
    snprintf(want, sizeof want, "%s/q/c", base);
    CHECK(strcmp(cwd, want) == 0);
    CHECK(link_is("/proc/self/cwd", "/q/c"));
    snprintf(fdlink, sizeof fdlink, "/proc/self/fd/%d", d);
    CHECK(link_is(fdlink, "/q/c"));
    int f = EXPECT_OK(open("x", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(close(f));
    snprintf(want, sizeof want, "%s/q/c/x", base);
    EXPECT_OK(stat(want, &st));
    EXPECT_OK(fstatat(d, "x", &st2, 0));
    CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    /* The descriptor and the cwd are one directory. */
    EXPECT_OK(fstat(d, &st));
    EXPECT_OK(stat(".", &st2));
    CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    /* `..` is the renamed parent. */
    EXPECT_OK(stat("..", &st));
    EXPECT_OK(stat(to, &st2));
    CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    EXPECT_OK(unlink("x"));
    EXPECT_OK(chdir(base));
    EXPECT_OK(close(d));
    EXPECT_OK(rmdir("q/c"));
    EXPECT_OK(rmdir("q"));
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
