// syscalls: execve, readlink, openat, write, close, fchmod
/* execve of a "#!" script: the kernel runs the interpreter named on the first line with
 * argv = [interpreter, optional-arg, script-path, original argv[1..]]. The interpreter here is
 * this very binary (its path from /proc/self/exe). A missing interpreter gives ENOENT. */
#include "harness.h"
#include <fcntl.h>
#include <sys/stat.h>

static int self_path(char *buf, size_t len) {
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    if (n <= 0) return -1;
    buf[n] = 0;
    return 0;
}

static int write_script(const char *name, const char *text) {
    int fd = openat(AT_FDCWD, name, O_WRONLY | O_CREAT | O_TRUNC, 0700);
    if (fd < 0) return -1;
    int ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text) && fchmod(fd, 0755) == 0;
    close(fd);
    return ok ? 0 : -1;
}

int main(int argc, char **argv) {
    char self[4096];
    if (argc == 4 && strcmp(argv[1], "scriptarg") == 0) {
        SAY("interpreter run: argc = %d", argc);
        SAY("argv[1] = %s, argv[2] = %s, argv[3] = %s", argv[1], argv[2], argv[3]);
        CHECK(self_path(self, sizeof self) == 0 && strcmp(argv[0], self) == 0);
        return t_done();
    }
    syscall(SYS_alarm, 5);
    if (!CHECK(self_path(self, sizeof self) == 0)) return t_done();
    char text[4200];
    snprintf(text, sizeof text, "#!/nonexistent/interpreter\n");
    EXPECT_OK(write_script("broken.sh", text));
    char *bav[] = {"./broken.sh", NULL};
    EXPECT_ERR(execve("./broken.sh", bav, NULL), ENOENT);

    snprintf(text, sizeof text, "#!%s scriptarg\nthis line is never read\n", self);
    EXPECT_OK(write_script("run.sh", text));
    char *av[] = {"./run.sh", "extra", NULL};
    if (t_failures) return t_done(); /* the next image would not carry the failures over */
    SAY("exec script");
    execve("./run.sh", av, NULL);
    T_FAIL("execve returned: %s", t_errname(errno));
    return t_done();
}
