// syscalls: umask, openat, chmod, fchmod, fchmodat, fchmodat2, symlinkat, mkdirat, newfstatat, close
/* chmod/fchmod/fchmodat set the 12 permission bits (the type is kept, extra bits ignored);
 * fchmodat2 with AT_SYMLINK_NOFOLLOW on a symlink is EOPNOTSUPP. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static unsigned mode_of(const char *p) {
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, p, &st, AT_SYMLINK_NOFOLLOW) < 0) return 0;
    return st.st_mode;
}

int main(void) {
    syscall(SYS_umask, 022);
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_chmod, "f", 0700));
    SAY("mode=%o", mode_of("f"));
    EXPECT_OK(syscall(SYS_fchmod, f, 04751));
    SAY("mode=%o", mode_of("f"));
    EXPECT_OK(syscall(SYS_fchmodat, AT_FDCWD, "f", 0170000 | 0640));
    SAY("mode=%o", mode_of("f"));
    EXPECT_OK(syscall(SYS_symlinkat, "f", AT_FDCWD, "l"));
    unsigned lmode = mode_of("l");
    EXPECT_OK(syscall(SYS_chmod, "l", 0600));
    SAY("target=%o link unchanged=%d", mode_of("f"), mode_of("l") == lmode);
    EXPECT_ERR(syscall(SYS_fchmodat2, AT_FDCWD, "l", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
    EXPECT_OK(syscall(SYS_fchmodat2, AT_FDCWD, "f", 0604, AT_SYMLINK_NOFOLLOW));
    SAY("mode=%o", mode_of("f"));
    EXPECT_OK(syscall(SYS_fchmodat2, f, "", 0606, AT_EMPTY_PATH));
    SAY("mode=%o", mode_of("f"));
    EXPECT_ERR(syscall(SYS_fchmodat2, AT_FDCWD, "f", 0600, 0x4), EINVAL);
    EXPECT_ERR(syscall(SYS_chmod, "missing", 0600), ENOENT);
    EXPECT_ERR(syscall(SYS_fchmod, 99, 0600), EBADF);
    EXPECT_OK(syscall(SYS_mkdirat, AT_FDCWD, "d", 0700));
    EXPECT_OK(syscall(SYS_chmod, "d", 01777));
    SAY("dir mode=%o", mode_of("d"));
    EXPECT_OK(syscall(SYS_close, f));
    return t_done();
}
