// syscalls: socket, bind, listen, connect, close, chmod
/* connect finds listeners by path or abstract name: a missing path is ENOENT, a node
 * nobody listens on (or not a socket) ECONNREFUSED, a socket of another type
 * EPROTOTYPE; bad addresses are EINVAL or EFAULT. */
#include "harness.h"
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t mk(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

int main(void) {
    struct sockaddr_un a;
    int c = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERR(connect(c, (struct sockaddr *)&a, mk(&a, "missing")), ENOENT);
    EXPECT_ERR(connect(c, (struct sockaddr *)&a, mk(&a, "missing/x")), ENOENT);
    close(EXPECT_OK(open("plain", O_CREAT | O_WRONLY, 0644)));
    EXPECT_ERR(connect(c, (struct sockaddr *)&a, mk(&a, "plain")), ECONNREFUSED);
    EXPECT_ERR(connect(c, (struct sockaddr *)&a, mk(&a, "plain/x")), ENOTDIR);

    /* Bound but not listening, then closed. */
    int b = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(bind(b, (struct sockaddr *)&a, mk(&a, "bound")));
    EXPECT_ERR(connect(c, (struct sockaddr *)&a, mk(&a, "bound")), ECONNREFUSED);
    EXPECT_OK(listen(b, 1));
    int d = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_ERR(connect(d, (struct sockaddr *)&a, mk(&a, "bound")), EPROTOTYPE);
    int q = EXPECT_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    EXPECT_ERR(connect(q, (struct sockaddr *)&a, mk(&a, "bound")), EPROTOTYPE);
    EXPECT_OK(connect(c, (struct sockaddr *)&a, mk(&a, "bound")));
    EXPECT_ERR(connect(c, (struct sockaddr *)&a, mk(&a, "bound")), EISCONN);
    close(b);
    int c2 = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERR(connect(c2, (struct sockaddr *)&a, mk(&a, "bound")), ECONNREFUSED);
    /* Through a symlink. */
    int l = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(bind(l, (struct sockaddr *)&a, mk(&a, "real")));
    EXPECT_OK(listen(l, 1));
    EXPECT_OK(symlink("real", "link"));
    EXPECT_OK(connect(c2, (struct sockaddr *)&a, mk(&a, "link")));

    /* Abstract names nobody holds. */
    int c3 = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, "\0nobody", 7);
    EXPECT_ERR(connect(c3, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 7), ECONNREFUSED);

    /* Bad addresses. */
    mk(&a, "real");
    EXPECT_ERR(connect(c3, (struct sockaddr *)&a, 2), EINVAL);
    EXPECT_ERR(connect(c3, (struct sockaddr *)&a, 1), EINVAL);
    EXPECT_ERR(connect(c3, (struct sockaddr *)&a, sizeof a + 1), EINVAL);
    EXPECT_ERR(connect(c3, (struct sockaddr *)&a, 200), EINVAL);
    EXPECT_ERR(connect(c3, (struct sockaddr *)0x10, sizeof a), EFAULT);
    a.sun_family = AF_UNSPEC;
    EXPECT_ERR(connect(c3, (struct sockaddr *)&a, sizeof a), EINVAL);
    close(c); close(c2); close(c3); close(d); close(q); close(l);
    return t_done();
}
