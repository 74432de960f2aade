// syscalls: pipe2, fstat, newfstatat, lseek, pread64, close
/* fstat of a pipe: S_IFIFO with mode 0600, one link, size 0 even with data queued, a 4096-byte
 * block size; both ends have the same inode number and another pipe a different one. Pipes
 * are not seekable: lseek and pread are ESPIPE. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    int p[2], q[2];
    EXPECT_OK(pipe2(p, 0));
    EXPECT_OK(pipe2(q, 0));
    EXPECT_EQ(write(p[1], "data", 4), 4);
    struct stat r, w, o;
    EXPECT_OK(fstat(p[0], &r));
    EXPECT_OK(fstat(p[1], &w));
    EXPECT_OK(fstat(q[0], &o));
    CHECK(S_ISFIFO(r.st_mode));
    CHECK(S_ISFIFO(w.st_mode));
    SAY("mode = %o", r.st_mode);
    EXPECT_EQ(r.st_nlink, 1);
    EXPECT_EQ(r.st_size, 0);
    EXPECT_EQ(r.st_blksize, 4096);
    EXPECT_EQ(r.st_ino == w.st_ino, 1);
    EXPECT_EQ(r.st_dev == w.st_dev, 1);
    EXPECT_EQ(r.st_ino == o.st_ino, 0);
    EXPECT_EQ(r.st_uid, getuid());
    EXPECT_EQ(r.st_gid, getgid());
    /* fstatat with AT_EMPTY_PATH sees the same object. */
    struct stat e;
    EXPECT_OK(fstatat(p[1], "", &e, AT_EMPTY_PATH));
    EXPECT_EQ(e.st_ino == r.st_ino, 1);

    EXPECT_ERR(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    EXPECT_ERR(lseek(p[1], 0, SEEK_SET), ESPIPE);
    char buf[4];
    EXPECT_ERR(pread(p[0], buf, 4, 0), ESPIPE);
    EXPECT_ERR(pwrite(p[1], buf, 4, 0), ESPIPE);
    return t_done();
}
