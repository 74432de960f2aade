// syscalls: umask, openat, mkdirat, mknodat, newfstatat, close
/* umask returns the previous mask, keeps only 0777, and masks the modes of new files,
 * directories and FIFOs (but not later chmods). */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static unsigned mode_of(const char *p) {
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, p, &st, 0) < 0) return 0;
    return st.st_mode & 07777;
}

int main(void) {
    syscall(SYS_umask, 022);
    EXPECT_EQ(syscall(SYS_umask, 027), 022);
    EXPECT_EQ(syscall(SYS_umask, 0177777), 027);
    EXPECT_EQ(syscall(SYS_umask, 027), 0777);
    int fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_WRONLY, 0666));
    EXPECT_OK(syscall(SYS_close, fd));
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0777));
    EXPECT_OK(syscall(SYS_mknodat, AT_FDCWD, "p", S_IFIFO | 0666, 0));
    SAY("file=%o dir=%o fifo=%o", mode_of("f"), mode_of("d"), mode_of("p"));
    syscall(SYS_umask, 0);
    fd = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "g", O_CREAT | O_WRONLY, 04777));
    EXPECT_OK(syscall(SYS_close, fd));
    SAY("g=%o", mode_of("g"));
    return t_done();
}
