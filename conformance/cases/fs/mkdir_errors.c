// syscalls: umask, mkdir, mkdirat, openat, newfstatat, close
/* mkdir/mkdirat: mode masked by umask (sticky bit kept), parent nlink grows, EEXIST for any
 * existing name, ENOENT/ENOTDIR for a bad parent, trailing slashes are fine. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(void) {
    syscall(SYS_umask, 022);
    struct stat st;
    EXPECT_OK(syscall(SYS_mkdir, "a", 0777));
    EXPECT_OK(syscall(SYS_newfstatat, AT_FDCWD, "a", &st, 0));
    SAY("a: mode=%o nlink=%ld", st.st_mode, (long)st.st_nlink);
    EXPECT_OK(syscall(SYS_mkdir, "a/b/", 01777));
    EXPECT_OK(syscall(SYS_newfstatat, AT_FDCWD, "a/b", &st, 0));
    SAY("a/b: mode=%o", st.st_mode);
    EXPECT_OK(syscall(SYS_newfstatat, AT_FDCWD, "a", &st, 0));
    SAY("a: nlink=%ld", (long)st.st_nlink);
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "a", O_RDONLY | O_DIRECTORY));
    EXPECT_OK(syscall(SYS_mkdirat, d, "c", 0700));
    EXPECT_OK(syscall(SYS_newfstatat, AT_FDCWD, "a/c", &st, 0));
    SAY("a/c: mode=%o", st.st_mode);
    EXPECT_ERR(syscall(SYS_mkdir, "a", 0755), EEXIST);
    EXPECT_ERR(syscall(SYS_mkdir, "a/", 0755), EEXIST);
    EXPECT_ERR(syscall(SYS_mkdir, ".", 0755), EEXIST);
    EXPECT_ERR(syscall(SYS_mkdir, "..", 0755), EEXIST);
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "file", O_CREAT | O_WRONLY, 0644));
    EXPECT_ERR(syscall(SYS_mkdir, "file", 0755), EEXIST);
    EXPECT_ERR(syscall(SYS_mkdir, "file/x", 0755), ENOTDIR);
    EXPECT_ERR(syscall(SYS_mkdir, "missing/x", 0755), ENOENT);
    EXPECT_ERR(syscall(SYS_mkdir, "", 0755), ENOENT);
    EXPECT_ERR(syscall(SYS_mkdirat, f, "x", 0755), ENOTDIR);
    EXPECT_ERR(syscall(SYS_mkdirat, 99, "x", 0755), EBADF);
    EXPECT_OK(syscall(SYS_close, f));
    EXPECT_OK(syscall(SYS_close, d));
    return t_done();
}
