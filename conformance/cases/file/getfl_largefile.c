// syscalls: fcntl, openat, openat2, pipe2, eventfd2, epoll_create1, socketpair
/* F_GETFL reports O_LARGEFILE for what open(2) and openat2 opened (64-bit Linux forces it),
 * but not for O_PATH descriptors, pipes, sockets, eventfds or epoll instances; F_SETFL can
 * neither set nor clear it. The open-time O_DIRECTORY and O_NOFOLLOW stay visible; O_CLOEXEC,
 * O_NOCTTY and O_TRUNC do not. */
#include "harness.h"
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#define LARGE 0100000

struct how {
    unsigned long long flags, mode, resolve;
};

static void show(const char *what, int fd) {
    int fl = (int)syscall(SYS_fcntl, fd, F_GETFL);
    if (fl < 0) {
        T_FAIL("%s: F_GETFL -> %s", what, t_errname(errno));
        return;
    }
    SAY("%s: flags 0%o, O_LARGEFILE %s", what, fl, fl & LARGE ? "set" : "clear");
}

int main(void) {
    int f = openat(AT_FDCWD, "f", O_RDWR | O_CREAT | O_APPEND, 0600);
    show("regular file", f);
    int d = openat(AT_FDCWD, ".", O_RDONLY | O_DIRECTORY);
    show("directory", d);
    int p = openat(AT_FDCWD, "f", O_PATH);
    show("O_PATH", p);
    show("O_PATH|O_NOFOLLOW|O_CLOEXEC", openat(AT_FDCWD, "f", O_PATH | O_NOFOLLOW | O_CLOEXEC));
    show("O_PATH|O_DIRECTORY", openat(AT_FDCWD, ".", O_PATH | O_DIRECTORY));
    show("O_NOFOLLOW|O_CLOEXEC|O_NOCTTY|O_TRUNC|O_SYNC",
         openat(AT_FDCWD, "f", O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_TRUNC | O_SYNC));
    struct how how = {.flags = O_RDONLY};
    int o2 = (int)syscall(SYS_openat2, AT_FDCWD, "f", &how, sizeof how);
    show("openat2", o2);
    int pp[2];
    if (pipe2(pp, O_NONBLOCK) == 0) {
        show("pipe read end", pp[0]);
        show("pipe write end", pp[1]);
    }
    show("eventfd", eventfd(0, EFD_NONBLOCK));
    show("epoll", epoll_create1(0));
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) show("unix socket", sv[0]);
    /* F_SETFL ignores O_LARGEFILE either way. */
    EXPECT_EQ(syscall(SYS_fcntl, f, F_SETFL, 0), 0);
    show("regular file after F_SETFL 0", f);
    EXPECT_EQ(syscall(SYS_fcntl, pp[0], F_SETFL, LARGE | O_NONBLOCK), 0);
    show("pipe after F_SETFL O_LARGEFILE", pp[0]);
    return t_done();
}
