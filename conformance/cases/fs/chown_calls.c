// syscalls: openat, chown, fchown, lchown, fchownat, fchmod, symlinkat, newfstatat, close
/* chown as root: -1 keeps an id; lchown/AT_SYMLINK_NOFOLLOW change the link itself; a
 * chown clears set-user-ID (and set-group-ID when group-executable). */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static void show(const char *p) {
    struct stat st;
    if (syscall(SYS_newfstatat, AT_FDCWD, p, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        SAY("%s: stat failed", p);
        return;
    }
    SAY("%s: uid=%u gid=%u mode=%o", p, st.st_uid, st.st_gid, st.st_mode & 07777);
}

int main(void) {
    int f = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_WRONLY, 0644));
    EXPECT_OK(syscall(SYS_chown, "f", 1000, 2000));
    show("f");
    EXPECT_OK(syscall(SYS_chown, "f", -1, 3000));
    show("f");
    EXPECT_OK(syscall(SYS_fchown, f, 4000, -1));
    show("f");
    EXPECT_OK(syscall(SYS_symlinkat, "f", AT_FDCWD, "l"));
    EXPECT_OK(syscall(SYS_lchown, "l", 5000, 5000));
    show("l");
    show("f");
    EXPECT_OK(syscall(SYS_fchownat, AT_FDCWD, "l", 6000, 6000, 0));
    show("f");
    EXPECT_OK(syscall(SYS_fchownat, AT_FDCWD, "l", 7000, 7000, AT_SYMLINK_NOFOLLOW));
    show("l");
    EXPECT_OK(syscall(SYS_fchownat, f, "", 0, 0, AT_EMPTY_PATH));
    show("f");
    EXPECT_OK(syscall(SYS_fchmod, f, 06755));
    show("f");
    EXPECT_OK(syscall(SYS_chown, "f", 1, 1));
    show("f");
    EXPECT_OK(syscall(SYS_fchmod, f, 06745));
    EXPECT_OK(syscall(SYS_chown, "f", 2, 2));
    show("f");
    EXPECT_ERR(syscall(SYS_fchownat, AT_FDCWD, "f", 0, 0, 0x4), EINVAL);
    EXPECT_ERR(syscall(SYS_chown, "missing", 0, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_fchown, 99, 0, 0), EBADF);
    EXPECT_OK(syscall(SYS_close, f));
    return t_done();
}
