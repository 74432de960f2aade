// syscalls: mkdirat, openat, utimes, futimesat, utime, newfstatat, close
/* utimes/futimesat take microseconds (stored as usec*1000 ns); utime takes whole seconds;
 * tv_usec outside [0, 1e6) is EINVAL. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <utime.h>

static void show(const char *p) {
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, p, &st, 0) < 0) {
        SAY("%s: stat failed", p);
        return;
    }
    SAY("%s: atime=%ld.%09ld mtime=%ld.%09ld", p, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
        (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void) {
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0755));
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d/f", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_close, f));
    struct timeval tv[2] = {{1111111111, 222222}, {1333333333, 444444}};
    EXPECT_OK(syscall(SYS_utimes, "d/f", tv));
    show("d/f");
    int d = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "d", O_RDONLY | O_DIRECTORY));
    struct timeval tv2[2] = {{10, 1}, {20, 999999}};
    EXPECT_OK(syscall(SYS_futimesat, d, "f", tv2));
    show("d/f");
    struct utimbuf ub = {30, 40};
    EXPECT_OK(syscall(SYS_utime, "d/f", &ub));
    show("d/f");
    struct timeval bad[2] = {{0, 1000000}, {0, 0}};
    EXPECT_ERR(syscall(SYS_utimes, "d/f", bad), EINVAL);
    bad[0].tv_usec = -1;
    EXPECT_ERR(syscall(SYS_futimesat, d, "f", bad), EINVAL);
    EXPECT_ERR(syscall(SYS_utimes, "missing", tv), ENOENT);
    EXPECT_ERR(syscall(SYS_utime, "d/f", (void *)1), EFAULT);
    EXPECT_OK(syscall(SYS_close, d));
    return t_done();
}
