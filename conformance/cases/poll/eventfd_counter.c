// syscalls: eventfd, eventfd2, read, write, poll, fcntl
/* eventfd's counter: a read takes the whole count (or 1 with EFD_SEMAPHORE) and fails with
 * EAGAIN at zero when non-blocking; reads need at least 8 bytes and return 8; writes of exactly
 * 8 bytes add (Linux 6.9 and later refuse other sizes), refuse UINT64_MAX and fail with EAGAIN
 * when the sum would reach it. poll reports POLLIN while the count is non-zero and POLLOUT
 * while a write of 1 would fit, never POLLRDNORM/POLLWRNORM. */
#include "harness.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

static uint64_t rd(int fd) {
    uint64_t v = 0;
    if (read(fd, &v, 8) != 8) return (uint64_t)-1;
    return v;
}

static int wr(int fd, uint64_t v) { return write(fd, &v, 8); }

static int ready(int fd) {
    struct pollfd f = {.fd = fd, .events = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM};
    poll(&f, 1, 0);
    return f.revents;
}

int main(void) {
    int e = EXPECT_OK(eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC));
    EXPECT_EQ(fcntl(e, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(fcntl(e, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
    EXPECT_EQ(ready(e), POLLIN | POLLOUT);
    EXPECT_EQ(wr(e, 3), 8);
    EXPECT_EQ(rd(e), 8);
    EXPECT_ERR(read(e, &(uint64_t){0}, 8), EAGAIN);
    EXPECT_EQ(ready(e), POLLOUT);

    char small[7];
    EXPECT_ERR(read(e, small, 7), EINVAL);
    EXPECT_ERR(write(e, small, 7), EINVAL);
    EXPECT_ERR(wr(e, UINT64_MAX), EINVAL);
    EXPECT_EQ(wr(e, UINT64_MAX - 1), 8);
    EXPECT_EQ(ready(e), POLLIN);
    EXPECT_ERR(wr(e, 1), EAGAIN);
    EXPECT_EQ(wr(e, 0), 8);
    char big[16];
    EXPECT_EQ(read(e, big, 16), 8);
    uint64_t got;
    memcpy(&got, big, 8);
    EXPECT_EQ(got == UINT64_MAX - 1, 1);

    uint64_t two[2] = {4, 100};
    EXPECT_ERR(write(e, two, 16), EINVAL);
    EXPECT_ERR(write(e, two, 9), EINVAL);
    EXPECT_ERR(read(e, &(uint64_t){0}, 8), EAGAIN);
    /* A blocking descriptor: the same, as long as nothing would block. */
    int b = EXPECT_OK(eventfd(0, 0));
    EXPECT_EQ(fcntl(b, F_GETFD), 0);
    EXPECT_EQ(fcntl(b, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
    EXPECT_EQ(write(b, two, 8), 8);
    EXPECT_EQ(rd(b), 4);
    EXPECT_EQ(wr(b, 2), 8);
    EXPECT_EQ(rd(b), 2);

    int s = EXPECT_OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
    EXPECT_EQ(rd(s), 1);
    EXPECT_EQ(wr(s, 3), 8);
    EXPECT_EQ(rd(s), 1);
    EXPECT_EQ(rd(s), 1);
    EXPECT_EQ(rd(s), 1);
    EXPECT_EQ(rd(s), 1);
    EXPECT_ERR(read(s, &(uint64_t){0}, 8), EAGAIN);

    EXPECT_ERR(eventfd(0, 4), EINVAL);
    EXPECT_ERR(eventfd(0, O_RDWR), EINVAL);
    /* The old eventfd takes no flags. */
    int o = EXPECT_OK(syscall(SYS_eventfd, 7));
    EXPECT_EQ(fcntl(o, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
    EXPECT_EQ(rd(o), 7);
    /* Seeking does nothing; fstat and /proc show an anonymous inode. */
    EXPECT_EQ(lseek(o, 10, SEEK_SET), 0);
    EXPECT_ERR(lseek(o, 5, 99), EINVAL);
    struct stat st;
    EXPECT_OK(fstat(o, &st));
    EXPECT_EQ(st.st_mode, 0600);
    EXPECT_EQ(st.st_size, 0);
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", o);
    long n = EXPECT_OK(readlink(path, link, sizeof link - 1));
    link[n < 0 ? 0 : n] = 0;
    SAY("link %s", link);
    return t_done();
}
