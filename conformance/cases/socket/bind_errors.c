// syscalls: socket, bind, getsockname, stat, unlink, umask, mkdir, open
/* bind makes a socket node (mode 0777 less the umask) that outlives the socket; a taken
 * name is EADDRINUSE, a bound socket cannot bind again, and bad addresses are refused. */
#include "harness.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static socklen_t mk(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return sizeof *a;
}

int main(void) {
    struct sockaddr_un a;
    struct stat st;
    umask(022);
    int s = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(bind(s, (struct sockaddr *)&a, mk(&a, "one")));
    EXPECT_OK(stat("one", &st));
    CHECK(S_ISSOCK(st.st_mode));
    SAY("mode %o", st.st_mode & 07777);
    /* Bound already: EINVAL, and the new name is not left behind. */
    EXPECT_ERR(bind(s, (struct sockaddr *)&a, mk(&a, "two")), EINVAL);
    EXPECT_ERR(stat("two", &st), ENOENT);
    /* A taken name, whatever holds it. */
    int t = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_ERR(bind(t, (struct sockaddr *)&a, mk(&a, "one")), EADDRINUSE);
    close(EXPECT_OK(open("file", O_CREAT | O_WRONLY, 0644)));
    EXPECT_ERR(bind(t, (struct sockaddr *)&a, mk(&a, "file")), EADDRINUSE);
    EXPECT_ERR(bind(t, (struct sockaddr *)&a, mk(&a, "nodir/x")), ENOENT);
    EXPECT_ERR(bind(t, (struct sockaddr *)&a, mk(&a, "file/x")), ENOTDIR);
    /* The node stays after close; unlinking frees the name. */
    close(s);
    EXPECT_OK(stat("one", &st));
    EXPECT_ERR(bind(t, (struct sockaddr *)&a, mk(&a, "one")), EADDRINUSE);
    EXPECT_OK(unlink("one"));
    EXPECT_OK(bind(t, (struct sockaddr *)&a, mk(&a, "one")));
    /* The umask applies. */
    umask(077);
    int u = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_OK(mkdir("d", 0755));
    EXPECT_OK(bind(u, (struct sockaddr *)&a, mk(&a, "d/sock")));
    EXPECT_OK(stat("d/sock", &st));
    SAY("mode %o", st.st_mode & 07777);
    socklen_t len = sizeof a;
    EXPECT_OK(getsockname(u, (struct sockaddr *)&a, &len));
    SAY("name len %d path %s", (int)len, a.sun_path);

    /* Bad addresses. */
    int v = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    mk(&a, "bad");
    a.sun_family = AF_INET;
    EXPECT_ERR(bind(v, (struct sockaddr *)&a, sizeof a), EINVAL);
    mk(&a, "bad");
    EXPECT_ERR(bind(v, (struct sockaddr *)&a, 1), EINVAL);
    EXPECT_ERR(bind(v, (struct sockaddr *)&a, 0), EINVAL);
    EXPECT_ERR(bind(v, (struct sockaddr *)&a, sizeof a + 1), EINVAL);
    EXPECT_ERR(bind(v, (struct sockaddr *)&a, 129), EINVAL);
    EXPECT_ERR(bind(v, (struct sockaddr *)&a, -1), EINVAL);
    EXPECT_ERR(bind(v, (struct sockaddr *)8, sizeof a), EFAULT);
    /* The length cuts the path: 2 + 3 bytes name "bad" without a NUL. */
    EXPECT_OK(bind(v, (struct sockaddr *)&a, 5));
    len = sizeof a;
    memset(&a, 0, sizeof a);
    EXPECT_OK(getsockname(v, (struct sockaddr *)&a, &len));
    SAY("name len %d path %s", (int)len, a.sun_path);
    /* A full 108-byte path (no room for a NUL) still binds. */
    int w = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memset(a.sun_path, 'p', sizeof a.sun_path);
    EXPECT_OK(bind(w, (struct sockaddr *)&a, sizeof a));
    len = sizeof a;
    EXPECT_OK(getsockname(w, (struct sockaddr *)&a, &len));
    SAY("long name len %d", (int)len);
    close(t); close(u); close(v); close(w);
    return t_done();
}
