// syscalls: socket, setsockopt, getsockopt
/* SOL_SOCKET options on unix sockets: buffer sizes are doubled (with a floor), read-only
 * options refuse writes, other levels are EOPNOTSUPP, short option buffers are cut. */
#include "harness.h"
#include <sys/socket.h>
#include <sys/time.h>

static int get(int s, int opt) {
    int v = -7;
    socklen_t len = sizeof v;
    if (getsockopt(s, SOL_SOCKET, opt, &v, &len) < 0) return -errno;
    return v;
}

int main(void) {
    int s = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    int v = 32768;
    EXPECT_OK(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    SAY("SO_SNDBUF %d", get(s, SO_SNDBUF));
    v = 20000;
    EXPECT_OK(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
    SAY("SO_RCVBUF %d", get(s, SO_RCVBUF));
    SAY("SO_REUSEADDR %d", get(s, SO_REUSEADDR));
    v = 1;
    EXPECT_OK(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
    SAY("SO_REUSEADDR %d", get(s, SO_REUSEADDR));
    v = 5;
    EXPECT_OK(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    SAY("SO_KEEPALIVE %d", get(s, SO_KEEPALIVE));
    SAY("SO_RCVLOWAT %d", get(s, SO_RCVLOWAT));
    SAY("SO_SNDLOWAT %d", get(s, SO_SNDLOWAT));
    v = 0;
    EXPECT_OK(setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v));
    SAY("SO_RCVLOWAT after 0: %d", get(s, SO_RCVLOWAT));
    v = 1;
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &v, sizeof v), EOPNOTSUPP);
    SAY("SO_ERROR %d", get(s, SO_ERROR));

    struct linger lg = { 1, 7 };
    EXPECT_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    memset(&lg, 0, sizeof lg);
    socklen_t len = sizeof lg;
    EXPECT_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len));
    SAY("SO_LINGER %d %d len %d", lg.l_onoff, lg.l_linger, (int)len);
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, 4), EINVAL);

    struct timeval tv = { 1, 500000 };
    EXPECT_OK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    memset(&tv, 0, sizeof tv);
    len = sizeof tv;
    EXPECT_OK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
    SAY("SO_RCVTIMEO %ld.%06ld len %d", (long)tv.tv_sec, (long)tv.tv_usec, (int)len);
    EXPECT_OK(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &len));
    SAY("SO_SNDTIMEO %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
    tv.tv_usec = 1000000;
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), EDOM);
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, 8), EINVAL);

    /* Read-only and unknown options. */
    v = 1;
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v), ENOPROTOOPT);
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_ERROR, &v, sizeof v), ENOPROTOOPT);
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, sizeof v), ENOPROTOOPT);
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT);
    len = sizeof v;
    EXPECT_ERR(getsockopt(s, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
    /* Bad lengths and pointers. */
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL);
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, -1), EINVAL);
    EXPECT_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (void *)8, sizeof v), EFAULT);
    len = -1;
    EXPECT_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len), EINVAL);
    EXPECT_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, (socklen_t *)8), EFAULT);
    len = sizeof v;
    EXPECT_ERR(getsockopt(s, SOL_SOCKET, SO_TYPE, (void *)8, &len), EFAULT);
    /* A short buffer gets the first bytes and the shorter length. */
    unsigned char two[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
    len = 2;
    EXPECT_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, two, &len));
    SAY("short: len %d bytes %02x %02x %02x", (int)len, two[0], two[1], two[2]);
    /* Other levels do not exist for unix sockets. */
    len = sizeof v;
    EXPECT_ERR(getsockopt(s, 6 /* IPPROTO_TCP */, 1, &v, &len), EOPNOTSUPP);
    EXPECT_ERR(setsockopt(s, 0, 1, &v, sizeof v), EOPNOTSUPP);
    int d = EXPECT_OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_ERR(setsockopt(d, 6, 1, &v, sizeof v), EOPNOTSUPP);
    SAY("dgram SO_TYPE %d", get(d, SO_TYPE));
    return t_done();
}
