// syscalls: mkdirat, unlinkat, renameat, symlinkat, readlinkat, linkat, newfstatat, openat, getdents64, fchmod, utimensat
/* The *at calls through a directory descriptor work on the directory itself after it was
 * renamed: mkdirat, unlinkat (files and AT_REMOVEDIR), renameat, symlinkat, readlinkat,
 * linkat; so do getdents, fchmod and futimens on it. After the directory is removed,
 * creating through the descriptor is ENOENT. Scratch directory and tmpfs (/dev/shm). */
#include "harness.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

/* How many entries called `name` getdents shows in the directory behind `fd`. */
static int count_named(int fd, const char *name) {
    DIR *dir = fdopendir(dup(fd));
    if (!dir) return -1;
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(dir))) seen += strcmp(e->d_name, name) == 0;
    closedir(dir);
    return seen;
}

static void scenario(const char *where) {
    struct stat st;
    char buf[64];
    SAY("-- %s", where);
    EXPECT_OK(mkdir("top", 0755));
    EXPECT_OK(mkdir("top/d", 0755));
    int d = EXPECT_OK(open("top/d", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(rename("top", "top2"));
    EXPECT_OK(rename("top2/d", "moved"));

    EXPECT_OK(mkdirat(d, "sub", 0755));
    EXPECT_OK(stat("moved/sub", &st));
    EXPECT_EQ(S_ISDIR(st.st_mode), 1);
    EXPECT_ERR(mkdirat(d, "sub", 0755), EEXIST);
    EXPECT_EQ(count_named(d, "sub"), 1);
    EXPECT_OK(fchmod(d, 0700));
    EXPECT_OK(stat("moved", &st));
    EXPECT_EQ(st.st_mode & 07777, 0700);
    EXPECT_OK(futimens(d, NULL));
    int f = EXPECT_OK(openat(d, "sub/file", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(close(f));
    EXPECT_OK(renameat(d, "sub/file", d, "file2"));
    EXPECT_OK(stat("moved/file2", &st));
    EXPECT_OK(symlinkat("file2", d, "link"));
    long n = EXPECT_OK(readlinkat(d, "link", buf, sizeof buf - 1));
    buf[n < 0 ? 0 : n] = 0;
    SAY("link -> %s", buf);
    EXPECT_OK(fstatat(d, "link", &st, 0));
    EXPECT_EQ(S_ISREG(st.st_mode), 1);
    EXPECT_OK(linkat(d, "file2", d, "hard", 0));
    EXPECT_OK(fstatat(d, "hard", &st, 0));
    EXPECT_EQ(st.st_nlink, 2);
    EXPECT_ERR(unlinkat(d, "sub", 0), EISDIR);
    EXPECT_ERR(unlinkat(d, "file2", AT_REMOVEDIR), ENOTDIR);
    EXPECT_OK(unlinkat(d, "sub", AT_REMOVEDIR));
    EXPECT_OK(unlinkat(d, "file2", 0));
    EXPECT_OK(unlinkat(d, "hard", 0));
    EXPECT_OK(unlinkat(d, "link", 0));
    EXPECT_ERR(stat("moved/sub", &st), ENOENT);
    /* `..` through the descriptor: where it is now. */
    EXPECT_OK(mkdirat(d, "../made-beside", 0755));
    EXPECT_OK(stat("made-beside", &st));
    EXPECT_OK(unlinkat(d, "../made-beside", AT_REMOVEDIR));

    /* Removed: the descriptor still names it, but it takes no new entries. */
    EXPECT_OK(rmdir("moved"));
    EXPECT_ERR(mkdirat(d, "again", 0755), ENOENT);
    EXPECT_ERR(openat(d, "again", O_CREAT | O_WRONLY, 0644), ENOENT);
    EXPECT_ERR(fstatat(d, "again", &st, 0), ENOENT);
    EXPECT_OK(fstat(d, &st));
    EXPECT_EQ(st.st_nlink, 0);
    EXPECT_OK(close(d));
    EXPECT_OK(rmdir("top2"));
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
