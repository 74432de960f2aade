// syscalls: memfd_create, fcntl, write, ftruncate, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* File seals on a memfd: F_SEAL_WRITE stops writes, F_SEAL_SHRINK/GROW stop resizing, and
 * F_SEAL_SEAL freezes the set; a memfd without MFD_ALLOW_SEALING cannot be sealed. */
int main(void) {
    int fd = syscall(SYS_memfd_create, "sealed", MFD_ALLOW_SEALING);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(write(fd, "0123456789", 10), 10);
    EXPECT_EQ(fcntl(fd, F_GET_SEALS), 0);
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
    EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
    EXPECT_ERR(ftruncate(fd, 5), EPERM);
    EXPECT_ERR(ftruncate(fd, 20), EPERM);
    EXPECT_ERR(pwrite(fd, "x", 1, 10), EPERM);
    EXPECT_EQ(pwrite(fd, "ab", 2, 0), 2);
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
    EXPECT_ERR(pwrite(fd, "ab", 2, 0), EPERM);
    EXPECT_EQ(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL), 0);
    EXPECT_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW), EPERM);
    EXPECT_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    char buf[11] = {0};
    EXPECT_EQ(pread(fd, buf, 10, 0), 10);
    SAY("contents: %s", buf);
    int plain = syscall(SYS_memfd_create, "plain", 0);
    EXPECT_EQ(fcntl(plain, F_GET_SEALS), F_SEAL_SEAL);
    EXPECT_ERR(fcntl(plain, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
    close(plain);
    close(fd);
    return t_done();
}
