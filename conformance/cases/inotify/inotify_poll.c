// syscalls: inotify_init1, inotify_add_watch, read, poll, epoll_wait, ioctl
/* Readiness and reads: a non-blocking read of an empty instance is EAGAIN, poll and epoll see
 * it readable once an event is queued, FIONREAD counts the queued bytes, a blocking read
 * sleeps until another process causes an event; IN_ONESHOT ends a watch after one event,
 * IN_MASK_ADD adds to a mask, and a full queue ends with one IN_Q_OVERFLOW. */
#include "harness.h"
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

static void show(int fd, int nonblock_expected_empty) {
    char buf[1024] __attribute__((aligned(8)));
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
        SAY("read: %s", t_errname(errno));
        return;
    }
    for (char *p = buf; p < buf + n;) {
        struct inotify_event *e = (struct inotify_event *)p;
        SAY("  wd=%d mask=%#x%s%s", e->wd, e->mask, e->len ? " " : "", e->len ? e->name : "");
        p += sizeof *e + e->len;
    }
    (void)nonblock_expected_empty;
}

static int queued(int fd) {
    int n = -1;
    if (ioctl(fd, FIONREAD, &n) < 0) T_FAIL("FIONREAD: %s", t_errname(errno));
    return n;
}

int main(void) {
    int fd = EXPECT_OK(inotify_init1(IN_NONBLOCK));
    EXPECT_OK(mkdir("d", 0755));
    EXPECT_EQ(inotify_add_watch(fd, "d", IN_CREATE), 1);
    char buf[256];
    EXPECT_ERR(read(fd, buf, sizeof buf), EAGAIN);
    EXPECT_EQ(queued(fd), 0);
    struct pollfd pfd = {.fd = fd, .events = POLLIN | POLLOUT};
    EXPECT_EQ(poll(&pfd, 1, 0), 0);
    int ep = EXPECT_OK(epoll_create1(0));
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7};
    EXPECT_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 0);

    EXPECT_OK(mkdir("d/one", 0755));
    EXPECT_OK(close(EXPECT_OK(open("d/twelve-chars", O_CREAT | O_WRONLY, 0644))));
    EXPECT_EQ(queued(fd), 32 + 32);
    EXPECT_EQ(poll(&pfd, 1, 0), 1);
    SAY("revents %#x", pfd.revents);
    EXPECT_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    SAY("epoll events %#x data %u", ev.events, ev.data.u32);
    show(fd, 0);
    EXPECT_EQ(queued(fd), 0);
    EXPECT_EQ(poll(&pfd, 1, 0), 0);

    /* A blocking read sleeps until a child process creates a file. */
    int bfd = EXPECT_OK(inotify_init1(0));
    EXPECT_EQ(inotify_add_watch(bfd, "d", IN_CREATE | IN_DELETE), 1);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100 * 1000);
        int f = open("d/from-child", O_CREAT | O_WRONLY, 0644);
        _exit(f < 0);
    }
    ssize_t n = read(bfd, buf, sizeof buf);
    SAY("blocking read: %zd bytes, %s", n, n > 16 ? ((struct inotify_event *)buf)->name : "?");
    int st;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* IN_ONESHOT: one event, then IN_IGNORED; the descriptor is gone. */
    EXPECT_EQ(inotify_add_watch(fd, "d/one", IN_CREATE | IN_ONESHOT), 2);
    EXPECT_OK(mkdir("d/one/a", 0755));
    EXPECT_OK(mkdir("d/one/b", 0755));
    show(fd, 0);
    EXPECT_ERR(inotify_rm_watch(fd, 2), EINVAL);
    EXPECT_EQ(inotify_add_watch(fd, "d/one", IN_DELETE), 3);

    /* IN_MASK_ADD keeps what was asked before; a plain add replaces it. */
    EXPECT_EQ(inotify_add_watch(fd, "d/one", IN_CREATE | IN_MASK_ADD), 3);
    EXPECT_OK(mkdir("d/one/c", 0755));
    EXPECT_OK(rmdir("d/one/c"));
    show(fd, 0);
    EXPECT_EQ(inotify_add_watch(fd, "d/one", IN_CREATE), 3);
    EXPECT_OK(mkdir("d/one/c", 0755));
    EXPECT_OK(rmdir("d/one/c"));
    show(fd, 0);
    EXPECT_OK(inotify_rm_watch(fd, 3));
    EXPECT_OK(inotify_rm_watch(fd, 1));
    show(fd, 0);

    /* Overflow: 16384 events fit (identical neighbours merge, so alternate two files). */
    int o = EXPECT_OK(inotify_init1(IN_NONBLOCK));
    EXPECT_OK(close(EXPECT_OK(open("d/x", O_CREAT | O_WRONLY, 0644))));
    EXPECT_OK(close(EXPECT_OK(open("d/y", O_CREAT | O_WRONLY, 0644))));
    int fx = EXPECT_OK(open("d/x", O_WRONLY)), fy = EXPECT_OK(open("d/y", O_WRONLY));
    EXPECT_EQ(inotify_add_watch(o, "d", IN_MODIFY), 1);
    int ok = 1;
    for (int i = 0; i < 10000 && ok; i++)
        ok = pwrite(fx, "a", 1, 0) == 1 && pwrite(fy, "a", 1, 0) == 1;
    CHECK(ok);
    SAY("queued after 20000 events: %d (16384 x 32 + 16)", queued(o));
    char big[65536] __attribute__((aligned(8)));
    long total = 0, overflow = 0;
    for (;;) {
        ssize_t r = read(o, big, sizeof big);
        if (r <= 0) break;
        for (char *p = big; p < big + r;) {
            struct inotify_event *e = (struct inotify_event *)p;
            total++;
            if (e->mask & IN_Q_OVERFLOW) overflow += (e->wd == -1) ? 1 : 100;
            p += sizeof *e + e->len;
        }
    }
    SAY("events read %ld, overflow markers %ld", total, overflow);
    return t_done();
}
