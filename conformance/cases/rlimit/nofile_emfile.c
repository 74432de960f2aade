// syscalls: prlimit64, dup, dup2, fcntl, openat, close
#include "harness.h"
#include <fcntl.h>
#include <sys/resource.h>

/* RLIMIT_NOFILE bounds descriptor numbers: dup and open fail with EMFILE once every number
 * below the limit is in use; dup2 and F_DUPFD beyond it are EBADF / EINVAL. */
int main(void) {
    struct rlimit lim = {8, 8};
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, NULL), 0);
    int last = -1, n = 0;
    for (;;) {
        int fd = dup(0);
        if (fd < 0) break;
        last = fd;
        n++;
    }
    SAY("dup stopped with %s, highest fd %d", t_errname(errno), last);
    EXPECT_ERR(open(".", O_RDONLY), EMFILE);
    EXPECT_ERR(fcntl(0, F_DUPFD, 0), EMFILE);
    EXPECT_EQ(close(last), 0);
    EXPECT_EQ(dup(0), last);
    EXPECT_ERR(dup2(0, 8), EBADF);
    EXPECT_ERR(dup2(0, 100), EBADF);
    EXPECT_EQ(dup2(0, 7), 7);
    EXPECT_ERR(fcntl(0, F_DUPFD, 8), EINVAL);
    /* Lowering the limit below open descriptors leaves them open. */
    struct rlimit low = {4, 8};
    EXPECT_EQ(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &low, NULL), 0);
    EXPECT_EQ(fcntl(7, F_GETFD), 0);
    EXPECT_EQ(close(7), 0);
    EXPECT_ERR(dup(0), EMFILE);
    return t_done();
}
