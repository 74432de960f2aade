// syscalls: execveat, openat, symlinkat, write, readlink
/* execveat of a `#!` script through a descriptor: the interpreter is handed the name
 * /dev/fd/N, so a close-on-exec descriptor cannot run a script (ENOENT) while a plain one
 * can; AT_SYMLINK_NOFOLLOW refuses a final symlink with ELOOP; a dirfd that is not a
 * directory gives ENOTDIR. */
#include "harness.h"
#include <fcntl.h>

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "interp-mode") == 0) {
        SAY("interpreter started with %d args", argc);
        for (int i = 1; i < argc; i++) SAY("argv[%d] = %s", i, argv[i]);
        return t_done();
    }
    syscall(SYS_alarm, 5);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!CHECK(n > 0)) return t_done();
    self[n] = 0;
    int fd = openat(AT_FDCWD, "s.sh", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (!CHECK(fd >= 0)) return t_done();
    char line[4200];
    int len = snprintf(line, sizeof line, "#!%s interp-mode\n", self);
    EXPECT_EQ(write(fd, line, len) == len, 1);
    close(fd);
    EXPECT_OK(symlinkat("s.sh", AT_FDCWD, "link.sh"));
    char *av[] = {"script", "extra", NULL};

    EXPECT_ERR(syscall(SYS_execveat, AT_FDCWD, "link.sh", av, NULL, AT_SYMLINK_NOFOLLOW), ELOOP);
    int notdir = openat(AT_FDCWD, "s.sh", O_RDONLY);
    EXPECT_ERR(syscall(SYS_execveat, notdir, "s.sh", av, NULL, 0), ENOTDIR);
    int cfd = openat(AT_FDCWD, "s.sh", O_RDONLY | O_CLOEXEC);
    EXPECT_ERR(syscall(SYS_execveat, cfd, "", av, NULL, AT_EMPTY_PATH), ENOENT);
    int pfd = openat(AT_FDCWD, "s.sh", O_PATH);
    if (!CHECK(notdir >= 0 && cfd >= 0 && pfd >= 0)) return t_done();
    if (t_failures) return t_done();
    SAY("execveat(O_PATH fd of a script, AT_EMPTY_PATH)");
    syscall(SYS_execveat, pfd, "", av, NULL, AT_EMPTY_PATH);
    T_FAIL("execveat returned: %s", t_errname(errno));
    return t_done();
}
