// syscalls: socketpair, socket, bind, listen, accept, setsockopt, recv, send, clock_gettime
/* SO_RCVTIMEO bounds a blocking receive or accept and SO_SNDTIMEO a blocking send: when
 * the time passes the call fails with EAGAIN. */
#include "harness.h"
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>

static long ms_since(struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void) {
    int sv[2];
    char buf[8];
    struct timespec t0;
    struct timeval tv = { 0, 100000 };
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EXPECT_ERR(recv(sv[0], buf, sizeof buf, 0), EAGAIN);
    long ms = ms_since(&t0);
    SAY("waited at least 90 ms: %d, less than 2 s: %d", ms >= 90, ms < 2000);
    /* Data already there: no wait. */
    EXPECT_EQ(send(sv[1], "x", 1, 0), 1);
    EXPECT_EQ(recv(sv[0], buf, sizeof buf, 0), 1);

    /* A full send buffer and a send timeout. */
    int v = 4096;
    EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    EXPECT_OK(setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    static char big[1 << 20];
    long sent = send(sv[1], big, sizeof big, 0);
    SAY("partial send: %d", sent > 0 && sent < (long)sizeof big);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EXPECT_ERR(send(sv[1], big, sizeof big, 0), EAGAIN);
    ms = ms_since(&t0);
    SAY("waited at least 90 ms: %d", ms >= 90);

    /* Datagram receive. */
    int dv[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv));
    EXPECT_OK(setsockopt(dv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EXPECT_ERR(recv(dv[0], buf, sizeof buf, 0), EAGAIN);
    SAY("waited at least 90 ms: %d", ms_since(&t0) >= 90);

    /* accept. */
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(a.sun_path, "t.sock");
    int l = EXPECT_OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    EXPECT_OK(listen(l, 1));
    EXPECT_OK(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EXPECT_ERR(accept(l, NULL, NULL), EAGAIN);
    SAY("waited at least 90 ms: %d", ms_since(&t0) >= 90);
    /* A negative time never waits. */
    struct timeval neg = { -1, 0 };
    EXPECT_OK(setsockopt(dv[0], SOL_SOCKET, SO_RCVTIMEO, &neg, sizeof neg));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EXPECT_ERR(recv(dv[0], buf, sizeof buf, 0), EAGAIN);
    SAY("returned within 50 ms: %d", ms_since(&t0) < 50);
    return t_done();
}
