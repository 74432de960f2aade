// syscalls: openat, flock, dup, close
/* flock locks belong to the open file description: two opens of one file conflict even in
 * one process (LOCK_NB gives EWOULDBLOCK), a dup shares the lock, shared locks coexist,
 * and closing the last descriptor releases it. */
#include "harness.h"
#include <fcntl.h>
#include <sys/file.h>

int main(void) {
    int a = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    int b = EXPECT_OK(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
    EXPECT_OK(syscall(SYS_flock, a, LOCK_EX));
    EXPECT_ERR(syscall(SYS_flock, b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    int a2 = EXPECT_OK(syscall(SYS_dup, a));
    EXPECT_OK(syscall(SYS_flock, a2, LOCK_EX | LOCK_NB));
    /* Converting to shared lets b share. */
    EXPECT_OK(syscall(SYS_flock, a, LOCK_SH));
    EXPECT_OK(syscall(SYS_flock, b, LOCK_SH | LOCK_NB));
    EXPECT_ERR(syscall(SYS_flock, a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    EXPECT_OK(syscall(SYS_flock, b, LOCK_UN));
    EXPECT_OK(syscall(SYS_flock, a, LOCK_EX | LOCK_NB));
    EXPECT_OK(syscall(SYS_close, a));
    EXPECT_ERR(syscall(SYS_flock, b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    EXPECT_OK(syscall(SYS_close, a2));
    EXPECT_OK(syscall(SYS_flock, b, LOCK_EX | LOCK_NB));
    EXPECT_ERR(syscall(SYS_flock, b, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_flock, b, LOCK_SH | LOCK_EX), EINVAL);
    EXPECT_ERR(syscall(SYS_flock, 99, LOCK_SH), EBADF);
    /* Unlocking what is not locked is fine. */
    EXPECT_OK(syscall(SYS_flock, b, LOCK_UN));
    EXPECT_OK(syscall(SYS_flock, b, LOCK_UN));
    EXPECT_OK(syscall(SYS_close, b));
    return t_done();
}
