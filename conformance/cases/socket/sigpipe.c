// syscalls: socketpair, send, write, rt_sigprocmask, rt_sigpending, close
/* Writing to a stream whose peer is gone is EPIPE and raises SIGPIPE, unless MSG_NOSIGNAL;
 * the signal is observed blocked, through sigpending. */
#include "harness.h"
#include <signal.h>
#include <sys/socket.h>

static int pipe_pending(void) {
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, SIGPIPE);
}

int main(void) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    EXPECT_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    int sv[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_OK(close(sv[1]));
    SAY("pending before: %d", pipe_pending());
    EXPECT_ERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    SAY("pending after MSG_NOSIGNAL: %d", pipe_pending());
    EXPECT_ERR(send(sv[0], "x", 1, 0), EPIPE);
    SAY("pending after send: %d", pipe_pending());
    EXPECT_ERR(write(sv[0], "x", 1), EPIPE);
    SAY("pending after write: %d", pipe_pending());
    /* Datagram sockets never raise it. */
    int d[2];
    EXPECT_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, d));
    EXPECT_OK(shutdown(d[1], SHUT_RD));
    EXPECT_ERR(send(d[0], "x", 1, 0), EPIPE);
    return t_done();
}
