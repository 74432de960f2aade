// syscalls: openat, fcntl, close
/* Open file description locks conflict between two opens of one file even in one process:
 * F_OFD_SETLK fails with EAGAIN, F_OFD_GETLK reports the holder with l_pid -1; closing
 * the description releases its locks; l_pid must be 0. */
#include "harness.h"
#include <fcntl.h>

int main(void) {
    int a = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    int b = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDWR));
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 20};
    EXPECT_OK(syscall(SYS_fcntl, a, F_OFD_SETLK, &l));
    /* The same description may take it again (and convert it). */
    EXPECT_OK(syscall(SYS_fcntl, a, F_OFD_SETLK, &l));
    struct flock m = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 25, .l_len = 10};
    EXPECT_ERR(syscall(SYS_fcntl, b, F_OFD_SETLK, &m), EAGAIN);
    EXPECT_OK(syscall(SYS_fcntl, b, F_OFD_GETLK, &m));
    SAY("type=%s start=%ld len=%ld pid=%d", m.l_type == F_WRLCK ? "WR" : "other",
        (long)m.l_start, (long)m.l_len, m.l_pid);
    /* A range that does not overlap is free. */
    struct flock n = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 30, .l_len = 5};
    EXPECT_OK(syscall(SYS_fcntl, b, F_OFD_SETLK, &n));
    /* A read lock from a dup of a shares a's description: no conflict with a. */
    int a2 = EXPECT_OK(syscall(SYS_dup, a));
    struct flock r = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 15};
    EXPECT_OK(syscall(SYS_fcntl, a2, F_OFD_SETLK, &r));
    /* l_pid must be zero. */
    struct flock p = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 1, .l_pid = 1};
    EXPECT_ERR(syscall(SYS_fcntl, a, F_OFD_SETLK, &p), EINVAL);
    /* Unlocking part of a's range frees it for b. */
    struct flock u = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 10};
    EXPECT_OK(syscall(SYS_fcntl, a, F_OFD_SETLK, &u));
    m = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 10};
    EXPECT_OK(syscall(SYS_fcntl, b, F_OFD_SETLK, &m));
    /* Closing every descriptor of a's description drops its locks. */
    EXPECT_OK(syscall(SYS_close, a));
    EXPECT_OK(syscall(SYS_close, a2));
    m = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    EXPECT_OK(syscall(SYS_fcntl, b, F_OFD_SETLK, &m));
    EXPECT_OK(syscall(SYS_close, b));
    return t_done();
}
