// syscalls: inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch
/* Error cases: bad flags and masks (EINVAL before EBADF), descriptors that are not inotify
 * instances, missing paths, IN_ONLYDIR on a file, IN_DONT_FOLLOW on a dangling symlink,
 * IN_MASK_CREATE on a watched inode, unknown watch descriptors, reads into buffers too small
 * for the next event, and no read permission on the watched path. */
#include "harness.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/ioctl.h>

int main(void) {
    EXPECT_ERR(inotify_init1(0x1), EINVAL);
    EXPECT_ERR(inotify_init1(IN_NONBLOCK | 0x100), EINVAL);
    int fd = EXPECT_OK(inotify_init());
    CHECK(fcntl(fd, F_GETFD) == 0);
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
    EXPECT_OK(mkdir("d", 0755));
    EXPECT_OK(close(EXPECT_OK(open("d/f", O_CREAT | O_WRONLY, 0644))));
    EXPECT_OK(symlink("nowhere", "d/dangling"));

    EXPECT_ERR(inotify_add_watch(fd, "d", 0), EINVAL);
    EXPECT_ERR(inotify_add_watch(fd, "d", 0x08000000), EINVAL);
    EXPECT_ERR(inotify_add_watch(fd, "d", IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
    EXPECT_ERR(inotify_add_watch(-1, "d", 0), EINVAL);
    EXPECT_ERR(inotify_add_watch(-1, "d", IN_CREATE), EBADF);
    EXPECT_ERR(inotify_add_watch(999, "d", IN_CREATE), EBADF);
    int p[2];
    EXPECT_OK(pipe(p));
    EXPECT_ERR(inotify_add_watch(p[0], "d", IN_CREATE), EINVAL);
    int opath = EXPECT_OK(open(".", O_PATH));
    EXPECT_ERR(inotify_add_watch(opath, "d", IN_CREATE), EBADF);
    EXPECT_ERR(inotify_add_watch(fd, "missing", IN_CREATE), ENOENT);
    EXPECT_ERR(inotify_add_watch(fd, "", IN_CREATE), ENOENT);
    EXPECT_ERR(inotify_add_watch(fd, "d/f/x", IN_CREATE), ENOTDIR);
    EXPECT_ERR(inotify_add_watch(fd, "d/f", IN_CREATE | IN_ONLYDIR), ENOTDIR);
    EXPECT_ERR(inotify_add_watch(fd, "d/dangling", IN_ATTRIB), ENOENT);
    EXPECT_EQ(inotify_add_watch(fd, "d/dangling", IN_ATTRIB | IN_DONT_FOLLOW), 1);
    EXPECT_EQ(inotify_add_watch(fd, "d", IN_CREATE | IN_ONLYDIR), 2);
    EXPECT_EQ(inotify_add_watch(fd, "d/", IN_DELETE), 2);
    EXPECT_EQ(inotify_add_watch(fd, "./d/../d", IN_CREATE | IN_MASK_ADD), 2);
    EXPECT_ERR(inotify_add_watch(fd, "d", IN_DELETE | IN_MASK_CREATE), EEXIST);
    /* Unknown bits alongside known ones are refused too. */
    EXPECT_ERR(inotify_add_watch(-1, "d/f", IN_MODIFY | 0x08000000), EINVAL);
    EXPECT_EQ(inotify_add_watch(fd, "d/f", IN_MODIFY), 3);

    EXPECT_ERR(inotify_rm_watch(fd, 0), EINVAL);
    EXPECT_ERR(inotify_rm_watch(fd, 99), EINVAL);
    EXPECT_ERR(inotify_rm_watch(fd, -1), EINVAL);
    EXPECT_ERR(inotify_rm_watch(-1, 1), EBADF);
    EXPECT_ERR(inotify_rm_watch(p[0], 1), EINVAL);
    EXPECT_OK(inotify_rm_watch(fd, 1));
    EXPECT_ERR(inotify_rm_watch(fd, 1), EINVAL);

    /* One event with the name "g" (32 bytes) after the IN_IGNORED of wd 1 (16 bytes). */
    EXPECT_OK(close(EXPECT_OK(open("d/g", O_CREAT | O_WRONLY, 0644))));
    int n = 0;
    EXPECT_OK(ioctl(fd, FIONREAD, &n));
    SAY("queued bytes: %d", n);
    char buf[64] __attribute__((aligned(8)));
    EXPECT_ERR(read(fd, buf, 15), EINVAL);
    EXPECT_ERR(read(fd, buf, 0), EINVAL);
    EXPECT_EQ(read(fd, buf, 16), 16);
    struct inotify_event *e = (struct inotify_event *)buf;
    SAY("wd=%d mask=%#x len=%u", e->wd, e->mask, e->len);
    EXPECT_ERR(read(fd, buf, 31), EINVAL);
    EXPECT_EQ(read(fd, buf, 40), 32);
    SAY("wd=%d mask=%#x len=%u name=%s", e->wd, e->mask, e->len, e->name);
    EXPECT_EQ(lseek(fd, 0, SEEK_SET), 0);
    EXPECT_ERR(write(fd, buf, 1), EBADF);

    /* No read permission: EACCES (checked as an unprivileged user when running as root). */
    EXPECT_OK(chmod("d/f", 0));
    EXPECT_OK(chmod(".", 0755));
    EXPECT_OK(chmod("d", 0755));
    pid_t pid = fork();
    if (pid < 0) T_FAIL("fork: %s", t_errname(errno));
    if (pid == 0) {
        if (geteuid() == 0 && setuid(65534) != 0) _exit(2);
        int fd2 = inotify_init();
        if (fd2 < 0) _exit(3);
        int r = inotify_add_watch(fd2, "d/f", IN_MODIFY);
        _exit(r < 0 && errno == EACCES ? 0 : 1);
    }
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    SAY("unreadable file: %s", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "EACCES" : "other");
    return t_done();
}
