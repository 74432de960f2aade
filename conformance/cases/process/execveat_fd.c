// syscalls: execveat, openat, readlink, fcntl
/* execveat: AT_EMPTY_PATH runs the file an fd refers to; a dirfd plus a relative name runs a
 * file in that directory. Open fds survive unless FD_CLOEXEC. Errors: ENOENT for "" without
 * AT_EMPTY_PATH, EINVAL for unknown flags. */
#include "harness.h"
#include <fcntl.h>
#include <libgen.h>

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "via-fd") == 0) {
        SAY("image 2 started via fd");
        int keep = atoi(argv[2]), gone = atoi(argv[3]);
        EXPECT_EQ(fcntl(keep, F_GETFD), 0);
        EXPECT_ERR(fcntl(gone, F_GETFD), EBADF);
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (!CHECK(n > 0)) return t_done();
        self[n] = 0;
        char *dir = strdup(self), *base = strdup(self);
        int dfd = openat(AT_FDCWD, dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (!CHECK(dfd >= 0)) return t_done();
        char *av[] = {"image3", "via-dir", NULL};
        syscall(SYS_execveat, dfd, basename(base), av, NULL, 0);
        T_FAIL("execveat(dirfd) returned: %s", t_errname(errno));
        return t_done();
    }
    if (argc == 2 && strcmp(argv[1], "via-dir") == 0) {
        SAY("image 3 started via dirfd + name");
        return t_done();
    }
    syscall(SYS_alarm, 5);
    char *nav[] = {"x", NULL};
    int fd = openat(AT_FDCWD, "/proc/self/exe", O_RDONLY);
    int cfd = openat(AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (!CHECK(fd >= 0 && cfd >= 0)) return t_done();
    EXPECT_ERR(syscall(SYS_execveat, fd, "", nav, NULL, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_execveat, AT_FDCWD, "no-such-file", nav, NULL, 0x40000), EINVAL);
    EXPECT_ERR(syscall(SYS_execveat, AT_FDCWD, "no-such-file", nav, NULL, 0), ENOENT);
    EXPECT_ERR(syscall(SYS_execveat, 999, "", nav, NULL, AT_EMPTY_PATH), EBADF);
    char a2[16], a3[16];
    snprintf(a2, sizeof a2, "%d", fd);
    snprintf(a3, sizeof a3, "%d", cfd);
    char *av[] = {"image2", "via-fd", a2, a3, NULL};
    if (t_failures) return t_done(); /* the next image would not carry the failures over */
    SAY("image 1: execveat(fd, \"\", AT_EMPTY_PATH)");
    syscall(SYS_execveat, fd, "", av, NULL, AT_EMPTY_PATH);
    T_FAIL("execveat(fd) returned: %s", t_errname(errno));
    return t_done();
}
