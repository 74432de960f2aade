// syscalls: pipe2, fcntl, write, read, openat, close
/* Pipe capacity: F_GETPIPE_SZ is 65536 by default and filling the pipe with non-blocking
 * writes until EAGAIN moves exactly that many bytes; F_SETPIPE_SZ rounds up to a power-of-two
 * number of pages (at least one page), returns the new size, refuses to shrink below the data
 * held (EBUSY) and a size above 2^31 (EINVAL); on a non-pipe both commands are EBADF. */
#include "harness.h"
#include <fcntl.h>

/* Bytes written with 1 KiB non-blocking writes until EAGAIN; then drained again. */
static long fill(int p[2]) {
    static char chunk[1024];
    long total = 0, n;
    while ((n = write(p[1], chunk, sizeof chunk)) > 0) total += n;
    if (errno != EAGAIN) T_FAIL("fill stopped with %s", t_errname(errno));
    char buf[4096];
    while (read(p[0], buf, sizeof buf) > 0) {}
    return total;
}

int main(void) {
    alarm(10);
    int p[2];
    EXPECT_OK(pipe2(p, O_NONBLOCK));
    EXPECT_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536);
    EXPECT_EQ(fcntl(p[1], F_GETPIPE_SZ), 65536);
    EXPECT_EQ(fill(p), 65536);

    EXPECT_EQ(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
    EXPECT_EQ(fcntl(p[0], F_GETPIPE_SZ), 4096);
    EXPECT_EQ(fill(p), 4096);
    EXPECT_EQ(fcntl(p[1], F_SETPIPE_SZ, 5000), 8192);
    EXPECT_EQ(fill(p), 8192);
    EXPECT_EQ(fcntl(p[0], F_SETPIPE_SZ, 1), 4096);
    EXPECT_EQ(fcntl(p[0], F_SETPIPE_SZ, 0), 4096);
    EXPECT_EQ(fcntl(p[0], F_SETPIPE_SZ, 3 * 4096), 16384);
    EXPECT_EQ(fcntl(p[0], F_SETPIPE_SZ, 1 << 20), 1 << 20);
    EXPECT_EQ(fill(p), 1 << 20);
    EXPECT_ERR(fcntl(p[0], F_SETPIPE_SZ, (1U << 31) + 1), EINVAL);
    EXPECT_ERR(fcntl(p[0], F_SETPIPE_SZ, -1), EINVAL);
    EXPECT_EQ(fcntl(p[0], F_GETPIPE_SZ), 1 << 20);

    /* Shrinking below what is queued is EBUSY; the size stays. */
    EXPECT_EQ(fcntl(p[0], F_SETPIPE_SZ, 65536), 65536);
    static char data[3 * 4096];
    EXPECT_EQ(write(p[1], data, sizeof data), sizeof data);
    EXPECT_ERR(fcntl(p[0], F_SETPIPE_SZ, 4096), EBUSY);
    EXPECT_ERR(fcntl(p[0], F_SETPIPE_SZ, 8192), EBUSY);
    EXPECT_EQ(fcntl(p[0], F_GETPIPE_SZ), 65536);
    EXPECT_EQ(fcntl(p[0], F_SETPIPE_SZ, 16384), 16384);
    EXPECT_EQ(read(p[0], data, sizeof data), sizeof data);
    EXPECT_EQ(fcntl(p[0], F_SETPIPE_SZ, 4096), 4096);

    int fd = EXPECT_OK(openat(AT_FDCWD, "f", O_CREAT | O_RDWR, 0644));
    EXPECT_ERR(fcntl(fd, F_GETPIPE_SZ), EBADF);
    EXPECT_ERR(fcntl(fd, F_SETPIPE_SZ, 4096), EBADF);
    return t_done();
}
