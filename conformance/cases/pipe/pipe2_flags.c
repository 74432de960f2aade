// syscalls: pipe, pipe2, fcntl, close, mmap
/* pipe2 flags: O_CLOEXEC sets FD_CLOEXEC on both ends, O_NONBLOCK goes into both open file
 * descriptions (read end O_RDONLY, write end O_WRONLY); any other flag is EINVAL; a bad array
 * pointer is EFAULT and no descriptor is left behind. */
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* The lowest free descriptor number (what the next open would get). */
static int lowest_free(void) {
    int fd = dup(0);
    close(fd);
    return fd;
}

int main(void) {
    int p[2];
    EXPECT_OK(syscall(SYS_pipe, p));
    EXPECT_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
    EXPECT_EQ(fcntl(p[1], F_GETFL), O_WRONLY);
    EXPECT_EQ(fcntl(p[0], F_GETFD), 0);
    EXPECT_EQ(fcntl(p[1], F_GETFD), 0);
    CHECK(p[1] == p[0] + 1);
    close(p[0]);
    close(p[1]);

    EXPECT_OK(syscall(SYS_pipe2, p, O_CLOEXEC));
    EXPECT_EQ(fcntl(p[0], F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(p[0], F_GETFL), O_RDONLY);
    close(p[0]);
    close(p[1]);

    EXPECT_OK(syscall(SYS_pipe2, p, O_NONBLOCK));
    EXPECT_EQ(fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
    EXPECT_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK);
    EXPECT_EQ(fcntl(p[0], F_GETFD), 0);
    close(p[0]);
    close(p[1]);

    EXPECT_OK(syscall(SYS_pipe2, p, O_NONBLOCK | O_CLOEXEC));
    EXPECT_EQ(fcntl(p[1], F_GETFL), O_WRONLY | O_NONBLOCK);
    EXPECT_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    close(p[0]);
    close(p[1]);

    int before = lowest_free();
    EXPECT_ERR(syscall(SYS_pipe2, p, O_APPEND), EINVAL);
    EXPECT_ERR(syscall(SYS_pipe2, p, O_RDWR), EINVAL);
    EXPECT_ERR(syscall(SYS_pipe2, p, O_NOFOLLOW), EINVAL);
    EXPECT_ERR(syscall(SYS_pipe2, p, -1), EINVAL);
    EXPECT_ERR(syscall(SYS_pipe2, NULL, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_pipe, NULL), EFAULT);
    EXPECT_ERR(syscall(SYS_pipe2, (void *)-4096L, 0), EFAULT);
    /* A read-only page: the descriptors are made, the copy-out fails, they are undone. */
    void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_ERR(syscall(SYS_pipe2, ro, 0), EFAULT);
    EXPECT_EQ(lowest_free() == before, 1);
    return t_done();
}
