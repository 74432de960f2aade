// syscalls: select, pselect6, close
/* select's argument errors: a closed fd in any set is EBADF, negative nfds EINVAL, an invalid
 * timeval EINVAL (microseconds of a second or more are folded into seconds first), bad set or
 * timeout pointers EFAULT; pselect6 checks its timespec and sigset size. */
#include "harness.h"
#include <signal.h>
#include <sys/select.h>

int main(void) {
    int fd = EXPECT_OK(dup(1));
    EXPECT_OK(close(fd));
    fd_set s;
    struct timeval z = {0, 0};
    FD_ZERO(&s);
    FD_SET(fd, &s);
    EXPECT_ERR(syscall(SYS_select, fd + 1, &s, NULL, NULL, &z), EBADF);
    EXPECT_ERR(syscall(SYS_select, fd + 1, NULL, NULL, &s, &z), EBADF);
    EXPECT_ERR(syscall(SYS_select, -1, NULL, NULL, NULL, &z), EINVAL);
    struct timeval bad1 = {-1, 0}, bad2 = {0, -1}, folded = {0, 1000000}, negfold = {1, -1000000};
    EXPECT_ERR(syscall(SYS_select, 0, NULL, NULL, NULL, &bad1), EINVAL);
    EXPECT_ERR(syscall(SYS_select, 0, NULL, NULL, NULL, &bad2), EINVAL);
    EXPECT_EQ(syscall(SYS_select, 0, NULL, NULL, NULL, &folded), 0);
    EXPECT_EQ(folded.tv_sec | folded.tv_usec, 0);
    EXPECT_EQ(syscall(SYS_select, 0, NULL, NULL, NULL, &negfold), 0);
    EXPECT_ERR(syscall(SYS_select, 0, NULL, NULL, NULL, (void *)8), EFAULT);
    EXPECT_ERR(syscall(SYS_select, 1, (void *)8, NULL, NULL, &z), EFAULT);
    /* A bad set pointer past nfds = 0 is not touched. */
    EXPECT_EQ(syscall(SYS_select, 0, (void *)8, NULL, NULL, &z), 0);

    struct timespec tsbad = {0, 1000000000}, tz = {0, 0};
    EXPECT_ERR(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &tsbad, NULL), EINVAL);
    sigset_t m;
    sigemptyset(&m);
    struct { void *ss; size_t len; } arg = {&m, 4};
    EXPECT_ERR(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &tz, &arg), EINVAL);
    arg.len = 8;
    EXPECT_EQ(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &tz, &arg), 0);
    arg.ss = (void *)8;
    EXPECT_ERR(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &tz, &arg), EFAULT);
    EXPECT_ERR(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &tz, (void *)8), EFAULT);
    /* No mask at all: the size is not checked. */
    arg.ss = NULL;
    arg.len = 1;
    EXPECT_EQ(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &tz, &arg), 0);
    EXPECT_ERR(syscall(SYS_pselect6, -1, NULL, NULL, NULL, &tz, NULL), EINVAL);
    return t_done();
}
