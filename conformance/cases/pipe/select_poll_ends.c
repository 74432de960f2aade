// syscalls: pipe2, poll, select, write, read, close, fork, wait4
/* Readiness of both pipe ends through poll and select: an empty pipe's read end is not ready
 * and its write end is; data makes the read end ready; a full pipe's write end is not ready
 * until a page is drained; a closed writer makes the read end ready (POLLHUP, and select
 * calls it readable); a closed reader makes the write end ready (POLLERR, select calls it
 * writable); neither is ever "exceptional" for select. A blocked poll wakes on a write from
 * another process. */
#include "harness.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>

/* select with zero timeout: "r", "w", "x" letters for the fd's ready sets. */
static const char *sel(int fd) {
    static char out[4];
    fd_set r, w, x;
    FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&x);
    FD_SET(fd, &r); FD_SET(fd, &w); FD_SET(fd, &x);
    struct timeval tv = {0, 0};
    int n = select(fd + 1, &r, &w, &x, &tv);
    char *o = out;
    if (n < 0) return "error";
    if (FD_ISSET(fd, &r)) *o++ = 'r';
    if (FD_ISSET(fd, &w)) *o++ = 'w';
    if (FD_ISSET(fd, &x)) *o++ = 'x';
    *o = 0;
    return out[0] ? out : "-";
}

static int revents(int fd, short events) {
    struct pollfd f = {.fd = fd, .events = events};
    int n = poll(&f, 1, 0);
    return n < 0 ? -1 : f.revents;
}

int main(void) {
    alarm(10);
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    static char page[4096];
    EXPECT_OK(pipe2(p, O_NONBLOCK));
    SAY("empty: read end %s, write end %s", sel(p[0]), sel(p[1]));
    EXPECT_EQ(revents(p[0], POLLIN | POLLOUT), 0);
    EXPECT_EQ(revents(p[1], POLLIN | POLLOUT), POLLOUT);
    EXPECT_EQ(write(p[1], "a", 1), 1);
    SAY("one byte: read end %s, write end %s", sel(p[0]), sel(p[1]));
    EXPECT_EQ(revents(p[0], POLLIN | POLLRDNORM), POLLIN | POLLRDNORM);
    EXPECT_EQ(read(p[0], page, 1), 1);
    while (write(p[1], page, sizeof page) > 0) {}
    SAY("full: read end %s, write end %s", sel(p[0]), sel(p[1]));
    EXPECT_EQ(revents(p[1], POLLOUT), 0);
    EXPECT_EQ(read(p[0], page, sizeof page), sizeof page);
    SAY("one page drained: write end %s", sel(p[1]));
    EXPECT_EQ(revents(p[1], POLLOUT | POLLWRNORM), POLLOUT | POLLWRNORM);
    while (read(p[0], page, sizeof page) > 0) {}

    /* Writer gone. */
    EXPECT_OK(close(p[1]));
    SAY("writer closed: read end %s", sel(p[0]));
    EXPECT_EQ(revents(p[0], POLLIN), POLLHUP);
    EXPECT_OK(close(p[0]));

    /* Reader gone. */
    EXPECT_OK(pipe2(p, 0));
    EXPECT_OK(close(p[0]));
    SAY("reader closed: write end %s", sel(p[1]));
    EXPECT_EQ(revents(p[1], POLLOUT), POLLOUT | POLLERR);
    EXPECT_EQ(revents(p[1], 0), POLLERR);
    EXPECT_OK(close(p[1]));

    /* A blocking poll and a blocking select wake on another process's write. */
    EXPECT_OK(pipe2(p, 0));
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100000);
        write(p[1], "x", 1);
        usleep(100000);
        write(p[1], "y", 1);
        _exit(0);
    }
    struct pollfd f = {.fd = p[0], .events = POLLIN};
    EXPECT_EQ(poll(&f, 1, 5000), 1);
    EXPECT_EQ(f.revents, POLLIN);
    EXPECT_EQ(read(p[0], page, 1), 1);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval tv = {5, 0};
    EXPECT_EQ(select(p[0] + 1, &r, NULL, NULL, &tv), 1);
    EXPECT_EQ(FD_ISSET(p[0], &r) != 0, 1);
    int status;
    EXPECT_EQ(waitpid(pid, &status, 0) == pid, 1);
    return t_done();
}
