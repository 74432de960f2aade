// syscalls: poll, ppoll, setrlimit
/* Argument errors: nfds over RLIMIT_NOFILE is EINVAL (before the array is read), a bad array
 * EFAULT, an invalid ppoll timespec EINVAL, a bad timespec pointer EFAULT, a sigset size other
 * than 8 EINVAL. */
#include "harness.h"
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/mman.h>

int main(void) {
    struct rlimit rl = {16, 16};
    EXPECT_OK(setrlimit(RLIMIT_NOFILE, &rl));
    EXPECT_ERR(syscall(SYS_poll, NULL, 17, 0), EINVAL);
    EXPECT_ERR(syscall(SYS_poll, 8, 16, 0), EFAULT);
    EXPECT_ERR(syscall(SYS_poll, 8, 1, 0), EFAULT);
    EXPECT_EQ(poll(NULL, 0, 0), 0);

    struct pollfd f = {.fd = 0, .events = 0};
    struct timespec bad[] = {{0, 1000000000}, {-1, 0}, {0, -1}};
    for (int i = 0; i < 3; i++)
        EXPECT_ERR(syscall(SYS_ppoll, &f, 1, &bad[i], NULL, 8), EINVAL);
    EXPECT_ERR(syscall(SYS_ppoll, &f, 1, (void *)8, NULL, 8), EFAULT);
    sigset_t s;
    sigemptyset(&s);
    struct timespec z = {0, 0};
    EXPECT_ERR(syscall(SYS_ppoll, &f, 1, &z, &s, 4), EINVAL);
    EXPECT_ERR(syscall(SYS_ppoll, &f, 1, &z, &s, 16), EINVAL);
    EXPECT_ERR(syscall(SYS_ppoll, &f, 1, &z, (void *)8, 8), EFAULT);
    /* The size is not looked at without a mask. */
    EXPECT_EQ(syscall(SYS_ppoll, &f, 1, &z, NULL, 3), 0);

    /* revents cannot be written back: EFAULT after the poll. */
    struct pollfd *ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(ro != MAP_FAILED);
    ro->fd = -1;
    EXPECT_OK(mprotect(ro, 4096, PROT_READ));
    EXPECT_ERR(poll(ro, 1, 0), EFAULT);
    return t_done();
}
