// syscalls: memfd_create, write, ftruncate, fstat, mmap, msync, pread64, munmap, fcntl, close
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* memfd_create gives an anonymous file: writable, sizable, mappable and shared with itself. */
int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    int fd = syscall(SYS_memfd_create, "case", 0);
    if (!CHECK(fd >= 0)) return t_done();
    EXPECT_EQ(write(fd, "memfd data", 10), 10);
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0);
    SAY("size = %ld, regular = %d", (long)st.st_size, S_ISREG(st.st_mode));
    EXPECT_EQ(ftruncate(fd, 2 * pg), 0);
    char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!CHECK(p != MAP_FAILED)) return t_done();
    SAY("mapped: %.10s", p);
    memcpy(p + pg, "via map", 7);
    EXPECT_EQ(msync(p, 2 * pg, MS_SYNC), 0);
    char buf[8] = {0};
    EXPECT_EQ(pread(fd, buf, 7, pg), 7);
    SAY("read back: %s", buf);
    EXPECT_EQ(munmap(p, 2 * pg), 0);
    /* Close-on-exec flag, bad flags, overlong name. */
    int c = syscall(SYS_memfd_create, "x", MFD_CLOEXEC);
    CHECK(c >= 0);
    EXPECT_EQ(fcntl(c, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    EXPECT_ERR(syscall(SYS_memfd_create, "x", 0x1000), EINVAL);
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    EXPECT_ERR(syscall(SYS_memfd_create, longname, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_memfd_create, (void *)8, 0), EFAULT);
    close(c);
    close(fd);
    return t_done();
}
