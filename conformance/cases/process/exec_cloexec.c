// syscalls: execve, openat, fcntl, dup, dup3, readlink
/* Across execve, fds with FD_CLOEXEC are closed and the others stay open at the same number
 * with the same file offset; dup() never copies FD_CLOEXEC, dup3 can set it. */
#include "harness.h"
#include <fcntl.h>

int main(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[1], "after") == 0) {
        SAY("after exec:");
        for (int i = 2; i < 6; i++) {
            int fd = atoi(argv[i]);
            int r = fcntl(fd, F_GETFD);
            SAY("  fd #%d: %s", i - 1, r < 0 ? t_errname(errno) : "open");
        }
        off_t off = lseek(atoi(argv[2]), 0, SEEK_CUR);
        SAY("offset of fd #1 = %ld", (long)off);
        return t_done();
    }
    syscall(SYS_alarm, 5);
    int plain = openat(AT_FDCWD, "f", O_RDWR | O_CREAT, 0600);
    int cloexec = openat(AT_FDCWD, "f", O_RDWR | O_CLOEXEC);
    if (!CHECK(plain >= 0 && cloexec >= 0)) return t_done();
    EXPECT_EQ(write(plain, "abcdef", 6), 6);
    EXPECT_EQ(fcntl(cloexec, F_GETFD), FD_CLOEXEC);
    int dupped = dup(cloexec); /* the copy is not close-on-exec */
    EXPECT_EQ(fcntl(dupped, F_GETFD), 0);
    int d3 = dup3(plain, 20, O_CLOEXEC);
    EXPECT_EQ(d3, 20);
    EXPECT_EQ(fcntl(d3, F_GETFD), FD_CLOEXEC);
    EXPECT_OK(fcntl(d3, F_SETFD, 0)); /* cleared again: survives */
    EXPECT_OK(fcntl(plain, F_SETFD, FD_CLOEXEC));
    EXPECT_OK(fcntl(plain, F_SETFD, 0));
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!CHECK(n > 0)) return t_done();
    self[n] = 0;
    char a[4][16];
    snprintf(a[0], 16, "%d", plain);
    snprintf(a[1], 16, "%d", cloexec);
    snprintf(a[2], 16, "%d", dupped);
    snprintf(a[3], 16, "%d", d3);
    char *av[] = {"x", "after", a[0], a[1], a[2], a[3], NULL};
    if (t_failures) return t_done(); /* the next image would not carry the failures over */
    execve(self, av, NULL);
    T_FAIL("execve: %s", t_errname(errno));
    return t_done();
}
