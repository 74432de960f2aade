// syscalls: execve, openat, write, close, mkdirat
/* execve failures leave the caller running and set the Linux errno: ENOENT (missing, ""),
 * EACCES (no execute bit even for root; a directory), ENOEXEC (executable but not a known
 * format, including a truncated ELF header), ENOTDIR, EFAULT. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static void make(const char *name, const void *data, size_t len, mode_t mode) {
    int fd = openat(AT_FDCWD, name, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len) T_FAIL("create %s", name);
    if (fd >= 0) close(fd);
}

int main(void) {
    syscall(SYS_alarm, 5);
    umask(0);
    char *av[] = {"x", NULL};
    char *ev[] = {NULL};
    make("noexec", "#!/bin/sh\n", 10, 0644);
    make("garbage", "hello world\n", 12, 0755);
    unsigned char elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1}; /* e_type 0: not loadable */
    make("badelf", elf, sizeof elf, 0755);
    make("short", "\x7f" "EL", 3, 0755);
    EXPECT_OK(mkdirat(AT_FDCWD, "dir", 0755));
    EXPECT_ERR(execve("./missing", av, ev), ENOENT);
    EXPECT_ERR(execve("", av, ev), ENOENT);
    EXPECT_ERR(execve("./noexec", av, ev), EACCES);
    EXPECT_ERR(execve("./dir", av, ev), EACCES);
    EXPECT_ERR(execve("./garbage", av, ev), ENOEXEC);
    EXPECT_ERR(execve("./badelf", av, ev), ENOEXEC);
    EXPECT_ERR(execve("./short", av, ev), ENOEXEC);
    EXPECT_ERR(execve("./garbage/x", av, ev), ENOTDIR);
    char *volatile bad_path = (char *)8;
    EXPECT_ERR(execve(bad_path, av, ev), EFAULT);
    SAY("still running after the failed execs");
    return t_done();
}
