// syscalls: openat, ioctl, close
#include "harness.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

/* Terminal ioctls on a non-terminal are ENOTTY; a closed descriptor is EBADF; the generic
 * FIOCLEX/FIONCLEX work on anything. */
int main(void) {
    int fd = open("/dev/null", O_RDWR);
    if (!CHECK(fd >= 0)) return t_done();
    struct termios t;
    EXPECT_ERR(ioctl(fd, TCGETS, &t), ENOTTY);
    struct winsize ws;
    EXPECT_ERR(ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
    EXPECT_EQ(isatty(fd), 0);
    EXPECT_EQ(ioctl(fd, FIOCLEX), 0);
    EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ(ioctl(fd, FIONCLEX), 0);
    EXPECT_EQ(fcntl(fd, F_GETFD), 0);
    int f = open("file", O_RDWR | O_CREAT, 0644);
    EXPECT_ERR(ioctl(f, TCGETS, &t), ENOTTY);
    EXPECT_EQ(write(f, "abc", 3), 3);
    int avail = -1;
    lseek(f, 1, SEEK_SET);
    EXPECT_EQ(ioctl(f, FIONREAD, &avail), 0);
    EXPECT_EQ(avail, 2);
    close(f);
    EXPECT_EQ(close(fd), 0);
    EXPECT_ERR(ioctl(fd, TCGETS, &t), EBADF);
    return t_done();
}
