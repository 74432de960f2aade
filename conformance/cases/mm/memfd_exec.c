// syscalls: memfd_create, execve, openat, read, write, readlink, fcntl
#include "harness.h"
#include <fcntl.h>
#include <sys/mman.h>

/* The classic fexecve of an in-memory program: copy this binary into a memfd and execute it
 * through /proc/self/fd/N; the new image's /proc/self/exe names the memfd. */
int main(int argc, char **argv) {
    if (argc > 1) {
        SAY("running from the memfd, argument %s", argv[1]);
        char link[256];
        long n = readlink("/proc/self/exe", link, sizeof link - 1);
        if (n >= 0) link[n] = 0, SAY("exe: %s", link);
        return t_done();
    }
    int fd = syscall(SYS_memfd_create, "program", MFD_CLOEXEC);
    if (!CHECK(fd >= 0)) return t_done();
    int self = EXPECT_OK(open("/proc/self/exe", O_RDONLY));
    static char buf[65536];
    long n, total = 0;
    while ((n = read(self, buf, sizeof buf)) > 0) {
        if (write(fd, buf, n) != n) break;
        total += n;
    }
    close(self);
    CHECK(total > 0);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    char *args[] = {argv[0], "again", NULL};
    char *env[] = {NULL};
    execve(path, args, env);
    T_FAIL("execve: %s", t_errname(errno));
    return t_done();
}
