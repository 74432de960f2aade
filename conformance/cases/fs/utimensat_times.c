// syscalls: openat, symlinkat, utimensat, newfstatat, close
/* utimensat sets explicit atime/mtime (nanoseconds kept), UTIME_OMIT leaves one alone,
 * AT_SYMLINK_NOFOLLOW sets the link's own times, a NULL path means the descriptor
 * (futimens); an out-of-range tv_nsec is EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static void show(const char *p, int flags) {
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, p, &st, flags) < 0) {
        SAY("%s: stat failed", p);
        return;
    }
    SAY("%s: atime=%ld.%09ld mtime=%ld.%09ld", p, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
        (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void) {
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_WRONLY, 0644));
    struct timespec t[2] = {{1000000000, 123456789}, {1200000000, 987654321}};
    EXPECT_OK(syscall(SYS_utimensat, AT_FDCWD, "f", t, 0));
    show("f", 0);
    struct timespec o[2] = {{5, UTIME_OMIT}, {1300000000, 0}};
    EXPECT_OK(syscall(SYS_utimensat, AT_FDCWD, "f", o, 0));
    show("f", 0);
    struct timespec g[2] = {{1400000000, 1}, {5, UTIME_OMIT}};
    EXPECT_OK(syscall(SYS_utimensat, f, NULL, g, 0));
    show("f", 0);
    EXPECT_OK(syscall(SYS_symlinkat, "f", AT_FDCWD, "l"));
    struct timespec lt[2] = {{100, 0}, {200, 0}};
    EXPECT_OK(syscall(SYS_utimensat, AT_FDCWD, "l", lt, AT_SYMLINK_NOFOLLOW));
    show("l", AT_SYMLINK_NOFOLLOW);
    show("f", 0);
    /* Times before the epoch. */
    struct timespec neg[2] = {{-1, 0}, {-86400, 500}};
    EXPECT_OK(syscall(SYS_utimensat, AT_FDCWD, "f", neg, 0));
    show("f", 0);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    EXPECT_ERR(syscall(SYS_utimensat, AT_FDCWD, "f", bad, 0), EINVAL);
    bad[0].tv_nsec = -1;
    EXPECT_ERR(syscall(SYS_utimensat, AT_FDCWD, "f", bad, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_utimensat, AT_FDCWD, "f", t, 0x4), EINVAL);
    EXPECT_ERR(syscall(SYS_utimensat, AT_FDCWD, "missing", t, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_utimensat, AT_FDCWD, "f", (void *)1, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_utimensat, 99, NULL, t, 0), EBADF);
    /* Both UTIME_OMIT: Linux returns before even looking the path up. */
    struct timespec none[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    EXPECT_OK(syscall(SYS_utimensat, AT_FDCWD, "f", none, 0));
    EXPECT_OK(syscall(SYS_utimensat, AT_FDCWD, "missing", none, 0));
    show("f", 0);
    EXPECT_OK(syscall(SYS_close, f));
    return t_done();
}
