// syscalls: socket, bind, listen, connect, accept, getsockname, getpeername
/* Abstract names (a leading NUL) live outside the filesystem, keep every byte of their
 * length, are per socket type, and go away with their socket; bind with only the family
 * picks a five-hex-digit name. */
#include "harness.h"
#include <ctype.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static socklen_t abs_name(struct sockaddr_un *a, const char *name, size_t n) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, n);
    return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

int main(void) {
    struct sockaddr_un a, got;
    /* The abstract namespace is host-wide natively: a name of fixed length that includes
     * the pid keeps concurrent runs (the glibc and musl builds) apart. */
    char nm[32];
    int k = snprintf(nm, sizeof nm, "sbx-%010d", (int)getpid());
    nm[k] = 0;
    nm[k + 1] = 'x';
    socklen_t alen = abs_name(&a, nm, (size_t)k + 2);
    int l = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(bind(l, (struct sockaddr *)&a, alen));
    socklen_t len = sizeof got;
    EXPECT_OK(getsockname(l, (struct sockaddr *)&got, &len));
    SAY("name len %d, same bytes: %d", (int)len, len == alen && !memcmp(&a, &got, len));
    struct stat st;
    EXPECT_ERR(stat(nm, &st), ENOENT);
    int dup = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERR(bind(dup, (struct sockaddr *)&a, alen), EADDRINUSE);
    /* A prefix is another name. */
    EXPECT_OK(bind(dup, (struct sockaddr *)&a, alen - 2));
    /* Another type may hold the same name. */
    int d = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_OK(bind(d, (struct sockaddr *)&a, alen));
    EXPECT_OK(listen(l, 1));
    int c = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(connect(c, (struct sockaddr *)&a, alen));
    len = sizeof got;
    EXPECT_OK(getpeername(c, (struct sockaddr *)&got, &len));
    SAY("peer len %d, same bytes: %d", (int)len, len == alen && !memcmp(&a, &got, len));
    int s = EXPECT_OK(accept(l, NULL, NULL));
    /* A seqpacket socket finds no listener under the stream socket's name. */
    int q = EXPECT_OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    EXPECT_ERR(connect(q, (struct sockaddr *)&a, alen), ECONNREFUSED);
    /* Closing frees the name. */
    close(l);
    int l2 = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(bind(l2, (struct sockaddr *)&a, alen));

    /* Autobind. */
    int ab = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    struct sockaddr_un fam = { .sun_family = AF_UNIX };
    EXPECT_OK(bind(ab, (struct sockaddr *)&fam, offsetof(struct sockaddr_un, sun_path)));
    len = sizeof got;
    EXPECT_OK(getsockname(ab, (struct sockaddr *)&got, &len));
    int hex = 1;
    for (int i = 1; i < 6; i++) hex &= isxdigit((unsigned char)got.sun_path[i]) != 0;
    SAY("autobind len %d, leading NUL %d, hex digits %d", (int)len, got.sun_path[0] == 0, hex);
    /* Autobinding a named socket changes nothing. */
    EXPECT_OK(bind(ab, (struct sockaddr *)&fam, offsetof(struct sockaddr_un, sun_path)));
    struct sockaddr_un again;
    socklen_t len2 = sizeof again;
    EXPECT_OK(getsockname(ab, (struct sockaddr *)&again, &len2));
    SAY("unchanged: %d", len2 == len && !memcmp(&again, &got, len));
    /* The autobound name is reachable. */
    int snd = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_EQ(sendto(snd, "hi", 2, 0, (struct sockaddr *)&got, len), 2);
    char buf[4];
    EXPECT_EQ(recv(ab, buf, sizeof buf, 0), 2);
    close(s); close(c); close(d); close(dup); close(q); close(l2); close(ab); close(snd);
    return t_done();
}
