// syscalls: openat, fcntl, getpid, close
/* POSIX and OFD record locks share one namespace: a process's POSIX lock blocks an OFD lock
 * of another description and F_OFD_GETLK names the process; closing ANY descriptor of the
 * file drops the process's POSIX locks (but not its OFD locks). */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int a = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    int b = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDWR));
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100};
    EXPECT_OK(syscall(SYS_fcntl, a, F_SETLK, &l));
    struct flock o = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 0};
    EXPECT_ERR(syscall(SYS_fcntl, b, F_OFD_SETLK, &o), EAGAIN);
    EXPECT_OK(syscall(SYS_fcntl, b, F_OFD_GETLK, &o));
    SAY("type=%d start=%ld len=%ld pid is ours=%d", o.l_type, (long)o.l_start, (long)o.l_len,
        o.l_pid == syscall(SYS_getpid));
    /* An OFD lock elsewhere, seen by the process's F_GETLK with pid -1. */
    struct flock o2 = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 200, .l_len = 10};
    EXPECT_OK(syscall(SYS_fcntl, b, F_OFD_SETLK, &o2));
    struct flock q = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    EXPECT_OK(syscall(SYS_fcntl, a, F_GETLK, &q));
    SAY("type=%d start=%ld len=%ld pid=%d", q.l_type, (long)q.l_start, (long)q.l_len, q.l_pid);
    /* SEEK_CUR and SEEK_END ranges: l_len < 0 locks the bytes before l_start. */
    struct flock e = {.l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = 1000, .l_len = 10};
    EXPECT_OK(syscall(SYS_fcntl, a, F_SETLK, &e));
    struct flock n = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 210, .l_len = -5};
    EXPECT_ERR(syscall(SYS_fcntl, a, F_SETLK, &n), EAGAIN);
    n.l_start = 200;
    n.l_len = -300;
    EXPECT_ERR(syscall(SYS_fcntl, a, F_SETLK, &n), EINVAL);
    /* Closing an unrelated descriptor of the same file releases the POSIX lock. */
    int c = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    EXPECT_OK(syscall(SYS_close, c));
    o = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100};
    EXPECT_OK(syscall(SYS_fcntl, b, F_OFD_SETLK, &o));
    /* Now the OFD locks of b block the process. */
    l.l_type = F_RDLCK;
    EXPECT_ERR(syscall(SYS_fcntl, a, F_SETLK, &l), EAGAIN);
    EXPECT_OK(syscall(SYS_close, b));
    EXPECT_OK(syscall(SYS_fcntl, a, F_SETLK, &l));
    EXPECT_OK(syscall(SYS_close, a));
    return t_done();
}
