// syscalls: clone, clone3, execve, wait4, readlink
/* posix_spawn (glibc: clone3 with CLONE_VM|CLONE_VFORK; musl: clone) runs a new image in a
 * child; the parent gets the pid and reaps the child's exit code. */
#include "harness.h"
#include <spawn.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "spawned") == 0) return 33;
    syscall(SYS_alarm, 5);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!CHECK(n > 0)) return t_done();
    self[n] = 0;
    pid_t pid = -1;
    char *av[] = {"child", "spawned", NULL};
    char *ev[] = {NULL};
    EXPECT_EQ(posix_spawn(&pid, self, NULL, NULL, av, ev), 0);
    CHECK(pid > 0);
    int status = -1;
    EXPECT_EQ(wait4(pid, &status, 0, NULL) == pid, 1);
    SAY("WIFEXITED=%d WEXITSTATUS=%d", WIFEXITED(status), WEXITSTATUS(status));
    /* A missing program: the error comes back from posix_spawn itself. */
    EXPECT_EQ(posix_spawn(&pid, "./no-such-program", NULL, NULL, av, ev), ENOENT);
    return t_done();
}
