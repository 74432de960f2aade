// syscalls: openat, newfstatat, chdir, getcwd
/* `..` at the root is the root: through a descriptor of "/", from a cwd of "/", and inside
 * longer paths. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static int same(const struct stat *a, const struct stat *b) {
    return a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

int main(void) {
    struct stat root, st;
    char buf[64];
    EXPECT_OK(stat("/", &root));
    int r = EXPECT_OK(open("/", O_PATH | O_DIRECTORY));
    EXPECT_OK(fstatat(r, "..", &st, 0));
    CHECK(same(&st, &root));
    EXPECT_OK(fstatat(r, "../../..", &st, 0));
    CHECK(same(&st, &root));
    int up = EXPECT_OK(openat(r, "../..", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(fstat(up, &st));
    CHECK(same(&st, &root));
    EXPECT_OK(fstatat(up, "../proc/../..", &st, 0));
    CHECK(same(&st, &root));
    EXPECT_OK(stat("/../../..", &st));
    CHECK(same(&st, &root));
    EXPECT_OK(chdir("/"));
    EXPECT_OK(chdir("../.."));
    EXPECT_EQ(syscall(SYS_getcwd, buf, sizeof buf), 2);
    SAY("cwd: %s", buf);
    EXPECT_OK(stat("..", &st));
    CHECK(same(&st, &root));
    EXPECT_OK(close(up));
    EXPECT_OK(close(r));
    return t_done();
}
